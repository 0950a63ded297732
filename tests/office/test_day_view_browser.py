"""The day view and a booking's details in a real Chromium against the live server.

A receptionist opens the side-by-side day, opens a booking in the panel beside it and cancels it
with a reason (the day refreshes itself); a Dentist sees only her own column; a no-show is marked
from the details page. Screenshots land in ``test-artifacts/browser/office-*.png``.

Run alone: ``.venv/bin/python -m pytest tests/office/test_day_view_browser.py -q``.
"""

from __future__ import annotations

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from access.models import Membership, Role
from booking import services
from booking.models import BookingStatus
from booking.selectors import booking_get
from clinics import services as clinic_services
from tests.browser import (  # noqa: F401 - fixtures of the browser tests, loaded only here
    DESKTOP,
    PageFactory,
    Shots,
    _allow_async_unsafe,
    browser,
    new_page,
    playwright_driver,
)
from tests.conftest import DAY, NOW, World, at, book, make_user, make_world, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shot = Shots("browser", prefix="office-")
RECEPTION = "reception@clinic-a.example"
DENTIST = "dentist@clinic-a.example"
TABLET = {"width": 1024, "height": 768}
COLORS = ("#2563eb", "#db2777", "#ea580c", "#7c3aed")


@pytest.fixture
def clinic(dynamodb_local: str, ticking: time_machine.Coordinates, transactional_db: None) -> World:
    """Four professionals in their colours, a busy Tuesday, and a receptionist and Dra. Ana's dentist account."""
    world = make_world()
    hours = {d: [("08:00", "13:00"), ("14:00", "18:00")] for d in range(7)}
    extra = [
        clinic_services.professional_create(
            tenant_id=world.tenant_id,
            name=name,
            weekly_hours=hours,
            treatment_ids=[world.cleaning.treatment_id, world.check.treatment_id],
        )
        for name in ("Dra. Carla Ríos", "Dr. Diego Mora")
    ]
    for professional, color in zip([world.ana, world.ben, *extra], COLORS, strict=True):
        professional.color = color
        professional.save()
    patients = iter(
        ["María López", "Juan Pérez", "Sofía Gómez", "Andrés Díaz", "Lucía Herrera", "Camilo Ruiz", "Valentina Castro"]
    )
    for hour, minute, who, treatment in (
        (8, 0, world.ana, world.cleaning),
        (9, 30, world.ana, world.whitening),
        (11, 0, world.ana, world.check),
        (8, 30, world.ben, world.cleaning),
        (10, 0, world.ben, world.check),
        (9, 0, extra[0], world.cleaning),
        (15, 0, extra[1], world.cleaning),
    ):
        book(world, at(hour, minute), professional=who, treatment=treatment, name=next(patients))
    Membership.objects.create(user=make_user(RECEPTION), tenant_id=world.tenant_id, role=Role.RECEPTION)
    Membership.objects.create(
        user=make_user(DENTIST), tenant_id=world.tenant_id, role=Role.DENTIST, professional_id=world.ana.professional_id
    )
    return world


def signed_in(new_page: PageFactory, live_server: object, email: str, *, viewport: dict[str, int] = DESKTOP) -> Page:
    """A page whose browser carries the user's session, reading English."""
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    page = new_page(viewport=viewport)
    url = live_server.url  # type: ignore[attr-defined]
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": url},
        ]
    )
    return page


def day_url(world: World) -> str:
    return reverse("office-agenda-day", args=[world.slug]) + f"?date={DAY.isoformat()}"


def test_reception_cancels_from_the_day_view_with_a_reason(
    clinic: World, new_page: PageFactory, live_server: object
) -> None:
    page = signed_in(new_page, live_server, RECEPTION)
    page.goto(day_url(clinic))
    expect(page.get_by_test_id("column")).to_have_count(4)
    shot(page, "day-reception")

    page.get_by_test_id("booking").filter(has_text="Juan Pérez").click()
    panel = page.locator("#agenda-panel #booking-panel")
    expect(panel.get_by_role("heading", name="Juan Pérez")).to_be_visible()
    expect(page).to_have_url(day_url(clinic))  # the panel opened beside the day, no navigation
    page.get_by_text("Cancel appointment").click()
    panel.get_by_label("Reason").fill("Called: has the flu, will call back")
    expect(panel.get_by_role("link", name="Open as a page")).to_be_visible()
    shot(page, "cancel-form")
    panel.get_by_role("button", name="Cancel the appointment").click()

    expect(panel.get_by_test_id("status")).to_have_text("Cancelled by the clinic")
    expect(panel.get_by_test_id("cancel-reason")).to_have_text("Called: has the flu, will call back")
    expect(panel.get_by_test_id("history")).to_contain_text("Cancelled")
    expect(panel.get_by_test_id("history")).to_contain_text(RECEPTION)
    # The day reloads itself (HX-Trigger: agenda-changed): the booking leaves its column.
    expect(page.get_by_test_id("booking").filter(has_text="Juan Pérez")).to_have_count(0)
    expect(page.get_by_test_id("cancelled")).to_contain_text("1 cancelled appointment this day")
    shot(page, "cancelled")
    cancelled = [b for b in page.get_by_test_id("cancelled").locator("a").all()]
    assert len(cancelled) == 1


def test_a_dentist_sees_only_her_own_column(clinic: World, new_page: PageFactory, live_server: object) -> None:
    page = signed_in(new_page, live_server, DENTIST)
    page.goto(day_url(clinic))

    expect(page.get_by_test_id("column")).to_have_count(1)
    expect(page.get_by_test_id("column-head")).to_contain_text("Dra. Ana")
    expect(page.get_by_test_id("booking")).to_have_count(3)
    expect(page.get_by_text("Andrés Díaz")).to_have_count(0)  # Dr. Ben's patient
    shot(page, "day-dentist")

    page.get_by_test_id("next-day").click()
    expect(page.get_by_test_id("day-title")).to_have_text("Wednesday, December 2, 2026")
    expect(page).to_have_url(reverse("office-agenda-day", args=[clinic.slug]) + "?date=2026-12-02")


def test_the_day_scrolls_sideways_on_a_tablet(clinic: World, new_page: PageFactory, live_server: object) -> None:
    page = signed_in(new_page, live_server, RECEPTION, viewport={"width": 768, "height": 1024})
    page.goto(day_url(clinic))

    scroller = page.get_by_test_id("day-scroll")
    expect(page.get_by_test_id("column")).to_have_count(4)
    overflow = scroller.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 768  # the page itself does not
    scroller.evaluate("el => el.scrollBy(300, 0)")
    shot(page, "day-tablet")

    # The panel sits below the day here: a booking opened is scrolled into view.
    page.get_by_test_id("booking").filter(has_text="Camilo Ruiz").click()
    expect(page.locator("#booking-panel").get_by_role("heading", name="Camilo Ruiz")).to_be_in_viewport()


def test_marking_a_no_show_from_the_details_page(clinic: World, new_page: PageFactory, live_server: object) -> None:
    today = NOW.astimezone(clinic.clinic.zone).date()
    booking = book(clinic, at(9, day=today), professional=clinic.ana, name="Pedro Salas")
    services.booking_note_set(
        tenant_id=clinic.tenant_id,
        booking_id=booking.booking_id,
        note="Second reminder sent by WhatsApp",
        version=booking.version,
        actor=member(clinic, Membership.objects.get(role=Role.RECEPTION).user),
    )
    page = signed_in(new_page, live_server, DENTIST)
    page.goto(reverse("office-booking", args=[clinic.slug, booking.booking_id]))
    expect(page.get_by_role("heading", name="Pedro Salas")).to_be_visible()
    expect(page.get_by_test_id("phone")).to_have_attribute("href", "tel:+573001234567")
    shot(page, "booking-page")

    page.get_by_role("button", name="No-show").click()

    expect(page.get_by_test_id("status")).to_have_text("No-show")
    expect(page.get_by_text("Marked as a no-show.")).to_be_visible()
    expect(page.get_by_test_id("history")).to_contain_text("Marked no-show")
    assert booking_get(tenant_id=clinic.tenant_id, booking_id=booking.booking_id).status == BookingStatus.NO_SHOW
    expect(page.get_by_text("Open as a page")).to_have_count(0)  # it is the page already
    shot(page, "no-show")
