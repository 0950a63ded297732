"""The patient portal in a real Chromium (Playwright) against the live Django server.

A patient cancels before the cutoff and is refused after it; reschedules, then reschedules into a
time someone else takes at the same moment (409, the old booking kept); downloads the calendar
file. Desktop and phone sizes; every page is saved under ``test-artifacts/portal/``.

Run alone: ``.venv/bin/python -m pytest tests/portal/test_portal_browser.py -q``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from icalendar import Calendar
from playwright.sync_api import Page, expect

from access.models import Membership, Role
from accounts.models import User
from booking import selectors
from booking.models import Booking
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
from tests.conftest import NOW, World, anonymous, at, book, hold, make_user, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shot = Shots("portal")
SIZES = {"desktop": {"viewport": DESKTOP}, "phone": {"viewport": MOBILE, "mobile": True}}
LATER = dt.date(2026, 12, 3)  # a Thursday, days ahead: well before the 24 h cutoff
NEXT = dt.date(2026, 12, 4)


@pytest.fixture
def world_and_patient(
    dynamodb_local: str, ticking: time_machine.Coordinates, transactional_db: None
) -> tuple[World, User]:
    world, patient = make_world(), make_user("paciente@example.com")
    # Booking online makes the user one of the clinic's patients; these bookings are made directly.
    Membership.objects.create(user=patient, tenant_id=world.tenant_id, role=Role.PATIENT)
    return world, patient


def signed_in_page(new_page: PageFactory, live_server: Any, user: User, size: str = "desktop") -> Page:
    """A browser already signed in as ``user`` (the session made by Django's test client)."""
    client = Client()
    client.force_login(user)
    page = new_page(**SIZES[size])
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


def fits(page: Page) -> None:
    width = int(page.evaluate("Math.max(window.innerWidth, document.documentElement.scrollWidth)"))
    assert width <= int(page.evaluate("window.innerWidth")), "the page scrolls sideways"


def stored(world: World, booking_id: str) -> Booking:
    return selectors.booking_get(tenant_id=world.tenant_id, booking_id=booking_id)


@pytest.mark.parametrize("size", list(SIZES))
def test_it_cancels_before_the_cutoff_and_refuses_after_it(
    new_page: PageFactory, live_server: Any, world_and_patient: tuple[World, User], size: str
) -> None:
    world, patient = world_and_patient
    early = book(world, at(9, day=LATER), patient_id=str(patient.pk))
    late = book(world, at(15, day=NOW.date()), patient_id=str(patient.pk), professional=world.ben)  # in 8 h
    page = signed_in_page(new_page, live_server, patient, size)

    page.goto(f"{live_server.url}/me/")
    expect(page.get_by_role("heading", name="Mis citas")).to_be_visible()
    expect(page.get_by_test_id(f"booking-{early.booking_id}")).to_contain_text("Confirmada")
    fits(page)
    shot(page, f"{size}-mis-citas")

    page.get_by_test_id(f"booking-{early.booking_id}").get_by_role("link", name=re.compile(early.reference)).click()
    expect(page.get_by_role("heading", name="Tu cita", exact=True)).to_be_visible()
    expect(page.get_by_text("Tu cita quedó reservada")).to_have_count(0)
    page.get_by_text("Cancelar esta cita").click()
    shot(page, f"{size}-cancel-confirm")
    page.get_by_role("button", name="Sí, cancelar la cita").click()
    expect(page.get_by_text("Tu cita quedó cancelada")).to_be_visible()
    expect(page.get_by_text("Cancelada por ti")).to_be_visible()
    fits(page)
    shot(page, f"{size}-cancelled")
    assert stored(world, early.booking_id).status == "cancelled"

    page.goto(f"{live_server.url}/c/{world.slug}/bookings/{late.booking_id}/")
    note = page.get_by_test_id("past-cutoff")
    expect(note).to_contain_text("Ya es tarde para cambiarla en línea")
    expect(note.get_by_role("link", name="+57 601 5550100")).to_be_visible()
    expect(page.get_by_role("button", name="Sí, cancelar la cita")).to_have_count(0)
    expect(page.get_by_role("link", name="Cambiar fecha u hora")).to_have_count(0)
    fits(page)
    shot(page, f"{size}-past-cutoff")
    # A POST anyway (a form kept open in another tab) gets the refusal, with the clinic's phone.
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == settings.CSRF_COOKIE_NAME)
    refused = page.request.post(
        f"{live_server.url}/c/{world.slug}/bookings/{late.booking_id}/cancel/",
        headers={"X-CSRFToken": csrf, "Referer": page.url},
    )
    assert refused.status == 403
    assert "+57 601 5550100" in refused.text()
    assert stored(world, late.booking_id).status == "confirmed"


@pytest.mark.parametrize("size", list(SIZES))
def test_it_reschedules_then_loses_a_time_taken_at_the_same_moment(
    new_page: PageFactory, live_server: Any, world_and_patient: tuple[World, User], size: str
) -> None:
    world, patient = world_and_patient
    booking = book(world, at(9, day=LATER), patient_id=str(patient.pk))
    page = signed_in_page(new_page, live_server, patient, size)
    page.goto(f"{live_server.url}/c/{world.slug}/bookings/{booking.booking_id}/")

    page.get_by_role("link", name="Cambiar fecha u hora").click()
    expect(page.get_by_test_id("current-time")).to_contain_text("09:00")
    page.locator("#times").evaluate("element => { element.dataset.stale = 'yes' }")
    page.get_by_role("list", name="Días").locator(f'a[href*="date={NEXT.isoformat()}"]').click()
    expect(page.locator("#times[data-stale]")).to_have_count(0)
    expect(page.locator("#times h2")).to_have_text("Viernes, 4 de diciembre de 2026")
    fits(page)
    shot(page, f"{size}-reschedule-picker")
    page.locator("#times").get_by_role("button", name="10:00", exact=True).click()
    expect(page.get_by_text("Tu cita quedó movida")).to_be_visible()
    expect(page.locator("dl")).to_contain_text("10:00")
    shot(page, f"{size}-rescheduled")
    assert stored(world, booking.booking_id).start == at(10, day=NEXT)

    # Again: the picker is open on Friday when someone else takes 13:00 with Dra. Ana.
    page.get_by_role("link", name="Cambiar fecha u hora").click()
    expect(page.locator("#times h2")).to_have_text("Viernes, 4 de diciembre de 2026")
    hold(world, at(13, day=NEXT), actor=anonymous(world, "someone-else"))
    page.locator("#times").get_by_role("button", name="13:00", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Tu cita conserva su horario")
    expect(page.get_by_text("Horas libres más cercanas")).to_be_visible()
    fits(page)
    shot(page, f"{size}-reschedule-409")
    kept = stored(world, booking.booking_id)
    assert (kept.start, kept.status) == (at(10, day=NEXT), "confirmed")


def test_it_downloads_a_calendar_file_that_parses(
    new_page: PageFactory, live_server: Any, world_and_patient: tuple[World, User]
) -> None:
    world, patient = world_and_patient
    booking = book(world, at(9, day=LATER), patient_id=str(patient.pk))
    page = signed_in_page(new_page, live_server, patient)
    page.goto(f"{live_server.url}/c/{world.slug}/bookings/{booking.booking_id}/")
    shot(page, "desktop-booking-page")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Añadir al calendario").click()
    download = download_info.value

    assert download.suggested_filename == f"cita-{booking.reference}.ics"
    [event] = Calendar.from_ical(Path(download.path()).read_bytes()).walk("VEVENT")
    assert str(event["UID"]) == f"{booking.booking_id}@nexioq"
    assert event.decoded("DTSTART") == at(9, day=LATER)
    assert str(event["SUMMARY"]) == "Limpieza · Clínica Prueba"


@pytest.mark.parametrize("size", list(SIZES))
def test_it_saves_the_profile_and_switches_to_the_chosen_language(
    new_page: PageFactory, live_server: Any, world_and_patient: tuple[World, User], size: str
) -> None:
    _world, patient = world_and_patient
    page = signed_in_page(new_page, live_server, patient, size)
    page.goto(f"{live_server.url}/me/profile/")
    page.get_by_label("Nombre completo").fill("Ana Pérez")
    page.get_by_label("Celular").fill("12")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Ingresa un número de teléfono válido")).to_be_visible()
    shot(page, f"{size}-profile-error")

    page.get_by_label("Celular").fill("300 123 4567")
    page.get_by_label("Idioma", exact=True).first.select_option("en")
    page.get_by_role("button", name="Guardar").click()

    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_label("Mobile phone")).to_have_value("+573001234567")
    fits(page)
    shot(page, f"{size}-profile-saved-english")
    page.get_by_role("link", name="Delete my account").click()
    expect(page.get_by_label("Your password")).to_be_visible()
    shot(page, f"{size}-delete-account")


def test_it_reschedules_and_cancels_with_javascript_disabled(
    new_page: PageFactory, live_server: Any, world_and_patient: tuple[World, User]
) -> None:
    world, patient = world_and_patient
    booking = book(world, at(9, day=LATER), patient_id=str(patient.pk))
    client = Client()
    client.force_login(patient)
    page = new_page(javascript=False)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/me/")
    page.get_by_role("link", name=re.compile(booking.reference)).click()

    page.get_by_role("link", name="Cambiar fecha u hora").click()
    page.get_by_label("Fecha", exact=True).fill(NEXT.isoformat())
    page.get_by_role("button", name="Ver horarios").click()
    expect(page.locator("#times h2")).to_have_text("Viernes, 4 de diciembre de 2026")
    page.locator("#times").get_by_role("button", name="11:00", exact=True).click()
    expect(page.get_by_text("Tu cita quedó movida")).to_be_visible()
    shot(page, "nojs-rescheduled")

    page.get_by_text("Cancelar esta cita").click()
    page.get_by_role("button", name="Sí, cancelar la cita").click()
    expect(page.get_by_text("Cancelada por ti")).to_be_visible()
    after = stored(world, booking.booking_id)
    assert (after.start, after.status) == (at(11, day=NEXT), "cancelled")
