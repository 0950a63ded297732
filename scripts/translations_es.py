"""Spanish translations of NexioQ's interface, applied to locale/es by `python scripts/translations_es.py`.

Kept as data so a new string is one line here; run `manage.py makemessages -l es -l en` first.
Needs polib (pip install polib); not a runtime dependency.
"""

from __future__ import annotations

from pathlib import Path

import polib

ES = {
    "e-mail address": "correo electrónico",
    "full name": "nombre completo",
    "phone": "teléfono",
    "staff status": "es personal",
    "active": "activo",
    "date joined": "fecha de registro",
    "user": "usuario",
    "users": "usuarios",
    "Enter a valid date (YYYY-MM-DD).": "Ingresa una fecha válida (AAAA-MM-DD).",
    "Choose a professional from the list.": "Elige un profesional de la lista.",
    "That date has already passed. Choose today or a later day.": "Esa fecha ya pasó. Elige hoy o un día posterior.",
    "Bookings open up to %(date)s. Choose an earlier day.": "Se puede reservar hasta el %(date)s. Elige un día anterior.",
    "That time is not valid.": "Esa hora no es válida.",
    "Choose a time.": "Elige una hora.",
    "Full name": "Nombre completo",
    "E-mail": "Correo electrónico",
    "Mobile phone": "Celular",
    "Enter the patient's full name.": "Escribe el nombre completo del paciente.",
    "Enter a valid phone number, e.g. 300 123 4567.": "Ingresa un número de teléfono válido, p. ej. 300 123 4567.",
    "Book an appointment": "Reservar una cita",
    "Progress": "Progreso",
    "Treatment": "Tratamiento",
    "Date and time": "Fecha y hora",
    "Your details": "Tus datos",
    "Online booking is not available at this clinic right now.": "La reserva en línea no está disponible en esta clínica en este momento.",
    "Please call %(phone)s.": "Por favor llama al %(phone)s.",
    "Online booking by NexioQ": "Reservas en línea con NexioQ",
    "Professional": "Profesional",
    "Date": "Fecha",
    "Time": "Hora",
    "Price": "Precio",
    "Dental appointments, booked right.": "Citas odontológicas, bien reservadas.",
    "NexioQ lets patients book online in three steps and keeps every clinic's agenda free of double bookings.": "Con NexioQ los pacientes reservan en línea en tres pasos y la agenda de cada clínica nunca tiene citas cruzadas.",
    "Try the demo clinic": "Probar la clínica de demostración",
    "Your appointment": "Tu cita",
    "We could not keep this time any longer. Confirm now and we will book it if it is still free.": "Ya no pudimos reservarte este horario por más tiempo. Confirma ahora y lo agendamos si sigue libre.",
    "We are keeping this time for you until %(until)s.": "Te guardamos este horario hasta las %(until)s.",
    "Choose another time": "Elegir otro horario",
    "Confirm appointment": "Confirmar cita",
    "We use your details only to manage this appointment.": "Usamos tus datos solo para gestionar esta cita.",
    "Your appointment is booked": "Tu cita quedó reservada",
    "Thank you, %(name)s. We look forward to seeing you.": "Gracias, %(name)s. Te esperamos.",
    "Booking reference": "Código de reserva",
    "Contact details: %(email)s · %(phone)s": "Datos de contacto: %(email)s · %(phone)s",
    "To change or cancel this appointment, call %(phone)s and give your booking reference.": "Para cambiar o cancelar esta cita, llama al %(phone)s e indica tu código de reserva.",
    "Book another appointment": "Reservar otra cita",
    "Change treatment": "Cambiar tratamiento",
    "Any professional": "Cualquier profesional",
    "No professional performs this treatment yet.": "Ningún profesional realiza este tratamiento todavía.",
    "Show times": "Ver horarios",
    "Previous day": "Día anterior",
    "Next day": "Día siguiente",
    "Days": "Días",
    "Nearest free times": "Horarios libres más cercanos",
    "Times in the clinic's time zone (%(tz)s). The time you pick is kept for you for %(hold_minutes)s minutes while you enter your details.": "Horarios en la zona horaria de la clínica (%(tz)s). El horario que elijas queda reservado para ti durante %(hold_minutes)s minutos mientras ingresas tus datos.",
    "No free times on this day. Try another day or another professional.": "No hay horarios libres este día. Prueba otro día u otro profesional.",
    "What would you like to book?": "¿Qué te gustaría reservar?",
    "Choose a treatment to see the available times.": "Elige un tratamiento para ver los horarios disponibles.",
    "Choose": "Elegir",
    "This clinic has no treatments open for online booking yet.": "Esta clínica todavía no tiene tratamientos abiertos a reserva en línea.",
    "%(h)s h %(m)s min": "%(h)s h %(m)s min",
    "%(h)s h": "%(h)s h",
    "%(m)s min": "%(m)s min",
    "In the morning": "Por la mañana",
    "In the afternoon": "Por la tarde",
    "In the evening": "Por la noche",
    "Enter a valid e-mail address.": "Ingresa un correo electrónico válido.",
    "That time is not offered. Choose one of the times listed.": "Ese horario no está disponible. Elige uno de los horarios de la lista.",
    "Sorry, someone has just taken that time. These are the nearest free times:": "Lo sentimos, alguien acaba de reservar ese horario. Estos son los horarios libres más cercanos:",
    "Must be a multiple of 5 minutes.": "Debe ser un múltiplo de 5 minutos.",
    "Use lowercase letters, digits and hyphens.": "Usa letras minúsculas, números y guiones.",
    "Unknown time zone.": "Zona horaria desconocida.",
    "Choose one of 5, 10, 15, 20, 30 or 60 minutes.": "Elige 5, 10, 15, 20, 30 o 60 minutos.",
    "That address is already taken.": "Esa dirección ya está en uso.",
    "Duration plus buffers cannot exceed %(max)s minutes.": "La duración más los márgenes no puede superar %(max)s minutos.",
    "Enter a valid amount.": "Ingresa un valor válido.",
    "Weekday must be 0 (Monday) to 6 (Sunday).": "El día debe ser de 0 (lunes) a 6 (domingo).",
    "Use HH:MM times.": "Usa horas en formato HH:MM.",
    "Ranges must end after they start, on 5-minute steps.": "Los rangos deben terminar después de empezar, en pasos de 5 minutos.",
    "Ranges of one day must not overlap.": "Los rangos de un mismo día no pueden superponerse.",
    "The range must end after it starts.": "El rango debe terminar después de empezar.",
    "Spanish": "Español",
    "English": "Inglés",
    "That request was not valid": "La solicitud no es válida",
    "Go to the home page": "Ir a la página de inicio",
    "This form has expired": "Este formulario expiró",
    "Go back, reload the page and try again.": "Vuelve atrás, recarga la página e inténtalo de nuevo.",
    "Page not found": "Página no encontrada",
    "We could not find that page": "No encontramos esa página",
    "The clinic, treatment or appointment you are looking for does not exist, or the link has expired.": "La clínica, el tratamiento o la cita que buscas no existe, o el enlace expiró.",
    "Language": "Idioma",
    "Ask for 1 to 7 days.": "Pide de 1 a 7 días.",
    "Sign in to confirm": "Inicia sesión para confirmar",
    "Your time stays held while you sign in or create your account; you come straight back here.": "Tu horario sigue reservado mientras inicias sesión o creas tu cuenta; vuelves directamente aquí.",
    "I have an account": "Ya tengo una cuenta",
    "Password": "Contraseña",
    "Sign in": "Iniciar sesión",
    "I am new here": "Soy nuevo aquí",
    "Password (again)": "Contraseña (otra vez)",
    "Create account": "Crear cuenta",
    "We e-mail you a code to confirm the address.": "Te enviamos un código por correo para confirmar la dirección.",
    "Booking as <strong>%(email)s</strong>. We send the confirmation there.": "Reservas como <strong>%(email)s</strong>. Allí te enviamos la confirmación.",
    "My appointments": "Mis citas",
    "Sign out": "Cerrar sesión",
    "Upcoming": "Próximas",
    "Past": "Anteriores",
    "You have no upcoming appointments at this clinic.": "No tienes citas próximas en esta clínica.",
    "Confirmed": "Confirmada",
    "Cancelled": "Cancelada",
    "Completed": "Atendida",
    "Did not attend": "No asistió",
    "Administrator": "Administrador",
    "Dentist": "Odontólogo",
    "Reception": "Recepción",
    "Patient": "Paciente",
    "clinic id": "id de la clínica",
    "role": "rol",
    "professional id": "id del profesional",
    "membership": "membresía",
    "memberships": "membresías",
    "invitation": "invitación",
    "invitations": "invitaciones",
    "Choose a staff role.": "Elige un rol del personal.",
    "This person already has that role here.": "Esta persona ya tiene ese rol aquí.",
    "Change": "Cambiar",
}


def main() -> None:
    path = Path(__file__).resolve().parent.parent / "locale" / "es" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(path))
    missing = []
    for entry in catalogue:
        if entry.msgid in ES:
            entry.msgstr = ES[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.msgstr:
            missing.append(entry.msgid)
    catalogue.metadata["Language"] = "es"
    catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    catalogue.save(str(path))
    if missing:
        raise SystemExit("Untranslated: " + "; ".join(missing))


if __name__ == "__main__":
    main()
