"""Reception in a real Chromium against the live server: a phone patient and a walk-in.

The receptionist finds nobody, adds the patient, picks a time in the wizard's picker and books;
then a walk-in is seen now by the first free professional. Screenshots land in
``test-artifacts/browser/reception-*.png``; look at them.

Run alone: ``.venv/bin/python -m pytest tests/office/test_reception_browser.py -q``.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from access.models import Membership, Role
from booking.patients import patient_record_create
from tests.booking.helpers import clinic_bookings
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
from tests.conftest import World, at, book, make_user, make_world, system

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shot = Shots("browser", prefix="reception-")
RECEPTION_EMAIL = "reception@clinic-a.example"


@pytest.fixture
def desk(dynamodb_local: str, ticking: time_machine.Coordinates, transactional_db: None) -> World:
    world = make_world()
    Membership.objects.create(user=make_user(RECEPTION_EMAIL), tenant_id=world.tenant_id, role=Role.RECEPTION)
    return world


def signed_in(new_page: PageFactory, live_server: object, *, phone: bool = False) -> Page:
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=RECEPTION_EMAIL))
    page = new_page(viewport=MOBILE if phone else DESKTOP, mobile=phone)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,  # type: ignore[attr-defined]
            }
        ]
    )
    return page


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_reception_books_a_phone_patient(phone: bool, new_page: PageFactory, live_server: object, desk: World) -> None:
    world = desk
    patient_record_create(tenant_id=world.tenant_id, name="Luis Gómez", phone="311 555 9876", actor=system(world))
    book(world, at(9), professional=world.ana)  # Dra. Ana is busy at 09:00
    page = signed_in(new_page, live_server, phone=phone)
    name = "desktop" if not phone else "phone"

    page.goto(f"{live_server.url}/c/{world.slug}/patients/")  # type: ignore[attr-defined]
    page.get_by_role("searchbox").fill("gomez")
    expect(page.get_by_test_id("patient-result")).to_have_count(1)
    expect(page.get_by_test_id("patient-result")).to_contain_text("Luis Gómez")
    page.get_by_role("searchbox").fill("Marí")
    expect(page.get_by_role("status")).to_contain_text("Marí")
    shot(page, f"{name}-1-search")

    page.locator("#id_name").fill("María Fernández")
    page.locator("#id_phone").fill("3007654321")
    page.locator("#id_email").fill("maria@example.com")
    page.locator("#new-patient").get_by_role("button").click()
    page.wait_for_url(re.compile(r"/patients/[0-9a-f]+/book/$"))
    expect(page.get_by_test_id("patient-card")).to_contain_text("María Fernández")
    shot(page, f"{name}-2-treatment")

    page.get_by_role("link", name=re.compile("Limpieza")).click()
    page.wait_for_url(re.compile(r"/book/[0-9a-f]+/"))
    page.get_by_role("radio", name="Dra. Ana").check()  # htmx reloads the times for her
    page.wait_for_url(re.compile(rf"professional={world.ana.professional_id}"))
    page.locator("#times a[href*='date=2026-12-01']").first.click()  # Tuesday, in the day strip
    page.wait_for_url(re.compile(r"date=2026-12-01"))
    expect(page.locator("#times")).to_contain_text("08:00")
    expect(page.locator("#times button", has_text="09:00")).to_have_count(0)  # taken
    shot(page, f"{name}-3-picker")

    page.locator("#times button", has_text="10:00").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("status").first).to_contain_text("María Fernández")
    shot(page, f"{name}-4-booked")
    [mine] = [b for b in clinic_bookings(world) if b.patient_name == "María Fernández"]
    assert (mine.start, mine.professional_id, mine.channel) == (at(10), world.ana.professional_id, "phone")


def test_a_taken_time_is_shown_in_place(new_page: PageFactory, live_server: object, desk: World) -> None:
    world = desk
    record = patient_record_create(
        tenant_id=world.tenant_id, name="Luis Gómez", phone="311 555 9876", actor=system(world)
    ).record
    assert record is not None
    page = signed_in(new_page, live_server)
    page.goto(
        f"{live_server.url}/c/{world.slug}/patients/{record.record_id}/book/{world.cleaning.treatment_id}/"  # type: ignore[attr-defined]
        f"?professional={world.ana.professional_id}&date=2026-12-01"
    )
    book(world, at(11), professional=world.ana)  # taken by someone else while reception looks

    page.locator("#times button", has_text="11:00").first.click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#times")).to_contain_text("12:00")
    shot(page, "conflict")
    assert all(b.patient_record_id != record.record_id for b in clinic_bookings(world))


def test_a_walk_in_is_seen_now(new_page: PageFactory, live_server: object, desk: World) -> None:
    world = desk
    page = signed_in(new_page, live_server)

    page.goto(f"{live_server.url}/c/{world.slug}/patients/walk-in/")  # type: ignore[attr-defined]
    shot(page, "walk-in-1-find")
    page.locator("#id_name").fill("Pedro Páramo")
    page.locator("#id_phone").fill("310 555 1234")
    page.locator("#new-patient").get_by_role("button").click()
    page.wait_for_url(re.compile(r"/walk-in/\?record="))
    page.get_by_role("radio", name=re.compile("Control")).check()
    expect(page.get_by_test_id("walk-in-now")).to_be_visible()
    shot(page, "walk-in-2-now")

    page.get_by_role("button", name=re.compile("now|ahora", re.I)).click()
    page.wait_for_load_state()
    expect(page.get_by_role("status").first).to_contain_text("Pedro Páramo")
    shot(page, "walk-in-3-booked")
    [mine] = clinic_bookings(world)
    assert mine.channel == "walk_in" and mine.patient_name == "Pedro Páramo"
