"""Reports in a real Chromium: the figures page, and the printable day printed to PDF.

The PDF is Chromium's own print (``page.pdf()``, print media): one page per professional, with
their patients, and none of the screen's navigation. Screenshots and the PDF land in
``test-artifacts/browser/reports-*``.

Run alone: ``.venv/bin/python -m pytest tests/office/test_reports_browser.py -q``.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from access.models import Membership, Role
from booking import services
from booking.models import BookingStatus
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
from tests.conftest import DAY, World, at, book, make_user, make_world, system

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shot = Shots("browser", prefix="reports-")
ADMIN_EMAIL = "admin@clinic-a.example"
ANAS_PATIENTS = ["Lucía Fernández", "Mateo Rojas", "Camila Ortiz", "Santiago Peña", "Isabella Cruz", "Tomás Vega"]
BENS_PATIENTS = ["Valentina Díaz", "Sebastián Mora", "Mariana López"]


@pytest.fixture
def busy_world(dynamodb_local: str, ticking: time_machine.Coordinates, transactional_db: None) -> World:
    """A Tuesday with six patients for Dra. Ana and three for Dr. Ben, some marked, one cancelled."""
    world = make_world()
    Membership.objects.create(user=make_user(ADMIN_EMAIL), tenant_id=world.tenant_id, role=Role.ADMIN)
    treatments = [world.cleaning, world.check, world.whitening]
    made = []
    for i, name in enumerate(ANAS_PATIENTS):
        made.append(book(world, at(8 + i), professional=world.ana, treatment=treatments[i % 3], name=name))
    for i, name in enumerate(BENS_PATIENTS):
        made.append(book(world, at(9 + 2 * i), professional=world.ben, treatment=treatments[i % 3], name=name))
    noted = made[1]
    noted.internal_note = "Alérgica a la penicilina; prefiere que la llamen al móvil."
    noted.channel = "phone"
    noted.save()
    after = at(21)
    for booking, outcome in ((made[0], BookingStatus.ATTENDED), (made[2], BookingStatus.NO_SHOW)):
        services.booking_mark(
            tenant_id=world.tenant_id, booking_id=booking.booking_id, outcome=outcome, actor=system(world), now=after
        )
    cancelled = book(world, at(18), professional=world.ben, name="Paciente Cancelado")
    services.booking_cancel(tenant_id=world.tenant_id, booking_id=cancelled.booking_id, actor=system(world))
    return world


def signed_in(new_page: PageFactory, live_server: object, *, phone: bool = False) -> Page:
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=ADMIN_EMAIL))
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


def test_the_printable_day_prints_one_a4_page_per_professional(
    new_page: PageFactory, live_server: object, busy_world: World
) -> None:
    world = busy_world
    page = signed_in(new_page, live_server)
    page.goto(f"{live_server.url}/c/{world.slug}/reports/day/?date={DAY.isoformat()}")  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", name="Dra. Ana")).to_be_visible()
    shot(page, "day-screen")

    pdf_path = shot.path("day", suffix=".pdf")
    page.pdf(path=pdf_path, prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="print")
    shot(page, "day-print")

    reader = PdfReader(pdf_path)
    # Words only: a long name may wrap in its column.
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    assert len(texts) == 2, texts  # Dr. Ben, then Dra. Ana, each on their own page
    ben, ana = texts
    assert "Dr. Ben" in ben and "Dra. Ana" not in ben
    assert "Dra. Ana" in ana and "Dr. Ben" not in ana
    assert all(name in ben for name in BENS_PATIENTS)
    assert all(name in ana for name in ANAS_PATIENTS)
    assert "Paciente Cancelado" not in ben  # nobody is coming
    assert "Alérgica a la penicilina" in ana
    assert "08:00" in ana  # the clinic's wall clock
    for screen_only in ("Cerrar sesión", "Imprimir", "Página de reservas", "Informes"):
        assert screen_only not in ben + ana
    # A4 in points, whatever the browser's default paper.
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_figures_page_reads_well(
    phone: bool, new_page: PageFactory, live_server: object, busy_world: World
) -> None:
    world = busy_world
    page = signed_in(new_page, live_server, phone=phone)
    first, last = DAY - dt.timedelta(days=6), DAY + dt.timedelta(days=6)
    page.goto(f"{live_server.url}/c/{world.slug}/reports/?from={first}&to={last}")  # type: ignore[attr-defined]

    expect(page.get_by_role("heading", name="Informes")).to_be_visible()
    expect(page.get_by_role("heading", name="Por profesional")).to_be_visible()
    row = page.get_by_role("row", name="Dra. Ana")
    expect(row).to_contain_text("50,0 %")  # 1 no-show of 2 marked
    shot(page, f"figures-{'phone' if phone else 'desktop'}")

    # The period form goes where it says, and a reversed period is explained, not failed.
    page.get_by_label("Desde").fill("2026-12-10")
    page.get_by_label("Hasta").fill("2026-12-01")
    page.get_by_role("button", name="Mostrar").click()
    expect(page.get_by_role("alert")).to_contain_text("La fecha final es anterior a la inicial.")
