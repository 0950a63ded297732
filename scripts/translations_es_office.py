"""Spanish strings of the back office's layout and the clinic picker (office/_base.html, office/views/start.py)."""

ES = {
    "Back office": "Gestión de la clínica",
    "Switch clinic": "Cambiar de clínica",
    "Agenda": "Agenda",
    "Patients": "Pacientes",
    "Reports": "Informes",
    "Clinic setup": "Configuración de la clínica",
    "Choose a clinic": "Elige una clínica",
    "You work at more than one clinic. Pick the one whose agenda you want to open; we will remember it, and you can switch at any time from the top of every page.": "Trabajas en más de una clínica. Elige aquella cuya agenda quieres abrir; la recordaremos, y puedes cambiar cuando quieras desde la parte superior de cada página.",
    "current": "actual",
    "Open %(name)s": "Abrir %(name)s",
    "You have no staff role at any clinic.": "No tienes un rol de personal en ninguna clínica.",
    'As the platform owner you run every clinic from <a class="font-medium text-brand-700 underline" href="%(admin_url)s">the platform admin</a>.': 'Como propietario de la plataforma gestionas todas las clínicas desde <a class="font-medium text-brand-700 underline" href="%(admin_url)s">la administración de la plataforma</a>.',
}
