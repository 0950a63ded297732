"""The panel's closures and settings in a real Chromium (Playwright) against the live server.

An admin closes a booked day and sees the booking listed before anything is saved, then keeps
it or cancels it; with htmx, and with plain forms when JavaScript is off; phone and desktop
sizes. Screenshots go to ``test-artifacts/panel/`` for a human to look at.

Run alone: ``.venv/bin/python -m pytest tests/panel/test_settings_browser.py -q``.
"""

from __future__ import annotations

import pytest
import time_machine
from playwright.sync_api import Page, expect

from access.models import Membership, Role
from booking.models import BookingStatus
from booking.selectors import booking_get
from clinics.selectors import clinic_get
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

shot = Shots("panel")
ADMIN_EMAIL = "admin@clinica.example"


@pytest.fixture
def browser_world(dynamodb_local: str, ticking: time_machine.Coordinates, transactional_db: None) -> World:
    world = make_world()
    admin = make_user(ADMIN_EMAIL)
    Membership.objects.create(user=admin, tenant_id=world.tenant_id, role=Role.ADMIN)
    return world


def sign_in_to(page: Page, url: str) -> None:
    """Open a panel page: the sign-in page comes first, then the page itself."""
    page.goto(url)
    page.get_by_label("Correo electrónico").fill(ADMIN_EMAIL)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión", exact=True).click()
    page.wait_for_url(url)


def closures_url(live_server: object, world: World) -> str:
    return f"{live_server.url}/c/{world.slug}/admin/closures/"  # type: ignore[attr-defined]


def page_width(page: Page) -> int:
    return int(page.evaluate("Math.max(window.innerWidth, document.documentElement.scrollWidth)"))


def close_the_booked_day(page: Page, name: str) -> None:
    page.get_by_label("Desde", exact=True).fill(DAY.isoformat())
    page.get_by_label("Motivo", exact=True).fill("Fumigación")
    shot(page, f"{name}-1-form")
    page.get_by_role("button", name="Agregar cierre", exact=True).click()
    expect(page.get_by_role("heading", name="Este cierre cubre 1 cita")).to_be_visible()
    listed = page.locator("#affected-bookings")
    expect(listed).to_contain_text("Marta Ruiz")
    expect(listed).to_contain_text("Limpieza")
    expect(listed).to_contain_text("Dra. Ana")
    expect(listed).to_contain_text("09:00–10:00")  # noqa: RUF001 - the page's en dash
    shot(page, f"{name}-2-affected")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_it_lists_the_booking_and_keeps_it(
    new_page: PageFactory, live_server: object, browser_world: World, size: str
) -> None:
    world = browser_world
    booking = book(world, at(9), name="Marta Ruiz")
    page = new_page(viewport=MOBILE, mobile=True) if size == "phone" else new_page(viewport=DESKTOP)
    sign_in_to(page, closures_url(live_server, world))
    expect(page.get_by_role("heading", name="Cierres", level=1)).to_be_visible()

    close_the_booked_day(page, f"keep-{size}")
    assert clinic_get(tenant_id=world.tenant_id).closures == []  # nothing saved before deciding
    page.get_by_label("Mantenerlas").check()
    page.get_by_role("button", name="Agregar el cierre", exact=True).click()

    expect(page.get_by_role("status").filter(has_text="Cierre agregado")).to_contain_text("Se mantuvo 1 cita")
    expect(page.get_by_text("Fumigación")).to_be_visible()
    shot(page, f"keep-{size}-3-done")
    assert len(clinic_get(tenant_id=world.tenant_id).closures) == 1
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).status == BookingStatus.CONFIRMED
    assert page_width(page) <= (MOBILE if size == "phone" else DESKTOP)["width"]


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_it_cancels_the_booking_with_a_reason(
    new_page: PageFactory, live_server: object, browser_world: World, javascript: bool
) -> None:
    world = browser_world
    booking = book(world, at(9), name="Marta Ruiz")
    page = new_page(viewport=MOBILE, mobile=True, javascript=javascript)
    name = "cancel-" + ("htmx" if javascript else "no-js")
    sign_in_to(page, closures_url(live_server, world))

    close_the_booked_day(page, name)
    page.get_by_label("Cancelarlas").check()
    page.get_by_role("button", name="Agregar el cierre", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Cuéntales a los pacientes")  # a reason is required
    shot(page, f"{name}-3-reason-missing")
    page.get_by_label("Motivo que verán los pacientes (si cancelas)").fill("Fumigación de la clínica")
    page.get_by_role("button", name="Agregar el cierre", exact=True).click()

    expect(page.get_by_role("status").filter(has_text="Cierre agregado")).to_contain_text("Se canceló 1 cita")
    shot(page, f"{name}-4-done")
    stored = booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert (stored.status, stored.cancel_reason) == (BookingStatus.CANCELLED, "Fumigación de la clínica")


def test_it_saves_the_settings_and_shows_a_bad_phone_on_its_field(
    new_page: PageFactory, live_server: object, browser_world: World
) -> None:
    world = browser_world
    page = new_page(viewport=DESKTOP)
    url = f"{live_server.url}/c/{world.slug}/admin/settings/"  # type: ignore[attr-defined]
    sign_in_to(page, url)
    shot(page, "settings-desktop-1")

    page.get_by_label("Teléfono").fill("llámanos")
    page.get_by_role("button", name="Guardar configuración").click()
    expect(page.get_by_text("Escribe un número de teléfono al que se pueda llamar")).to_be_visible()
    shot(page, "settings-desktop-2-bad-phone")
    page.get_by_label("Teléfono").fill("601 555 0177")
    page.get_by_label("Recordatorios antes de la cita").fill("48 h, 1 h")
    page.get_by_role("button", name="Guardar configuración").click()

    expect(page.get_by_role("status").filter(has_text="Configuración guardada.")).to_be_visible()
    stored = clinic_get(tenant_id=world.tenant_id)
    assert (stored.phone, list(stored.reminder_offsets)) == ("+576015550177", [2880, 60])
    phone = new_page(viewport=MOBILE, mobile=True)
    sign_in_to(phone, url)
    shot(phone, "settings-phone")
    assert page_width(phone) <= MOBILE["width"]


def test_the_platform_owner_suspends_a_clinic_after_confirming(
    new_page: PageFactory, live_server: object, browser_world: World
) -> None:
    world = browser_world
    make_user("owner@nexioq.example", staff=True)
    page = new_page(viewport=DESKTOP)
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/admin/clinics/clinic/?q={world.slug}")
    page.locator("#id_username").fill("owner@nexioq.example")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator(".clinic-status--active")).to_have_text("Activa")
    shot(page, "admin-1-list")
    page.goto(f"{base}/admin/clinics/clinic/add/")
    expect(page.get_by_label("Correo del primer administrador")).to_be_visible()
    shot(page, "admin-0-add-form")
    page.goto(f"{base}/admin/clinics/clinic/?q={world.slug}")

    page.get_by_role("link", name="Suspender…").click()
    expect(page.get_by_text("¿Suspender la reserva en línea de “Clínica Prueba”")).to_be_visible()
    shot(page, "admin-2-confirm")
    assert clinic_get(tenant_id=world.tenant_id).suspended is False  # asking suspends nothing
    page.get_by_role("button", name="Sí, suspenderla").click()

    expect(page.locator(".clinic-status--suspended")).to_have_text("Suspendida")
    shot(page, "admin-3-suspended")
    assert clinic_get(tenant_id=world.tenant_id).suspended is True


def test_a_new_time_zone_lists_the_bookings_it_moves_out_of_hours(
    new_page: PageFactory, live_server: object, browser_world: World
) -> None:
    world = browser_world
    book(world, at(15), name="Marta Ruiz")  # 21:00 in Madrid: after the 07:00-20:00 hours
    page = new_page(viewport=MOBILE, mobile=True)
    sign_in_to(page, f"{live_server.url}/c/{world.slug}/admin/settings/")  # type: ignore[attr-defined]

    page.get_by_label("Zona horaria").select_option("Europe/Madrid")
    page.get_by_role("button", name="Guardar configuración").click()
    expect(page.locator("#affected-bookings")).to_contain_text("Marta Ruiz")
    shot(page, "time-zone-phone-1-affected")
    assert clinic_get(tenant_id=world.tenant_id).time_zone == "America/Bogota"
    page.get_by_role("button", name="Guardar y mantener estas citas").click()

    expect(page.get_by_role("status").filter(has_text="Configuración guardada.")).to_be_visible()
    assert clinic_get(tenant_id=world.tenant_id).time_zone == "Europe/Madrid"
