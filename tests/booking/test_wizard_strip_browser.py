"""Step 2's day strip in a real Chromium: it opens on the first free day and marks closed and full days.

The clinic is closed today (Monday 30 November 2026, a holiday) and on Sunday; on Wednesday both
professionals work only 07:00-09:00 and both hours are booked. Screenshots land in
``test-artifacts/browser/strip-*.png``.

Run alone: ``.venv/bin/python -m pytest tests/booking/test_wizard_strip_browser.py -q``.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from playwright.sync_api import Locator, Page, expect

from clinics import services as clinic_services
from clinics.selectors import clinic_get
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
from tests.conftest import BOGOTA, World, at, book, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shot = Shots("browser", prefix="strip-")
WEDNESDAY = dt.date(2026, 12, 2)


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=BOGOTA)


@pytest.fixture
def clinic(dynamodb_local: str, ticking: time_machine.Coordinates, transactional_db: None) -> World:
    world = make_world()
    tenant = world.tenant_id
    for day, reason in ((dt.date(2026, 11, 30), "Festivo"), (dt.date(2026, 12, 6), "Domingo")):
        clinic_services.clinic_closure_add(
            tenant_id=tenant,
            version=clinic_get(tenant_id=tenant).version,
            start=midnight(day),
            end=midnight(day + dt.timedelta(days=1)),
            reason=reason,
        )
    for professional in (world.ana, world.ben):
        clinic_services.professional_time_off_add(
            tenant_id=tenant,
            professional_id=professional.professional_id,
            start=at(9, day=WEDNESDAY),
            end=midnight(WEDNESDAY + dt.timedelta(days=1)),
        )
        for hour in (7, 8):
            book(world, at(hour, day=WEDNESDAY), professional=professional)
    return world


def shot_strip(page: Page, name: str) -> None:
    """The top of the times card (heading, strip, legend), close up."""
    box = page.locator("#times").bounding_box()
    assert box is not None
    scrolled = float(page.evaluate("window.scrollY"))
    clip = {"x": box["x"], "y": box["y"] + scrolled, "width": box["width"], "height": min(box["height"], 300)}
    page.screenshot(path=shot.path(f"{name}-detail"), clip=clip, full_page=True)  # type: ignore[arg-type]


def schedule_url(live_server: object, world: World) -> str:
    return f"{live_server.url}/c/{world.slug}/book/{world.cleaning.treatment_id}/"  # type: ignore[attr-defined]


def chip(page: Page, day: str) -> Locator:
    return page.get_by_role("list", name="Días").locator(f'a[href*="date={day}"]')


def swapping_times(page: Page, action: object) -> None:
    """Run an action that makes htmx replace #times, and wait until the new one is in."""
    page.locator("#times").evaluate("element => { element.dataset.stale = 'yes' }")
    action()  # type: ignore[operator]
    expect(page.locator("#times[data-stale]")).to_have_count(0)
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping")).to_have_count(0)


def expect_strip(page: Page) -> None:
    """Opened on Tuesday, the first free day; the holiday and Sunday closed, Wednesday full."""
    expect(page.locator("#times h2")).to_have_text("Martes, 1 de diciembre de 2026")
    expect(chip(page, "2026-12-01")).to_have_attribute("aria-current", "date")
    expect(page.locator("#times").get_by_role("button", name="07:00", exact=True)).to_be_visible()
    for day in ("2026-11-30", "2026-12-06"):
        expect(chip(page, day)).to_have_attribute("title", "Cerrado")
        expect(chip(page, day)).to_have_attribute("aria-label", re.compile(r": Cerrado$"))
    expect(chip(page, "2026-12-02")).to_have_attribute("title", "Completo")
    expect(page.get_by_role("link", name="miércoles, 2 de diciembre de 2026: Completo")).to_be_visible()
    expect(page.get_by_role("link", name="jueves, 3 de diciembre de 2026: Con horas libres")).to_be_visible()


def test_it_opens_on_the_first_free_day_on_a_desktop(page: Page, live_server: object, clinic: World) -> None:
    page.goto(schedule_url(live_server, clinic))

    expect_strip(page)
    shot(page, "desktop")

    swapping_times(page, chip(page, "2026-12-02").click)
    expect(page).to_have_url(re.compile(r"\?professional=any&date=2026-12-02$"))
    expect(page.get_by_text("Completo: todas las horas de este día ya están reservadas.")).to_be_visible()
    expect(page.locator("#times").get_by_role("button", name=re.compile(r"^\d\d:\d\d$"))).to_have_count(0)
    shot(page, "desktop-full-day")

    swapping_times(page, page.get_by_role("link", name="Ver el próximo día con horas libres").click)
    expect(page.locator("#times h2")).to_have_text("Jueves, 3 de diciembre de 2026")
    expect(page.get_by_label("Fecha", exact=True)).to_have_value("2026-12-03")


def test_it_opens_on_the_first_free_day_on_a_phone(new_page: PageFactory, live_server: object, clinic: World) -> None:
    page = new_page(viewport=MOBILE, mobile=True)
    page.goto(schedule_url(live_server, clinic))

    expect_strip(page)
    assert int(page.evaluate("document.documentElement.scrollWidth")) == MOBILE["width"]
    shot(page, "phone")
    shot_strip(page, "phone")

    chip(page, "2026-11-30").tap()
    expect(page.get_by_text("Cerrado: este día nadie atiende este tratamiento.")).to_be_visible()
    shot(page, "phone-closed-day")
    shot_strip(page, "phone-closed-day")


def test_it_opens_on_the_first_free_day_without_javascript(
    new_page: PageFactory, live_server: object, clinic: World
) -> None:
    page = new_page(javascript=False)
    page.goto(schedule_url(live_server, clinic))
    expect_strip(page)

    chip(page, "2026-11-30").click()  # a plain link: the closed day is still there to read
    page.wait_for_url(re.compile(r"date=2026-11-30$"))
    expect(page.get_by_text("Cerrado: este día nadie atiende este tratamiento.")).to_be_visible()
    page.get_by_role("link", name="Ver el próximo día con horas libres").click()
    page.wait_for_url(re.compile(r"from=2026-12-01$"))
    expect(page.locator("#times h2")).to_have_text("Martes, 1 de diciembre de 2026")


def test_it_says_when_nothing_is_free_with_the_phone(new_page: PageFactory, live_server: object, clinic: World) -> None:
    clinic_services.clinic_closure_add(
        tenant_id=clinic.tenant_id,
        version=clinic_get(tenant_id=clinic.tenant_id).version,
        start=midnight(dt.date(2026, 11, 30)),
        end=midnight(dt.date(2027, 2, 1)),
        reason="Remodelación",
    )
    page = new_page(viewport=MOBILE, mobile=True)
    page.goto(schedule_url(live_server, clinic))

    expect(page.get_by_text("No hay horas libres en línea hasta el viernes, 29 de enero de 2027.")).to_be_visible()
    expect(page.locator("#times").get_by_role("link", name="+57 601 5550100")).to_have_attribute(
        "href", "tel:+576015550100"
    )
    shot(page, "phone-nothing-free")
