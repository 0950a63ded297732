"""The booking wizard in a real Chromium (Playwright) against the live Django server.

Same flows as ``test_wizard_views.py`` but through the browser: htmx swaps, plain form
posts with JavaScript off, a phone-sized viewport, the 409 page and the language switch.
Every step is saved as a PNG under ``test-artifacts/browser/`` for a human to look at.

Run alone: ``.venv/bin/python -m pytest tests/booking/test_wizard_browser.py -q``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import time_machine
from playwright.sync_api import Locator, Page, expect

from booking.models import Booking
from nexioq import dynamo
from tests.browser import (  # noqa: F401 - fixtures of the browser tests, loaded only here
    MOBILE,
    PageFactory,
    Shots,
    _allow_async_unsafe,
    browser,
    new_page,
    page,
    playwright_driver,
)
from tests.conftest import DAY, PASSWORD, World, at, book, make_user, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shot = Shots("browser")
REFERENCE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{8}$")  # Crockford base32, see booking.services.booking_reference
PATIENT = {"Nombre completo": "Ana Pérez", "Celular": "300 123 4567"}
PATIENT_EMAIL = "ana@example.com"


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture
def browser_world(dynamodb_local: str, ticking: time_machine.Coordinates, transactional_db: None) -> World:
    make_user(PATIENT_EMAIL)
    return make_world()


# --- helpers ------------------------------------------------------------------------------


def start_url(live_server: object, world: World) -> str:
    return f"{live_server.url}/c/{world.slug}/"  # type: ignore[attr-defined]


def schedule_url(live_server: object, world: World, professional: str, day: str = DAY.isoformat()) -> str:
    return f"{start_url(live_server, world)}book/{world.cleaning.treatment_id}/?professional={professional}&date={day}"


def bookings(world: World) -> list[Booking]:
    return list(
        Booking.query(
            dynamo.tenant_pk(world.tenant_id), Booking.sk.between(*dynamo.prefix_range(dynamo.BOOKING_PREFIX))
        )
    )


def page_width(page: Page) -> int:
    """Layout width in CSS px; with mobile emulation the layout viewport grows to fit content that overflows."""
    return int(page.evaluate("Math.max(window.innerWidth, document.documentElement.scrollWidth)"))


def swapping_times(page: Page, action: Callable[[], object]) -> None:
    """Run an action that makes htmx replace #times, and wait until the new one is in."""
    page.locator("#times").evaluate("element => { element.dataset.stale = 'yes' }")
    action()
    expect(page.locator("#times[data-stale]")).to_have_count(0)
    expect(page.locator("#times")).to_have_count(1)
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping")).to_have_count(0)


def day_chip(page: Page, day: str, days_label: str = "Días") -> Locator:
    return page.get_by_role("list", name=days_label).locator(f'a[href*="date={day}"]')


def time_button(page: Page, hhmm: str) -> Locator:
    return page.locator("#times").get_by_role("button", name=hhmm, exact=True)


def choose_treatment(page: Page, name: str = "Limpieza") -> None:
    page.get_by_role("link", name=re.compile(name)).click()
    page.wait_for_url(re.compile(r"/book/[^/]+/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def sign_in_at_step3(page: Page) -> None:
    """Step 3 asks an anonymous patient to sign in; the held time is waiting afterwards."""
    expect(page.get_by_role("heading", name="Inicia sesión para confirmar")).to_be_visible()
    shot(page, "step3-sign-in")
    held_url = page.url
    page.locator("#login-email").fill(PATIENT_EMAIL)
    page.locator("#login-password").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión", exact=True).click()
    page.wait_for_url(held_url)


def fill_details(page: Page, details: dict[str, str] = PATIENT) -> None:
    sign_in_at_step3(page)
    expect(page.get_by_role("heading", name="Tus datos")).to_be_visible()
    for label, value in details.items():
        page.get_by_label(label, exact=True).fill(value)


def confirm(page: Page) -> str:
    page.get_by_role("button", name="Confirmar cita").click()
    page.wait_for_url(re.compile(r"/bookings/[^/]+/$"))
    expect(page.get_by_role("heading", name="Tu cita quedó reservada")).to_be_visible()
    reference = page.get_by_test_id("reference")
    expect(reference).to_have_text(REFERENCE)
    return reference.inner_text()


# --- tests --------------------------------------------------------------------------------


def test_it_books_through_the_wizard_in_spanish(page: Page, live_server: object, browser_world: World) -> None:
    world = browser_world
    page.goto(start_url(live_server, world))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="¿Qué te gustaría reservar?")).to_be_visible()
    shot(page, "step1-treatments")

    choose_treatment(page)
    ana = page.get_by_role("radio", name="Dra. Ana")
    swapping_times(page, ana.check)
    expect(page).to_have_url(re.compile(rf"\?professional={world.ana.professional_id}&date=2026-11-30$"))
    expect(ana).to_be_checked()
    swapping_times(page, day_chip(page, "2026-12-01").click)
    expect(page).to_have_url(re.compile(rf"\?professional={world.ana.professional_id}&date=2026-12-01$"))
    expect(page.locator("#times h2")).to_have_text("Martes, 1 de diciembre de 2026")
    expect(time_button(page, "07:00")).to_be_visible()
    expect(time_button(page, "19:00")).to_be_visible()  # Bogotá wall clock; 60 min must end by 20:00
    expect(time_button(page, "19:15")).to_have_count(0)
    shot(page, "step2-times")

    time_button(page, "09:00").click()
    page.wait_for_url(re.compile(r"/hold/[^/]+/$"))
    summary = page.locator("dl")
    expect(summary).to_contain_text("Dra. Ana")
    expect(summary).to_contain_text("09:00 \N{EN DASH} 10:00")
    fill_details(page)
    shot(page, "step3-details")

    reference = confirm(page)
    expect(page.locator("dl")).to_contain_text("Limpieza")
    shot(page, "step4-confirmation")

    [booking] = bookings(world)
    assert booking.reference == reference
    assert booking.start == at(9)
    assert booking.professional_id == world.ana.professional_id
    assert (booking.patient_email, booking.patient_phone) == ("ana@example.com", "+573001234567")


def test_it_books_with_javascript_disabled(new_page: PageFactory, live_server: object, browser_world: World) -> None:
    world = browser_world
    page = new_page(javascript=False)
    page.goto(start_url(live_server, world))
    shot(page, "nojs-step1-treatments")

    choose_treatment(page)
    page.get_by_role("radio", name="Dra. Ana").check()
    page.get_by_label("Fecha", exact=True).fill(DAY.isoformat())
    page.get_by_role("button", name="Ver horarios").click()
    page.wait_for_url(re.compile(rf"\?professional={world.ana.professional_id}&date=2026-12-01$"))
    expect(page.get_by_role("radio", name="Dra. Ana")).to_be_checked()
    expect(page.locator("#times h2")).to_have_text("Martes, 1 de diciembre de 2026")
    shot(page, "nojs-step2-times")

    time_button(page, "09:00").click()
    page.wait_for_url(re.compile(r"/hold/[^/]+/$"))
    fill_details(page)
    shot(page, "nojs-step3-details")

    reference = confirm(page)
    shot(page, "nojs-step4-confirmation")

    [booking] = bookings(world)
    assert booking.reference == reference
    assert (booking.start, booking.professional_id) == (at(9), world.ana.professional_id)


def test_it_books_any_professional_on_a_phone(new_page: PageFactory, live_server: object, browser_world: World) -> None:
    world = browser_world
    page = new_page(viewport=MOBILE, mobile=True)
    page.goto(start_url(live_server, world))
    assert page_width(page) == MOBILE["width"]
    shot(page, "mobile-step1-treatments")

    choose_treatment(page)
    expect(page.get_by_role("radio", name="Cualquier profesional")).to_be_checked()
    swapping_times(page, day_chip(page, "2026-12-01").click)
    expect(page).to_have_url(re.compile(r"\?professional=any&date=2026-12-01$"))
    expect(page.get_by_role("radio", name="Cualquier profesional")).to_be_checked()
    shot(page, "mobile-step2-times")  # too wide today: see test_it_fits_the_times_page_on_a_phone

    time_button(page, "10:00").tap()
    page.wait_for_url(re.compile(r"/hold/[^/]+/$"))
    expect(page.locator("dl")).to_contain_text("10:00 \N{EN DASH} 11:00")
    fill_details(page)
    assert page_width(page) == MOBILE["width"]
    shot(page, "mobile-step3-details")

    reference = confirm(page)
    assert page_width(page) == MOBILE["width"]
    shot(page, "mobile-step4-confirmation")

    [booking] = bookings(world)
    assert booking.reference == reference
    assert booking.start == at(10)
    assert booking.professional_id in {world.ana.professional_id, world.ben.professional_id}


def test_it_fits_the_times_page_on_a_phone(new_page: PageFactory, live_server: object, browser_world: World) -> None:
    page = new_page(viewport=MOBILE, mobile=True)
    page.goto(schedule_url(live_server, browser_world, "any"))
    expect(time_button(page, "10:00")).to_be_visible()

    # The day strip must scroll inside itself; the page must not get wider than the phone ...
    assert page_width(page) == MOBILE["width"]
    # ... and a time further down can be tapped.
    time_button(page, "16:00").tap(timeout=3_000)
    page.wait_for_url(re.compile(r"/hold/[^/]+/$"))


def test_it_offers_alternatives_when_the_time_was_just_taken(
    page: Page, live_server: object, browser_world: World
) -> None:
    world = browser_world
    page.goto(schedule_url(live_server, world, world.ana.professional_id))
    expect(time_button(page, "09:00")).to_be_visible()

    # Someone else books 09:00 with Dra. Ana while this page is open.
    book(world, at(9), name="Otra Persona")
    with page.expect_response(lambda response: "/hold/" in response.url) as answer:
        time_button(page, "09:00").click()
    assert answer.value.status == 409

    expect(page.get_by_role("alert")).to_contain_text("acaba de reservar")
    expect(page.get_by_role("heading", name="Horarios libres más cercanos")).to_be_visible()
    same_professional = page.get_by_role("button", name=re.compile(r"10:00 · Dra\. Ana"))
    other_professional = page.get_by_role("button", name=re.compile(r"09:00 · Dr\. Ben"))
    expect(same_professional).to_be_visible()
    expect(other_professional).to_be_visible()
    expect(time_button(page, "09:00")).to_have_count(0)  # the grid no longer offers the taken time
    shot(page, "conflict-409")

    other_professional.click()
    page.wait_for_url(re.compile(r"/hold/[^/]+/$"))
    expect(page.get_by_role("heading", name="Inicia sesión para confirmar")).to_be_visible()
    expect(page.locator("dl")).to_contain_text("Dr. Ben")
    expect(page.locator("dl")).to_contain_text("09:00 \N{EN DASH} 10:00")
    shot(page, "conflict-alternative-step3")
    assert len(bookings(world)) == 1  # only the other patient's


def test_it_shows_spanish_errors_next_to_invalid_details(page: Page, live_server: object, browser_world: World) -> None:
    world = browser_world
    page.goto(schedule_url(live_server, world, world.ana.professional_id))
    time_button(page, "09:00").click()
    page.wait_for_url(re.compile(r"/hold/[^/]+/$"))
    details_url = page.url
    fill_details(page, {"Nombre completo": "A", "Celular": "12"})

    page.get_by_role("button", name="Confirmar cita").click()

    expect(page.locator("#id_phone-error")).to_have_text("Ingresa un número de teléfono válido, p. ej. 300 123 4567.")
    expect(page.locator("#id_name-error")).to_have_text("Escribe el nombre completo del paciente.")
    for label in PATIENT:
        field = page.get_by_label(label, exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Celular", exact=True)).to_have_accessible_description(re.compile("teléfono válido"))
    expect(page.get_by_label("Celular", exact=True)).to_have_value("12")  # what was typed is kept
    assert page.url == details_url
    shot(page, "step3-invalid")
    assert bookings(world) == []


def test_it_switches_to_english_from_the_footer(page: Page, live_server: object, browser_world: World) -> None:
    world = browser_world
    page.goto(start_url(live_server, world))
    expect(page.get_by_role("heading", level=1)).to_have_text("¿Qué te gustaría reservar?")

    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What would you like to book?")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(start_url(live_server, world))
    expect(page.get_by_role("button", name="Change")).to_be_visible()
    shot(page, "english-step1-treatments")

    choose_treatment(page)
    swapping_times(page, day_chip(page, "2026-12-01", days_label="Days").click)
    expect(page.locator("#times h2")).to_have_text("Tuesday, December 1, 2026")
    expect(page.get_by_role("radio", name="Any professional")).to_be_checked()
    shot(page, "english-step2-times")


def test_it_keeps_the_chosen_day_when_the_professional_changes(
    page: Page, live_server: object, browser_world: World
) -> None:
    world = browser_world
    page.goto(schedule_url(live_server, world, "any", "2026-11-30"))
    swapping_times(page, day_chip(page, "2026-12-01").click)

    swapping_times(page, page.get_by_role("radio", name="Dra. Ana").check)

    expect(page).to_have_url(re.compile(rf"\?professional={world.ana.professional_id}&date=2026-12-01$"), timeout=2_000)
    expect(page.locator("#times h2")).to_have_text("Martes, 1 de diciembre de 2026", timeout=2_000)
