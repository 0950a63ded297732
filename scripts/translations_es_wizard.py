"""Spanish for the wizard's step 2 day strip and its first free day (loaded by scripts/translations_es.py)."""

ES = {
    "Free times": "Con horas libres",
    "Fully booked": "Completo",
    "Full": "Lleno",
    "Closed": "Cerrado",
    "Earlier days": "Días anteriores",
    "Later days": "Días siguientes",
    "There are no free times online until %(date)s.": "No hay horas libres en línea hasta el %(date)s.",
    "Try “Any professional”: someone else may have a free time.": "Prueba con «Cualquier profesional»: quizá otra persona tenga una hora libre.",
    'Call the clinic at <a class="font-semibold underline" href="tel:%(tel)s">%(phone)s</a> and they will find you a time.': 'Llama a la clínica al <a class="font-semibold underline" href="tel:%(tel)s">%(phone)s</a> y te ayudan a encontrar una hora.',
    "Closed: nobody sees patients for this treatment on this day.": "Cerrado: este día nadie atiende este tratamiento.",
    "Fully booked: every time on this day is taken.": "Completo: todas las horas de este día ya están reservadas.",
    "Show the next day with free times": "Ver el próximo día con horas libres",
}
