"""Spanish strings of the local servers' pages (/dev/mail/); loaded by scripts/translations_es.py."""

ES = {
    # notifications/apps.py (the foundation on main; also in translations_es_notifications.py)
    "Notifications": "Notificaciones",
    # templates/dev_mail.html, templates/dev_mail_message.html
    "Mail sent locally": "Correo enviado en local",
    "Every message this server sent is kept by the local mail sink instead of being delivered. Nothing leaves this machine.": "El buzón local guarda cada mensaje que envió este servidor en lugar de entregarlo. Nada sale de esta máquina.",
    "Files:": "Archivos:",
    "Refresh": "Actualizar",
    "Messages, newest first": "Mensajes, los más recientes primero",
    "(no subject)": "(sin asunto)",
    "To:": "Para:",
    "From:": "De:",
    "Date:": "Fecha:",
    "Attachments:": "Adjuntos:",
    "(unnamed)": "(sin nombre)",
    "none": "ninguno",
    "No mail yet. Book an appointment and its confirmation appears here.": "Todavía no hay correo. Reserva una cita y su confirmación aparecerá aquí.",
    "All mail sent locally": "Todo el correo enviado en local",
    "As the recipient sees it": "Como lo ve quien lo recibe",
    "The message as HTML": "El mensaje en HTML",
    "Plain text": "Texto plano",
}
