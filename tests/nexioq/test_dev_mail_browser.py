"""/dev/mail/ in a real Chromium: a newcomer finds the message, reads it as sent, and its scripts never run.

Screenshots land in ``test-artifacts/dev_mail/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.mail import EmailMultiAlternatives
from playwright.sync_api import expect

from tests.browser import (  # noqa: F401 - fixtures of the browser tests, loaded only here
    MOBILE,
    PageFactory,
    Shots,
    _allow_async_unsafe,
    browser,
    new_page,
    playwright_driver,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shot = Shots("dev_mail")
HTML = """<div style="font-family: sans-serif; max-width: 560px; margin: auto">
<h1 style="color: #0f766e">Tu cita está confirmada</h1>
<p id="greeting">Hola Luis, te esperamos el <b>martes 1 de diciembre a las 9:00</b> en Clínica Prueba.</p>
<p><a href="https://nexioq.example/me/">Cancelar o cambiar la cita</a></p>
<script>document.getElementById("greeting").textContent = "a script ran";</script>
</div>"""


def send_confirmation() -> None:
    message = EmailMultiAlternatives(
        "Cita confirmada: Limpieza, martes 1 de diciembre 9:00",
        "Hola Luis, te esperamos el martes 1 de diciembre a las 9:00.\nCancelar: https://nexioq.example/me/",
        "Clínica Prueba <no-reply@nexioq.example>",
        ["luis@example.com"],
    )
    message.attach_alternative(HTML, "text/html")
    message.attach("cita.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    message.send()


def test_a_newcomer_reads_the_confirmation_as_sent(new_page: PageFactory, mail_dir: Path) -> None:
    send_confirmation()
    page = new_page()

    page.goto("/dev/mail/")
    expect(page.get_by_role("heading", name="Correo enviado en local")).to_be_visible()
    shot(page, "list")
    page.get_by_role("link", name="Cita confirmada: Limpieza").click()

    expect(page.get_by_role("heading", name="Cita confirmada: Limpieza, martes 1 de diciembre 9:00")).to_be_visible()
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", name="Tu cita está confirmada")).to_be_visible()
    expect(frame.locator("#greeting")).to_contain_text("Hola Luis")  # the message's script did not run
    expect(page.get_by_text("cita.ics")).to_be_visible()
    shot(page, "message")

    phone = new_page(viewport=MOBILE, mobile=True)
    phone.goto("/dev/mail/")
    shot(phone, "list-phone")
