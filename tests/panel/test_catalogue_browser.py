"""The panel's catalogue in a real Chromium against the live server, at desktop and phone size.

An admin creates a treatment and a professional with split hours (a break at midday, the second
range added with "Add a range"), and the booking wizard then offers exactly those times.
Screenshots land in ``test-artifacts/browser/panel-*.png``.

Run alone: ``.venv/bin/python -m pytest tests/panel/test_catalogue_browser.py -q``.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from access.models import Membership, Role
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
from tests.conftest import World, make_user, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shot = Shots("browser", prefix="panel-")
ADMIN_EMAIL = "admin@clinic-a.example"
# Tuesday 1 December 2026: 09:00-13:00 and 15:00-18:00, a 60-minute treatment on the 15-minute grid.
EXPECTED_TIMES = [f"{h:02d}:{m:02d}" for h in range(9, 13) for m in (0, 15, 30, 45) if (h, m) <= (12, 0)] + [
    f"{h:02d}:{m:02d}" for h in range(15, 18) for m in (0, 15, 30, 45) if (h, m) <= (17, 0)
]


@pytest.fixture
def admin_world(dynamodb_local: str, ticking: time_machine.Coordinates, transactional_db: None) -> World:
    world = make_world()
    Membership.objects.create(user=make_user(ADMIN_EMAIL), tenant_id=world.tenant_id, role=Role.ADMIN)
    return world


def signed_in(new_page: PageFactory, live_server: object, *, phone: bool, javascript: bool = True) -> Page:
    """A page whose browser carries the admin's session (made by the test client, as force_login does)."""
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=ADMIN_EMAIL))
    page = new_page(viewport=MOBILE if phone else DESKTOP, mobile=phone, javascript=javascript)
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


def page_width(page: Page) -> int:
    return int(page.evaluate("Math.max(window.innerWidth, document.documentElement.scrollWidth)"))


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_an_admin_sets_up_split_hours_and_the_wizard_offers_exactly_them(
    phone: bool, new_page: PageFactory, live_server: object, admin_world: World
) -> None:
    world = admin_world
    size = "phone" if phone else "desktop"
    page = signed_in(new_page, live_server, phone=phone)
    base = f"{live_server.url}/c/{world.slug}"  # type: ignore[attr-defined]

    page.goto(f"{base}/admin/")
    expect(page.get_by_role("heading", name="Resumen")).to_be_visible()
    if phone:
        assert page_width(page) == MOBILE["width"]
    shot(page, f"{size}-home")

    # A treatment nobody performs yet.
    page.get_by_role("navigation", name="Administración de la clínica").get_by_role("link", name="Tratamientos").click()
    page.get_by_role("link", name="Nuevo tratamiento").click()
    page.get_by_label("Nombre").fill("Implante")
    page.get_by_label("Duración (minutos)").fill("60")
    page.get_by_label("Precio").fill("300000")
    expect(page.get_by_text("(COP)")).to_be_visible()
    shot(page, f"{size}-treatment-form")
    page.get_by_role("button", name="Guardar").click()
    page.wait_for_url(re.compile(r"/admin/treatments/$"))
    expect(page.get_by_text("Tratamiento «Implante» agregado.")).to_be_visible()
    expect(page.get_by_text("Nadie lo realiza todavía")).to_be_visible()
    shot(page, f"{size}-treatments")

    # A professional who performs it on Tuesdays, with a break at midday.
    page.get_by_role("navigation", name="Administración de la clínica").get_by_role(
        "link", name="Profesionales"
    ).click()
    page.get_by_role("link", name="Nuevo profesional").click()
    page.get_by_label("Nombre").fill("Dra. Carla")
    page.get_by_label("Implante").check()
    page.locator('[name="h-1-0-start"]').fill("09:00")
    page.locator('[name="h-1-0-end"]').fill("13:00")
    page.locator("#day-1").get_by_role("button", name=re.compile("Agregar un rango")).click()
    expect(page.locator('[name="h-1-1-start"]')).to_be_visible()
    page.locator('[name="h-1-1-start"]').fill("15:00")
    page.locator('[name="h-1-1-end"]').fill("18:00")
    expect(page.locator('[name="h-1-0-end"]')).to_have_value("13:00")  # the swap kept what was typed
    shot(page, f"{size}-professional-form")
    page.locator("#day-1").screenshot(path=shot.path(f"{size}-hours-tuesday"))
    page.get_by_role("button", name="Guardar", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/professionals/$"))
    expect(page.get_by_text("09:00\N{EN DASH}13:00, 15:00\N{EN DASH}18:00")).to_be_visible()
    if phone:
        assert page_width(page) == MOBILE["width"]
    shot(page, f"{size}-professionals")

    page.get_by_role("navigation", name="Administración de la clínica").get_by_role("link", name="Resumen").click()
    shot(page, f"{size}-home-after")

    # The wizard offers exactly the new hours, Tuesday.
    page.goto(f"{base}/")
    page.get_by_role("link", name=re.compile("Implante")).click()
    page.wait_for_url(re.compile(r"/book/[^/]+/"))
    page.goto(page.url.split("?")[0] + "?professional=any&date=2026-12-01")
    times = page.locator("#times ul button.time-button")
    expect(times.first).to_be_visible()
    assert [t.strip() for t in times.all_inner_texts()] == EXPECTED_TIMES
    shot(page, f"{size}-wizard-times")


def test_several_ranges_a_day_work_without_javascript(
    new_page: PageFactory, live_server: object, admin_world: World
) -> None:
    world = admin_world
    page = signed_in(new_page, live_server, phone=False, javascript=False)
    page.goto(f"{live_server.url}/c/{world.slug}/admin/professionals/{world.ana.professional_id}/")  # type: ignore[attr-defined]
    expect(page.locator('[name="h-1-1-start"]')).to_be_visible()  # the stored range and one empty row
    expect(page.locator('[name="h-1-2-start"]')).to_have_count(0)

    page.locator("#day-1").get_by_role("button", name=re.compile("Agregar un rango")).click()

    expect(page.locator('[name="h-1-2-start"]')).to_be_visible()
    shot(page, "nojs-professional-add-range")
    page.locator('[name="h-1-0-end"]').fill("12:00")
    page.locator('[name="h-1-1-start"]').fill("11:00")
    page.locator('[name="h-1-1-end"]').fill("14:00")
    page.get_by_role("button", name="Guardar", exact=True).click()
    expect(page.locator("#day-1")).to_contain_text("Este rango se cruza con otro rango del mismo día.")
    shot(page, "nojs-professional-overlap")


def test_deactivating_a_professional_lists_their_bookings_first(
    new_page: PageFactory, live_server: object, admin_world: World
) -> None:
    from booking.models import BookingStatus
    from booking.selectors import booking_get
    from tests.conftest import at, book

    world = admin_world
    booking = book(world, at(9), name="Marta Ruiz")
    page = signed_in(new_page, live_server, phone=True)
    page.goto(f"{live_server.url}/c/{world.slug}/admin/professionals/")  # type: ignore[attr-defined]

    page.get_by_role("button", name="Desactivar Dra. Ana").click()
    expect(page.get_by_role("heading", name="Desactivar a Dra. Ana")).to_be_visible()
    expect(page.get_by_role("list", name="Citas fuera de los nuevos horarios")).to_contain_text("Marta Ruiz")
    expect(page.get_by_role("list", name="Citas fuera de los nuevos horarios")).to_contain_text("09:00")
    assert page_width(page) == MOBILE["width"]
    shot(page, "phone-orphans")
    page.get_by_label("Mantenerlas: siguen reservadas").check()
    page.get_by_role("button", name="Guardar el cambio").click()

    page.wait_for_url(re.compile(r"/admin/professionals/$"))
    expect(page.get_by_text("Dra. Ana ya no se ofrece en línea.")).to_be_visible()
    shot(page, "phone-professionals-after-deactivation")
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).status == BookingStatus.CONFIRMED
