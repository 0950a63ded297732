"""The outbox's pages and an e-mail in a real Chromium: what a patient and a clinic Admin see.

A confirmation is delivered into the test's SMTP server and its HTML opened as the patient's mail
program would show it; its unsubscribe link is followed and confirmed; an Admin opens the failed
messages page and sends one again. Screenshots go to ``test-artifacts/notifications/``.

Run alone: ``.venv/bin/python -m pytest tests/notifications/test_notifications_browser.py -q``.
"""

from __future__ import annotations

import pytest
import time_machine
from playwright.sync_api import expect

from access.models import Membership, Role
from accounts.models import User
from clinics.selectors import clinic_get
from nexioq.mailsink import MailSink
from notifications.models import OutboxStatus
from notifications.selectors import outbox_item_get
from tests.browser import (  # noqa: F401 - fixtures of the browser tests, loaded only here
    DESKTOP,
    MOBILE,
    PageFactory,
    Shots,
    _allow_async_unsafe,
    browser,
    new_page,
    playwright_driver,
)
from tests.conftest import NOW, PASSWORD, World, at, book, make_user, make_world
from tests.notifications.helpers import deliver_due, failed_item, inbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shot = Shots("notifications")
ADMIN_EMAIL = "admin@clinica.example"
PATIENT_EMAIL = "paciente@correo.example"


@pytest.fixture
def browser_world(dynamodb_local: str, ticking: time_machine.Coordinates, transactional_db: None) -> World:
    world = make_world()
    admin = make_user(ADMIN_EMAIL)
    Membership.objects.create(user=admin, tenant_id=world.tenant_id, role=Role.ADMIN)
    return world


def test_a_patient_reads_the_confirmation_and_turns_reminders_off(
    browser_world: World, new_page: PageFactory, smtp_sink: MailSink, live_server: object
) -> None:
    world = browser_world
    patient = make_user(PATIENT_EMAIL)
    book(world, at(9), patient_id=str(patient.pk), name="Patricia Gómez")
    deliver_due(world, NOW)
    (received,) = inbox(smtp_sink, PATIENT_EMAIL)

    mail = new_page(viewport=MOBILE, mobile=True)
    mail.set_content(received.html())
    shot(mail, "confirmation-mobile")
    expect(mail.get_by_role("link", name="Cambiar fecha u hora")).to_be_visible()

    link = next(line for line in received.text().splitlines() if "/notifications/unsubscribe/" in line)
    path = link.split("https://citas.example", 1)[1]
    page = new_page(viewport=MOBILE, mobile=True)
    page.goto(f"{live_server.url}{path}")  # type: ignore[attr-defined]
    shot(page, "unsubscribe-ask")
    page.get_by_role("button", name="Dejar de recibirlos").click()
    expect(page.get_by_test_id("unsubscribed")).to_be_visible()
    shot(page, "unsubscribe-done")

    assert User.objects.get(pk=patient.pk).reminders is False


def test_an_admin_resends_a_failed_message(browser_world: World, new_page: PageFactory, live_server: object) -> None:
    world = browser_world
    booking = book(world, at(9))
    item = failed_item(world, booking_id=booking.booking_id, now=NOW)
    url = f"{live_server.url}/c/{world.slug}/messages/"  # type: ignore[attr-defined]

    page = new_page(viewport=DESKTOP)
    page.goto(url)
    page.get_by_label("Correo electrónico").fill(ADMIN_EMAIL)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión", exact=True).click()
    page.wait_for_url(url)
    expect(page.get_by_role("link", name="Mensajes")).to_have_attribute("aria-current", "page")
    expect(page.locator("#failed-messages")).to_contain_text(booking.reference)
    shot(page, "failed-desktop")
    page.get_by_role("button", name="Enviar de nuevo").click()
    expect(page.get_by_test_id("no-failed")).to_be_visible()
    shot(page, "failed-after-resend")

    assert outbox_item_get(tenant_id=world.tenant_id, item_id=item.item_id).status == OutboxStatus.PENDING


def test_an_admin_asks_for_the_clinics_own_messages(
    browser_world: World, new_page: PageFactory, live_server: object
) -> None:
    world = browser_world
    url = f"{live_server.url}/c/{world.slug}/admin/settings/"  # type: ignore[attr-defined]

    page = new_page(viewport=DESKTOP)
    page.goto(url)
    page.get_by_label("Correo electrónico").fill(ADMIN_EMAIL)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión", exact=True).click()
    page.wait_for_url(url)
    page.locator("#id_email").fill("recepcion@clinica.example")
    page.get_by_label("Avisar por correo a la clínica", exact=False).check()
    page.locator("fieldset").filter(has_text="Recordatorios").screenshot(path=shot.path("settings-notify"))
    page.get_by_role("button", name="Guardar configuración").click()
    expect(page.get_by_text("Configuración guardada.")).to_be_visible()
    shot(page, "settings-saved")

    assert clinic_get(tenant_id=world.tenant_id).notify_clinic is True
