"""Onboarding end to end, in a real Chromium: from an empty platform to a clinic's first booking.

The platform owner creates the clinic in Django admin and invites its first Admin in the same
form; the Admin follows the e-mailed link, signs up (the address verified by the e-mailed code),
accepts, and sets up one treatment and one professional with their hours from the panel's
checklist; a patient then books through the wizard. The test counts the browser steps (each
``goto``, ``fill``, ``check`` and ``click`` a person would do) and the seconds, and prints them:
the README's "Onboarding" figures come from here. Screenshots: ``test-artifacts/onboarding/``.

Run alone: ``.venv/bin/python -m pytest tests/panel/test_onboarding_browser.py -q -s``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import Locator, Page, expect

from access.models import Membership, Role
from booking.models import BookingStatus
from booking.selectors import bookings_for_patient
from clinics.selectors import tenant_id_for_slug
from tests.browser import (  # noqa: F401 - fixtures of the browser tests, loaded only here
    DESKTOP,
    PageFactory,
    Shots,
    _allow_async_unsafe,
    browser,
    new_page,
    playwright_driver,
)
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shots = Shots("onboarding")  # Person.shot names each file after its person
OWNER_EMAIL = "owner@nexioq.example"
ADMIN_EMAIL = "directora@sonrisa-norte.example"
ADMIN_PASSWORD = "Sonrisa-Norte-2026"
PATIENT_EMAIL = "paciente@example.com"
SLUG = "sonrisa-norte"
CODE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)  # allauth's e-mailed code
LINK = re.compile(r"https?://\S+/invitations/\S+/")
# The browser steps measured for this path (README, "Onboarding"): more means the path grew.
MAX_STEPS = 48


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


class Person:
    """One person's browser, counting what they do: each goto, fill, check and click is a step."""

    steps = 0

    def __init__(self, page: Page, name: str) -> None:
        self.page, self.name = page, name

    def goto(self, url: str) -> None:
        Person.steps += 1
        self.page.goto(url)

    def fill(self, target: Locator, value: str) -> None:
        Person.steps += 1
        target.fill(value)

    def check(self, target: Locator) -> None:
        Person.steps += 1
        target.check()

    def click(self, target: Locator) -> None:
        Person.steps += 1
        target.click()

    def shot(self, name: str) -> None:
        shots(self.page, f"{self.name}-{name}")


def message_to(email: str) -> str:
    [message] = [m for m in mail.outbox if email in m.to and "código" not in m.subject.lower()][-1:]
    return str(message.body)


def code_for(email: str) -> str:
    for message in reversed(mail.outbox):
        found = CODE.search(str(message.body))
        if email in message.to and found:
            return found.group(1)
    raise AssertionError(f"no verification code for {email}: {[m.subject for m in mail.outbox]}")


def test_a_new_clinic_takes_its_first_booking(
    new_page: PageFactory, live_server: object, dynamodb_local: str, ticking: time_machine.Coordinates
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    make_user(OWNER_EMAIL, staff=True)
    make_user(PATIENT_EMAIL)
    Person.steps = 0
    started = time.monotonic()

    # The platform owner creates the clinic and invites its first Admin, in one form.
    owner = Person(new_page(viewport=DESKTOP), "1-owner")
    page = owner.page
    owner.goto(f"{base}/admin/clinics/clinic/add/")
    owner.fill(page.locator("#id_username"), OWNER_EMAIL)
    owner.fill(page.locator("#id_password"), PASSWORD)
    owner.click(page.locator("input[type=submit]"))
    owner.fill(page.locator("#id_name"), "Sonrisa Norte")
    owner.fill(page.locator("#id_slug"), SLUG)
    owner.fill(page.locator("#id_phone"), "+57 601 555 0199")
    owner.fill(page.get_by_label("Correo del primer administrador"), ADMIN_EMAIL)
    owner.shot("add-clinic")
    owner.click(page.locator("input[name=_save]"))
    expect(page.get_by_text("Sonrisa Norte").first).to_be_visible()
    owner.shot("clinic-list")
    tenant_id = tenant_id_for_slug(slug=SLUG)

    # The Admin opens the e-mailed link, signs up with that address and accepts.
    found = LINK.search(message_to(ADMIN_EMAIL))
    assert found, message_to(ADMIN_EMAIL)
    admin = Person(new_page(viewport=DESKTOP), "2-admin")
    page = admin.page
    admin.goto(found.group(0))
    admin.click(page.get_by_role("link", name=re.compile("Regístrate|Crear una cuenta|registrarte", re.I)).first)
    admin.fill(page.get_by_label("Correo electrónico", exact=True), ADMIN_EMAIL)
    admin.fill(page.get_by_label("Contraseña", exact=True), ADMIN_PASSWORD)
    admin.fill(page.get_by_label("Contraseña (otra vez)", exact=True), ADMIN_PASSWORD)
    admin.click(page.get_by_role("button", name="Registrarse"))
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    admin.fill(page.get_by_label("Código", exact=True), code_for(ADMIN_EMAIL))
    admin.click(page.get_by_role("button", name="Confirmar"))
    page.wait_for_url(re.compile(r"/invitations/"))
    admin.shot("invitation")
    admin.click(page.get_by_role("button", name=re.compile("Aceptar")))
    page.wait_for_url(re.compile(rf"/c/{SLUG}/admin/$"))
    assert Membership.objects.filter(user__email=ADMIN_EMAIL, tenant_id=tenant_id, role=Role.ADMIN).exists()
    admin.shot("empty-checklist")

    # From the checklist: one treatment, one professional who performs it, their hours.
    admin.click(page.get_by_role("link", name=re.compile("Agrega un tratamiento")))
    admin.fill(page.get_by_label("Nombre"), "Limpieza")
    admin.fill(page.get_by_label("Duración (minutos)"), "45")
    admin.fill(page.get_by_label("Precio"), "120000")
    admin.click(page.get_by_role("button", name="Guardar"))
    page.wait_for_url(re.compile(r"/admin/treatments/$"))
    nav = page.get_by_role("navigation", name="Administración de la clínica")
    admin.click(nav.get_by_role("link", name="Resumen"))
    admin.click(page.get_by_role("link", name=re.compile("Agrega un profesional")))
    admin.fill(page.get_by_label("Nombre"), "Dra. Inés")
    admin.check(page.get_by_label("Limpieza"))
    for weekday in range(5):  # Monday to Friday, 08:00-16:00
        admin.fill(page.locator(f'[name="h-{weekday}-0-start"]'), "08:00")
        admin.fill(page.locator(f'[name="h-{weekday}-0-end"]'), "16:00")
    admin.click(page.get_by_role("button", name="Guardar", exact=True))
    page.wait_for_url(re.compile(r"/admin/professionals/$"))
    admin.click(nav.get_by_role("link", name="Resumen"))
    expect(page.get_by_text("Tus pacientes ya pueden reservar en línea.")).to_be_visible()
    admin.shot("checklist-done")

    # A patient books the first free time.
    patient = Person(new_page(viewport=DESKTOP), "3-patient")
    page = patient.page
    patient.goto(f"{base}/c/{SLUG}/")
    patient.click(page.get_by_role("link", name=re.compile("Limpieza")))
    page.wait_for_url(re.compile(r"/book/[^/]+/"))
    first_time = page.locator("#times ul button.time-button").first
    expect(first_time).to_be_visible()
    patient.shot("times")
    patient.click(first_time)
    page.wait_for_url(re.compile(r"/hold/[^/]+/$"))
    patient.fill(page.locator("#login-email"), PATIENT_EMAIL)
    patient.fill(page.locator("#login-password"), PASSWORD)
    patient.click(page.get_by_role("button", name="Iniciar sesión", exact=True))
    expect(page.get_by_role("heading", name="Tus datos")).to_be_visible()
    patient.fill(page.get_by_label("Nombre completo", exact=True), "Carlos Díaz")
    patient.fill(page.get_by_label("Celular", exact=True), "300 123 4567")
    patient.click(page.get_by_role("button", name="Confirmar cita"))
    page.wait_for_url(re.compile(r"/bookings/[^/]+/$"))
    expect(page.get_by_role("heading", name="Tu cita quedó reservada")).to_be_visible()
    patient.shot("booked")
    seconds = time.monotonic() - started

    from accounts.models import User

    [booking] = bookings_for_patient(patient_id=str(User.objects.get(email=PATIENT_EMAIL).pk), tenant_id=tenant_id)
    assert (booking.treatment_name, booking.professional_name, booking.status) == (
        "Limpieza",
        "Dra. Inés",
        BookingStatus.CONFIRMED,
    )
    print(f"\nOnboarding: {Person.steps} browser steps, {seconds:.1f} s in the browser")
    # A guard against the path growing: today's count, measured (README, "Onboarding").
    assert Person.steps <= MAX_STEPS, f"onboarding now takes {Person.steps} browser steps"
