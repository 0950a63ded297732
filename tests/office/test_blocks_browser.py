"""Blocks in a real Chromium (Playwright) against the live server.

An admin tries to block an hour that holds a booking and is refused with the booking listed; a
dentist blocks their own hour weekly and finds the series in the list, then removes one week
from the block's panel (htmx). Screenshots go to ``test-artifacts/blocks/`` for a human to look at.

Run alone: ``.venv/bin/python -m pytest tests/office/test_blocks_browser.py -q``.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Page, expect

from access.models import Membership, Role
from booking.models import Block
from nexioq import dynamo
from tests.booking.helpers import clinic_partition
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
from tests.conftest import DAY, PASSWORD, World, at, book, make_user, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shot = Shots("blocks")
ADMIN_EMAIL = "admin@clinica.example"
DENTIST_EMAIL = "ana@clinica.example"


@pytest.fixture
def browser_world(dynamodb_local: str, ticking: time_machine.Coordinates, transactional_db: None) -> World:
    world = make_world()
    admin = make_user(ADMIN_EMAIL)
    Membership.objects.create(user=admin, tenant_id=world.tenant_id, role=Role.ADMIN)
    dentist = make_user(DENTIST_EMAIL)
    Membership.objects.create(
        user=dentist, tenant_id=world.tenant_id, role=Role.DENTIST, professional_id=world.ana.professional_id
    )
    return world


def sign_in_to(page: Page, url: str, email: str) -> None:
    """The sign-in page comes first, then the page itself."""
    page.goto(url)
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión", exact=True).click()
    path = url.split("?")[0]
    page.wait_for_url(lambda address: urlsplit(address).path == path)


def blocks(world: World) -> list[Block]:
    return list(
        Block.query(
            dynamo.tenant_pk(world.tenant_id),
            Block.sk.between(*dynamo.prefix_range(dynamo.BLOCK_PREFIX)),
            consistent_read=True,
        )
    )


def page_width(page: Page) -> int:
    return int(page.evaluate("Math.max(window.innerWidth, document.documentElement.scrollWidth)"))


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_it_refuses_a_block_over_a_booking_and_lists_it(
    new_page: PageFactory, live_server: object, browser_world: World, size: str
) -> None:
    world = browser_world
    booking = book(world, at(10), name="Marta Ruiz")
    before = clinic_partition(world.tenant_id)
    page = new_page(viewport=MOBILE, mobile=True) if size == "phone" else new_page(viewport=DESKTOP)
    selection = f"?professional={world.ana.professional_id}&date={DAY.isoformat()}&start=09:00"
    sign_in_to(page, reverse("office-block-new", args=[world.slug]) + selection, ADMIN_EMAIL)

    # Prefilled from the calendar's selection: Dra. Ana, the day, 09:00 to 10:00.
    expect(page.locator("#id_professional")).to_have_value(world.ana.professional_id)
    expect(page.locator("#id_date")).to_have_value(DAY.isoformat())
    expect(page.locator("#id_start_time")).to_have_value("09:00")
    page.locator("#id_end_time").fill("11:30")
    page.locator("#id_note").fill("Reunión de equipo")
    shot(page, f"over-booking-{size}-1-form")
    page.locator("#block-form button.btn-primary").click()

    listed = page.locator("#conflicting-bookings")
    expect(listed).to_contain_text("Marta Ruiz")
    expect(listed).to_contain_text("Limpieza")
    expect(listed).to_contain_text(booking.reference)
    expect(listed).to_contain_text("10:00–11:00")  # noqa: RUF001 - the page's en dash
    expect(page.locator("#id_end_time")).to_have_value("11:30")  # the form keeps what was typed
    shot(page, f"over-booking-{size}-2-refused")
    assert clinic_partition(world.tenant_id) == before
    assert page_width(page) <= (MOBILE if size == "phone" else DESKTOP)["width"]


def test_a_dentist_blocks_weekly_sees_the_series_and_removes_one_week(
    new_page: PageFactory, live_server: object, browser_world: World
) -> None:
    world = browser_world
    page = new_page(viewport=DESKTOP)
    sign_in_to(page, reverse("office-block-new", args=[world.slug]), DENTIST_EMAIL)

    expect(page.locator("input[type=hidden][name=professional]")).to_have_value(world.ana.professional_id)
    page.locator("#id_date").fill((DAY + dt.timedelta(days=1)).isoformat())  # Wednesday 2 December
    page.locator("#id_start_time").fill("13:00")
    page.locator("#id_end_time").fill("14:30")
    page.locator("#id_reason").select_option("training")
    page.locator("#id_note").fill("Curso de ortodoncia")
    page.locator("#id_repeat").check()
    page.locator("#id_weeks").fill("3")
    shot(page, "weekly-1-form")
    page.locator("#block-form button.btn-primary").click()

    # The calendar when it exists, else the list; the list either way.
    page.wait_for_load_state()
    page.goto(reverse("office-blocks", args=[world.slug]))
    series = page.locator("#block-series > li")
    expect(series).to_have_count(1)
    expect(series.first).to_contain_text("Curso de ortodoncia")
    expect(series.first.locator("ul > li")).to_have_count(3)
    expect(series.first).to_contain_text("13:00–14:30")  # noqa: RUF001 - the page's en dash
    shot(page, "weekly-2-list")
    assert len(blocks(world)) == 3

    # The block's details (the calendar's side panel uses the same fragment); remove one week.
    series.first.locator("ul > li a").nth(1).click()
    expect(page.locator("#block-panel")).to_contain_text("Curso de ortodoncia")
    shot(page, "weekly-3-details")
    page.locator("#block-panel button[value=occurrence]").click()
    expect(page.locator("#block-panel [role=status]")).to_be_visible()
    shot(page, "weekly-4-removed")
    assert len(blocks(world)) == 2
