"""What a patient sees when the engine refuses, in Chromium: each refusal in the product's layout, in words.

Screenshots land in test-artifacts/browser/refusal-*.png.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import override_settings
from playwright.sync_api import Page, expect

from clinics import services as clinic_services
from clinics.choices import phone_display
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
from tests.conftest import DAY, World, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shot = Shots("browser", prefix="refusal-")


@pytest.fixture
def clinic(dynamodb_local: str, ticking: time_machine.Coordinates, transactional_db: None) -> World:
    return make_world()


def schedule(page: Page, live_server: object, world: World) -> None:
    url = f"{live_server.url}/c/{world.slug}/book/{world.cleaning.treatment_id}/"  # type: ignore[attr-defined]
    page.goto(f"{url}?professional={world.ana.professional_id}&date={DAY.isoformat()}")


def time_button(page: Page, hhmm: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("button", name=re.compile(rf"^\s*{hhmm}\s*$"))


def test_it_says_the_clinic_paused_online_booking(page: Page, live_server: object, clinic: World) -> None:
    schedule(page, live_server, clinic)
    clinic_services.clinic_suspend(tenant_id=clinic.tenant_id)

    with page.expect_response(lambda response: "/hold/" in response.url) as answer:
        time_button(page, "09:00").click()

    assert answer.value.status == 409
    expect(page.get_by_role("heading", level=1)).to_have_text("La reserva en línea está en pausa")
    expect(page.get_by_text(f"Por favor llama a la clínica al {phone_display(clinic.clinic.phone)}")).to_be_visible()
    shot(page, "suspended")
    page.get_by_role("link", name="Volver a la página de reservas de la clínica").click()
    expect(page).to_have_url(f"{live_server.url}/c/{clinic.slug}/")  # type: ignore[attr-defined]


@override_settings(HOLD_RATE_PER_IP="1/10m")
def test_it_says_why_a_visitor_picking_too_often_must_wait(
    new_page: PageFactory, live_server: object, clinic: World
) -> None:
    page = new_page(viewport=MOBILE, mobile=True)
    schedule(page, live_server, clinic)
    time_button(page, "09:00").tap()
    page.wait_for_url(re.compile(r"/hold/[^/]+/$"))
    schedule(page, live_server, clinic)

    with page.expect_response(lambda response: "/hold/" in response.url) as answer:
        time_button(page, "10:00").tap()

    assert answer.value.status == 429
    expect(page.get_by_text("Has elegido muchas horas en poco tiempo")).to_be_visible()
    shot(page, "rate-limited-phone")
    # "Try again" leads back to the times the form was on, not to the form's (POST-only) address.
    page.get_by_role("link", name="Intentar de nuevo").tap()
    expect(time_button(page, "10:00")).to_be_visible()


def test_it_says_a_held_time_is_no_longer_held(page: Page, live_server: object, clinic: World) -> None:
    page.goto(f"{live_server.url}/c/{clinic.slug}/hold/{'0' * 32}/")  # type: ignore[attr-defined]

    expect(page.get_by_role("heading", level=1)).to_have_text("Esta hora ya no está apartada para ti")
    expect(page.get_by_text("Te guardamos una hora unos minutos mientras confirmas")).to_be_visible()
    shot(page, "hold-gone")


def test_it_says_an_unknown_address_does_not_exist_in_english_too(
    page: Page, live_server: object, clinic: World
) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])  # type: ignore[attr-defined]

    page.goto(f"{live_server.url}/c/{clinic.slug}/book/{'x' * 3000}/")  # type: ignore[attr-defined]

    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    shot(page, "not-found-en")
