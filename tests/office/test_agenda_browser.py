"""The staff calendar in a real Chromium: drag and drop that the engine accepts or refuses (409,
reverted, the conflict named), a dentist's own agenda, and a booking made online appearing by itself.

Screenshots go to ``test-artifacts/agenda-*.png``. Run alone:
``.venv/bin/python -m pytest tests/office/test_agenda_browser.py -q -p no:cacheprovider``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from playwright.sync_api import Locator, Page, expect

from access.models import Membership, Role
from booking.selectors import booking_get
from tests.browser import (  # noqa: F401 - fixtures of the browser tests, loaded only here
    PageFactory,
    Shots,
    _allow_async_unsafe,
    browser,
    new_page,
    playwright_driver,
)
from tests.conftest import DAY, NOW, World, at, book, make_user, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shot = Shots(".", prefix="agenda-")
LIVE_UPDATE_MS = 15_000
# Tall enough for the whole working day: a drag near the window's edge would scroll the page under it.
TALL = {"width": 1280, "height": 1500}


@dataclass
class Staff:
    world: World
    reception: object
    dentist: object


@pytest.fixture
def staff(dynamodb_local: str, ticking: time_machine.Coordinates, transactional_db: None) -> Staff:
    world = make_world()
    reception = make_user("recepcion@clinica.example")
    dentist = make_user("ana@clinica.example")
    Membership.objects.create(user=reception, tenant_id=world.tenant_id, role=Role.RECEPTION)
    Membership.objects.create(
        user=dentist, tenant_id=world.tenant_id, role=Role.DENTIST, professional_id=world.ana.professional_id
    )
    return Staff(world=world, reception=reception, dentist=dentist)


def agenda(new_page: PageFactory, live_server: object, staff: Staff, user: object) -> Page:
    """The agenda, opened by ``user`` (a session made by the test client, as force_login does)."""
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    page = new_page(viewport=TALL)
    url = live_server.url  # type: ignore[attr-defined]
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": url,
            }
        ]
    )
    page.goto(f"/c/{staff.world.slug}/agenda/")
    expect(page.locator("#agenda-calendar[data-ready='true'] .fc-timegrid")).to_be_visible()
    return page


def event(page: Page, text: str) -> Locator:
    return page.locator(".fc-timegrid-event", has_text=text)


def drag_to(page: Page, source: Locator, *, day: str, time: str) -> None:
    """Drag an event by its middle so that it starts at ``time`` on ``day``: real mouse steps, as
    FullCalendar wants, and the same offset from the event's top at the drop as at the grab."""
    box = source.bounding_box()
    assert box is not None
    offset = box["height"] / 2
    grab_x, grab_y = box["x"] + box["width"] / 2, box["y"] + offset
    column = page.locator(f"td.fc-timegrid-col[data-date='{day}']").bounding_box()
    slot = page.locator(f"td.fc-timegrid-slot-lane[data-time='{time}']").bounding_box()
    assert column is not None and slot is not None
    page.mouse.move(grab_x, grab_y)
    page.mouse.down()
    page.mouse.move(grab_x + 8, grab_y, steps=4)  # past FullCalendar's 5-pixel threshold
    page.mouse.move(column["x"] + column["width"] / 2, slot["y"] + offset, steps=20)
    page.mouse.up()


def test_reception_drags_a_booking_to_a_free_time(new_page: PageFactory, live_server: object, staff: Staff) -> None:
    world = staff.world
    booking = book(world, at(9), name="Luis Gómez")
    book(world, at(9), professional=world.ben, name="Marta Ruiz", treatment=world.whitening)
    page = agenda(new_page, live_server, staff, staff.reception)
    expect(event(page, "Luis Gómez")).to_be_visible()
    shot(page, "week")

    drag_to(page, event(page, "Luis Gómez"), day=DAY.isoformat(), time="11:00:00")

    expect(page.locator("#agenda-banner")).to_be_visible()
    expect(page.locator("#agenda-banner-text")).to_contain_text("11:00")
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).start == at(11)
    expect(event(page, "Luis Gómez")).to_contain_text("11:00")
    shot(page, "moved")


def test_a_drop_on_a_taken_time_goes_back_and_names_the_booking(
    new_page: PageFactory, live_server: object, staff: Staff
) -> None:
    world = staff.world
    booking = book(world, at(9), name="Luis Gómez")
    book(world, at(11), name="Carla Díaz", treatment=world.whitening)
    page = agenda(new_page, live_server, staff, staff.reception)
    expect(event(page, "Carla Díaz")).to_be_visible()

    drag_to(page, event(page, "Luis Gómez"), day=DAY.isoformat(), time="10:30:00")

    banner = page.locator("#agenda-banner-text")
    expect(banner).to_contain_text("Carla Díaz")
    expect(banner).to_contain_text("11:00")
    expect(event(page, "Luis Gómez")).to_contain_text("09:00")
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).start == at(9)
    shot(page, "conflict")


def test_a_dentist_sees_only_their_own_bookings(new_page: PageFactory, live_server: object, staff: Staff) -> None:
    world = staff.world
    book(world, at(9), professional=world.ana, name="Paciente De Ana")
    book(world, at(10), professional=world.ben, name="Paciente De Ben")
    page = agenda(new_page, live_server, staff, staff.dentist)

    expect(event(page, "Paciente De Ana")).to_be_visible()
    expect(page.locator("#agenda-professional")).to_have_count(0)
    expect(page.get_by_text("Paciente De Ben")).to_have_count(0)
    shot(page, "dentist")


def test_a_booking_made_online_appears_without_a_reload(
    new_page: PageFactory, live_server: object, staff: Staff
) -> None:
    world = staff.world
    page = agenda(new_page, live_server, staff, staff.reception)
    expect(page.locator(".fc-timegrid-event")).to_have_count(0)

    book(world, at(13), professional=world.ben, name="Reserva En Línea")

    expect(event(page, "Reserva En Línea")).to_be_visible(timeout=LIVE_UPDATE_MS)
    shot(page, "live-update")


def test_holds_outcomes_and_other_views_read_well(new_page: PageFactory, live_server: object, staff: Staff) -> None:
    from booking import services
    from tests.conftest import hold, system

    world = staff.world
    attended = book(world, at(8, day=DAY.replace(day=30, month=11)), name="Pablo Gil")
    services.booking_mark(
        tenant_id=world.tenant_id, booking_id=attended.booking_id, outcome="attended", actor=system(world)
    )
    book(world, at(10), professional=world.ben, name="Sofía Mora")
    hold(world, at(12), professional=world.ben)
    page = agenda(new_page, live_server, staff, staff.reception)

    expect(page.locator(".fc-timegrid-event.nq-hold")).to_be_visible()
    expect(page.locator(".fc-timegrid-event.nq-status-attended")).to_contain_text("Pablo Gil")
    link = event(page, "Sofía Mora").locator("xpath=ancestor-or-self::a[1]")
    assert "/agenda/bookings/" in (link.get_attribute("href") or "")
    shot(page, "holds-and-outcomes")
    page.get_by_role("button", name="Mes").click()
    expect(page.locator(".fc-daygrid-event", has_text="Sofía Mora")).to_be_visible()
    shot(page, "month")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#agenda-calendar[data-ready='true'] .fc-timegrid")).to_be_visible()
    shot(page, "phone")


def test_clicking_a_booking_opens_its_details_and_a_no_show_restyles_it(
    new_page: PageFactory, live_server: object, staff: Staff
) -> None:
    """The calendar and the details panel together: the panel loads beside the calendar, marking a
    no-show there (today's appointment) is saved, and the calendar redraws the event without a reload."""
    world = staff.world
    today = NOW.astimezone(world.clinic.zone).date()
    booking = book(world, at(9, day=today), name="Rosa Pardo")
    page = agenda(new_page, live_server, staff, staff.reception)
    page.locator(".fc-timeGridDay-button").click()
    rosa = event(page, "Rosa Pardo")
    expect(rosa).to_be_visible()

    rosa.click()
    panel = page.locator("#agenda-panel #booking-panel")
    expect(panel).to_contain_text("Rosa Pardo")
    expect(panel).to_contain_text(booking.reference)
    expect(page).to_have_url(f"{live_server.url}/c/{world.slug}/agenda/")  # type: ignore[attr-defined]
    shot(page, "details-panel")

    panel.locator("button[name='outcome'][value='no_show']").click()
    expect(panel.locator("button[value='no_show'][aria-pressed='true']")).to_be_visible()
    expect(page.locator(".fc-timegrid-event.nq-status-no_show", has_text="Rosa Pardo")).to_be_visible()
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).status == "no_show"
    shot(page, "details-no-show")
