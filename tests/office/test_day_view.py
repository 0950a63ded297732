"""The side-by-side day view: columns, placement by time, shading, who sees which column, and its cost."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from booking import services
from booking.models import Block
from clinics import services as clinic_services
from clinics.models import TimeRange, WorkRange
from nexioq import dynamo
from office.day import PX_PER_MINUTE, agenda_day
from tests.conftest import DAY, NOW, People, World, anonymous, at, book, hold, member

pytestmark = pytest.mark.django_db


def client_of(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def day_url(world: World, **query: str) -> str:
    url = reverse("office-agenda-day", args=[world.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def block(world: World, start: dt.datetime, end: dt.datetime, *, reason: str = "meeting", note: str = "") -> Block:
    """A block as the blocks service stores it: an entry of the clinic's agenda (its cells do not matter here)."""
    block_id = uuid.uuid4().hex
    item = Block(
        dynamo.tenant_pk(world.tenant_id),
        dynamo.block_sk(block_id),
        tenant_id=world.tenant_id,
        block_id=block_id,
        series_id=block_id,
        occurrence_id=block_id,
        professional_id=world.ben.professional_id,
        professional_name=world.ben.name,
        reason=reason,
        note=note,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end,
        created_at=NOW,
        clinic_agenda_pk=dynamo.clinic_agenda_pk(world.tenant_id),
        clinic_agenda_sk=dynamo.agenda_sk(start, block_id),
    )
    item.save()
    return item


def columns(html: str) -> list[str]:
    return re.findall(r'data-testid="column" data-professional="([^"]+)"', html)


def test_it_shows_every_professional_side_by_side_for_whole_clinic_staff(world: World, people: People) -> None:
    ana_booking = book(world, at(9), professional=world.ana, name="Paciente Ana")
    ben_booking = book(world, at(10, 30), professional=world.ben, name="Paciente Ben", treatment=world.check)

    for user in (people.admin, people.reception, people.owner):
        response = client_of(user).get(day_url(world, date="2026-12-01"))
        assert response.status_code == 200
        html = response.content.decode()
        assert columns(html) == [world.ben.professional_id, world.ana.professional_id]  # by name: Ben, Ana
        assert "Tuesday, December 1, 2026" in html
        for booking in (ana_booking, ben_booking):
            link = reverse("office-booking", args=[world.slug, booking.booking_id])
            assert f'href="{link}" hx-get="{link}" hx-target="#agenda-panel"' in html
        assert "Paciente Ana" in html and "Paciente Ben" in html and "Control" in html


def test_it_positions_with_css_numbers_in_spanish_too(world: World, people: People) -> None:
    book(world, at(9, 15), professional=world.ana, treatment=world.check)
    client = client_of(people.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    html = client.get(day_url(world, date="2026-12-01")).content.decode()

    assert "martes, 1 de diciembre de 2026".capitalize() in html
    assert f"top: {135 * PX_PER_MINUTE}px" in html  # 216.0, never "216,0"
    assert not re.search(r"\d,\d+px|\d,\d+%", html)


def test_it_shows_a_dentist_only_their_own_column(world: World, people: People) -> None:
    book(world, at(9), professional=world.ana, name="Paciente Ana")
    book(world, at(9), professional=world.ben, name="Paciente Ben")

    response = client_of(people.dentist).get(day_url(world, date="2026-12-01"))

    html = response.content.decode()
    assert response.status_code == 200
    assert columns(html) == [world.ana.professional_id]
    assert "Paciente Ana" in html
    assert "Paciente Ben" not in html
    assert "All professionals" not in html  # no filter to pick others
    forbidden = client_of(people.dentist).get(day_url(world, date="2026-12-01", professional=world.ben.professional_id))
    assert forbidden.status_code == 403


def test_it_filters_on_one_professional(world: World, people: People) -> None:
    response = client_of(people.admin).get(day_url(world, date="2026-12-01", professional=world.ana.professional_id))

    assert columns(response.content.decode()) == [world.ana.professional_id]
    assert "professional=" + world.ana.professional_id in response.content.decode()  # prev/next keep the filter


def test_it_places_entries_by_time_over_the_working_range(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ana)
    html = client_of(people.admin).get(day_url(world, date="2026-12-01")).content.decode()

    # Everyone works 07:00-20:00: the grid starts at 07:00, so 09:00 is 120 minutes down, 60 minutes tall.
    tag = html[
        html.index(f'data-booking="{booking.booking_id}"') - 1200 : html.index(f'data-booking="{booking.booking_id}"')
    ]
    assert f"top: {120 * PX_PER_MINUTE}px; height: {60 * PX_PER_MINUTE}px" in tag
    assert f"height: {13 * 60 * PX_PER_MINUTE}px" in html  # 07:00-20:00
    assert ">07:30<" in html and ">19:30<" in html


def test_it_shades_hours_off_time_off_and_closures(world: World, people: People) -> None:
    world.ana.weekly_hours = [WorkRange(DAY.weekday(), "09:00", "13:00"), WorkRange(DAY.weekday(), "14:00", "18:00")]
    world.ana.time_off = [TimeRange(start=at(16), end=at(18), reason="Médico")]
    world.ana.save()
    world.clinic.closures = [TimeRange(start=at(19), end=at(20), reason="Fumigación")]
    world.clinic.save()

    html = client_of(people.admin).get(day_url(world, date="2026-12-01")).content.decode()

    ana = html[html.index(f'data-professional="{world.ana.professional_id}"') :]
    off = re.findall(r'style="top: ([0-9.]+)px; height: ([0-9.]+)px" data-shade="off"', ana)
    # Ben works 07:00-20:00, so the grid does too; Ana is off 07:00-09:00, 13:00-14:00, 18:00-20:00.
    assert [(float(t), float(h)) for t, h in off] == [
        (0.0, 120 * PX_PER_MINUTE),
        (360 * PX_PER_MINUTE, 60 * PX_PER_MINUTE),
        (660 * PX_PER_MINUTE, 120 * PX_PER_MINUTE),
    ]
    assert 'data-shade="time_off"' in ana and "Time off" in ana
    assert html.count('data-shade="closed"') == 2  # every column
    assert "Clinic closed" in html


def test_it_shows_blocks_and_live_holds_but_not_expired_holds(world: World, people: People, frozen: object) -> None:
    block(world, at(12), at(13), reason="training", note="Curso de implantes")
    hold(world, at(15), professional=world.ana, actor=anonymous(world, "browser-live"))

    html = client_of(people.admin).get(day_url(world, date="2026-12-01")).content.decode()

    assert 'data-testid="block"' in html and "Training" in html and "Curso de implantes" in html
    assert 'data-testid="hold"' in html and "Being booked" in html

    frozen.shift(dt.timedelta(minutes=settings.HOLD_MINUTES + 1))  # type: ignore[attr-defined]
    html = client_of(people.admin).get(day_url(world, date="2026-12-01")).content.decode()
    assert 'data-testid="hold"' not in html
    assert 'data-testid="block"' in html


def test_it_lists_cancelled_bookings_apart(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ana, name="Cancelada Pérez")
    services.booking_cancel(
        tenant_id=world.tenant_id, booking_id=booking.booking_id, actor=member(world, people.admin), reason="x"
    )

    html = client_of(people.admin).get(day_url(world, date="2026-12-01")).content.decode()

    assert 'data-testid="booking"' not in html
    assert "1 cancelled appointment this day" in html and "Cancelada Pérez" in html


def test_it_reads_one_query_of_the_agenda_whatever_the_professionals(world: World, people: People) -> None:
    for i in range(4):
        clinic_services.professional_create(
            tenant_id=world.tenant_id,
            name=f"Dr. Extra {i}",
            weekly_hours={d: [("07:00", "20:00")] for d in range(7)},
            treatment_ids=[world.cleaning.treatment_id],
        )
    for hour in (8, 9, 10):
        book(world, at(hour), professional=world.ana)
        book(world, at(hour), professional=world.ben)
    client = client_of(people.admin)
    client.get(day_url(world, date="2026-12-01"))  # the slug is cached, as in a warm server

    with dynamo.count_requests() as counter:
        response = client.get(day_url(world, date="2026-12-01"))

    assert response.status_code == 200
    assert len(columns(response.content.decode())) == 6
    # The clinic, its professionals, and one Query of the clinic's agenda.
    assert counter.operations == ["GetItem", "Query", "Query"]


def test_agenda_day_merges_the_parts_of_a_long_block(world: World) -> None:
    first = block(world, at(8), at(11))
    second = block(world, at(11), at(13))
    second.occurrence_id = first.occurrence_id
    second.save()
    start, end = at(0), at(0) + dt.timedelta(days=1)

    entries = agenda_day(tenant_id=world.tenant_id, start=start, end=end, now=NOW)

    assert [(e.kind, e.start, e.end) for e in entries] == [("block", at(8), at(13))]


def test_it_opens_today_without_a_date_and_links_the_neighbouring_days(world: World, people: People) -> None:
    html = client_of(people.admin).get(day_url(world)).content.decode()

    assert "Monday, November 30, 2026" in html
    assert "date=2026-11-29" in html and "date=2026-12-01" in html
    assert 'hx-push-url="true"' in html


def test_it_answers_htmx_with_the_day_only(world: World, people: People) -> None:
    book(world, at(9, day=DAY + dt.timedelta(days=1)), professional=world.ana)

    response = client_of(people.admin).get(
        day_url(world, date="2026-12-02"), headers={"HX-Request": "true", "HX-Target": "agenda-day"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="agenda-day"')
    assert "<html" not in html and "agenda-panel" in html  # its links aim at the panel beside it


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2026-02-30", "Enter a valid date"),
        ("30/11/2026", "Enter a valid date"),
        ("9999-12-31", "too far ahead"),
        ("0001-01-01", "too far in the past"),
        ("\u202e", "Enter a valid date"),
    ],
)
def test_it_refuses_a_bad_date_with_a_clear_message(world: World, people: People, date: str, message: str) -> None:
    response = client_of(people.admin).get(reverse("office-agenda-day", args=[world.slug]), {"date": date})

    assert response.status_code == 400
    assert message in response.content.decode()


def test_it_refuses_an_unknown_professional(world: World, people: People) -> None:
    response = client_of(people.admin).get(day_url(world, professional="nobody"))

    assert response.status_code == 400
    assert "Choose a professional from the list." in response.content.decode()


def test_it_is_closed_to_patients_and_other_clinics(world: World, people: People) -> None:
    assert client_of(people.patient).get(day_url(world)).status_code == 403
    assert client_of(people.outsider).get(day_url(world)).status_code == 404
    assert Client().get(day_url(world)).status_code == 302
