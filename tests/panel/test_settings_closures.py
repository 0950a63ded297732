"""Clinic closures in the panel: listed in local time, added (whole days or hours, DST-correct)
and removed, and never orphaning a booking silently."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from booking.models import BookingStatus
from booking.selectors import booking_get
from clinics import services
from clinics.selectors import clinic_get
from panel.forms_settings import ClosureForm
from tests.booking.helpers import clinic_partition
from tests.conftest import BOGOTA, DAY, People, World, at, book

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def version(world: World) -> str:
    return str(clinic_get(tenant_id=world.tenant_id).version)


def add(client: Client, world: World, **data: Any) -> Any:
    return client.post(reverse("panel-closures-add", args=[world.slug]), {"version": version(world), **data})


def closures(world: World) -> list[tuple[dt.datetime, dt.datetime, str]]:
    return [(r.start, r.end, r.reason) for r in clinic_get(tenant_id=world.tenant_id).closures]


def midnight(day: dt.date, zone: zoneinfo.ZoneInfo = BOGOTA) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)


def test_it_adds_whole_days_in_the_clinics_time_zone(world: World, people: People) -> None:
    response = add(signed_in(people.admin), world, start_date="2026-12-24", end_date="2026-12-25", reason="Navidad")

    assert response.status_code == 302
    assert closures(world) == [(midnight(dt.date(2026, 12, 24)), midnight(dt.date(2026, 12, 26)), "Navidad")]


def test_it_lists_future_closures_in_local_time(world: World, people: People) -> None:
    client = signed_in(people.admin)
    add(client, world, start_date="2026-12-24", reason="Navidad")
    add(client, world, start_date="2026-12-02", start_time="14:00", end_time="18:00", reason="Capacitación")

    body = client.get(reverse("panel-closures", args=[world.slug])).content.decode()

    assert "Navidad" in body and "día completo" in body
    assert "14:00\u201318:00" in body and "Capacitación" in body
    assert body.index("Capacitación") < body.index("Navidad")  # by start


def test_it_saves_at_once_when_no_booking_is_affected(world: World, people: People) -> None:
    book(world, at(9))

    response = add(signed_in(people.admin), world, start_date=(DAY + dt.timedelta(days=1)).isoformat())

    assert response.status_code == 302
    assert len(closures(world)) == 1


def test_it_lists_the_bookings_a_closure_would_leave_outside_before_saving(world: World, people: People) -> None:
    booking = book(world, at(9), name="Marta Ruiz")
    before = clinic_partition(world.tenant_id)

    response = add(signed_in(people.admin), world, start_date=DAY.isoformat(), reason="Fumigación")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Este cierre cubre 1 cita" in body
    assert "Marta Ruiz" in body and "Limpieza" in body and "Dra. Ana" in body
    assert "09:00\u201310:00" in body  # the clinic's local time, not UTC (14:00)
    assert f'name="seen" value="{booking.booking_id}"' in body
    assert clinic_partition(world.tenant_id) == before  # nothing saved yet


def test_it_keeps_the_bookings_when_the_admin_says_so(world: World, people: People) -> None:
    booking = book(world, at(9))

    response = add(signed_in(people.admin), world, start_date=DAY.isoformat(), decision="keep", seen=booking.booking_id)

    assert response.status_code == 302
    assert len(closures(world)) == 1
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).status == BookingStatus.CONFIRMED


def test_it_cancels_the_bookings_seen_with_the_reason(world: World, people: People) -> None:
    booking = book(world, at(9))

    response = add(
        signed_in(people.admin),
        world,
        start_date=DAY.isoformat(),
        decision="cancel",
        cancel_reason="Cerramos por fumigación",
        seen=booking.booking_id,
    )

    assert response.status_code == 302
    stored = booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert stored.status == BookingStatus.CANCELLED
    assert (stored.cancelled_by, stored.cancel_reason) == ("clinic", "Cerramos por fumigación")
    assert len(closures(world)) == 1


def test_it_records_the_staff_override_of_the_cutoff(world: World, people: People) -> None:
    today = DAY - dt.timedelta(days=1)
    booking = book(world, at(8, day=today))  # an hour ahead: well inside the 24-hour cutoff

    add(
        signed_in(people.admin),
        world,
        start_date=today.isoformat(),
        decision="cancel",
        cancel_reason="Cierre",
        seen=booking.booking_id,
    )

    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).cutoff_overridden is True


def test_it_asks_again_when_a_booking_appeared_after_the_list_was_shown(world: World, people: People) -> None:
    seen = book(world, at(9))
    client = signed_in(people.admin)
    add(client, world, start_date=DAY.isoformat())  # the list shows one booking
    unseen = book(world, at(11), professional=world.ben, name="Nuevo Paciente")
    before = clinic_partition(world.tenant_id)

    response = add(
        client, world, start_date=DAY.isoformat(), decision="cancel", cancel_reason="x", seen=seen.booking_id
    )

    body = response.content.decode()
    assert response.status_code == 409
    assert "Nuevo Paciente" in body
    assert f'name="seen" value="{seen.booking_id},{unseen.booking_id}"' in body
    assert clinic_partition(world.tenant_id) == before  # nothing cancelled, no closure


def test_it_wants_a_reason_to_cancel(world: World, people: People) -> None:
    booking = book(world, at(9))
    before = clinic_partition(world.tenant_id)

    response = add(
        signed_in(people.admin), world, start_date=DAY.isoformat(), decision="cancel", seen=booking.booking_id
    )

    assert response.status_code == 400
    assert "cancel_reason" in response.context["form"].errors
    assert "Luis Gómez" in response.content.decode()  # still shows what it is about
    assert clinic_partition(world.tenant_id) == before


def test_it_closes_hours_only_and_lists_only_the_bookings_inside(world: World, people: People) -> None:
    inside = book(world, at(9), name="Dentro")
    book(world, at(11), name="Fuera")

    response = add(signed_in(people.admin), world, start_date=DAY.isoformat(), start_time="08:00", end_time="10:00")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Dentro" in body and "Fuera" not in body
    assert f'value="{inside.booking_id}"' in body


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"start_date": "2026-12-05", "end_date": "2026-12-04"}, "end_date"),
        ({"start_date": "2026-12-05", "start_time": "12:00", "end_time": "09:00"}, "end_time"),
        ({"start_date": "2026-12-05", "start_time": "12:00"}, "end_time"),
        ({"start_date": "2026-11-01"}, "end_date"),  # already over
        ({"start_date": "2026-12-05", "end_date": "2028-12-05"}, "end_date"),  # too long
        ({"start_date": "not a date"}, "start_date"),
        ({"start_date": "9999-12-31"}, "end_date"),
        ({"start_date": "2026-12-05", "start_time": "25:00", "end_time": "26:00"}, "start_time"),
    ],
)
def test_it_refuses_bad_ranges_on_their_field(world: World, people: People, data: dict[str, str], field: str) -> None:
    before = clinic_partition(world.tenant_id)

    response = add(signed_in(people.admin), world, **data)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert clinic_partition(world.tenant_id) == before


def test_it_refuses_a_stale_version(world: World, people: People) -> None:
    old = version(world)
    current = clinic_get(tenant_id=world.tenant_id)
    services.clinic_closure_add(
        tenant_id=world.tenant_id, version=current.version, start=at(0, day=DAY), end=at(1, day=DAY)
    )

    response = signed_in(people.admin).post(
        reverse("panel-closures-add", args=[world.slug]), {"version": old, "start_date": "2026-12-10"}
    )

    assert response.status_code == 409
    assert len(closures(world)) == 1


def test_it_removes_a_closure(world: World, people: People) -> None:
    client = signed_in(people.admin)
    add(client, world, start_date="2026-12-24")
    closure = clinic_get(tenant_id=world.tenant_id).closures[0]

    response = client.post(
        reverse("panel-closures-remove", args=[world.slug]),
        {"start": closure.start.isoformat(), "end": closure.end.isoformat(), "version": version(world)},
    )

    assert response.status_code == 302
    assert closures(world) == []


def test_it_refuses_to_remove_with_a_stale_version_or_an_unknown_closure(world: World, people: People) -> None:
    client = signed_in(people.admin)
    add(client, world, start_date="2026-12-24")
    closure = clinic_get(tenant_id=world.tenant_id).closures[0]
    url = reverse("panel-closures-remove", args=[world.slug])
    data = {"start": closure.start.isoformat(), "end": closure.end.isoformat()}

    assert client.post(url, {**data, "version": int(version(world)) - 1}).status_code == 409
    assert (
        client.post(url, {**data, "start": "2026-12-23T05:00:00+00:00", "version": version(world)}).status_code == 409
    )
    assert client.post(url, {"start": "garbage", "end": "", "version": "x"}).status_code == 400
    assert len(closures(world)) == 1


def test_it_answers_htmx_with_the_fragment_listing_the_bookings(world: World, people: People) -> None:
    book(world, at(9))

    response = signed_in(people.admin).post(
        reverse("panel-closures-add", args=[world.slug]),
        {"version": version(world), "start_date": DAY.isoformat()},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="closures-main"')
    assert "Luis Gómez" in body


@pytest.mark.parametrize("role", ["dentist", "reception", "patient"])
def test_it_refuses_other_roles_and_writes_nothing(world: World, people: People, role: str) -> None:
    book(world, at(9))
    before = clinic_partition(world.tenant_id)
    client = signed_in(getattr(people, role))

    assert client.get(reverse("panel-closures", args=[world.slug])).status_code == 403
    assert add(client, world, start_date=DAY.isoformat(), decision="cancel", cancel_reason="x").status_code == 403
    assert clinic_partition(world.tenant_id) == before


# ---------------------------------------------------------------- the form's wall-clock arithmetic


def closure_form(zone: zoneinfo.ZoneInfo, **data: str) -> ClosureForm:
    form = ClosureForm({"version": "1", **data}, zone=zone)
    assert form.is_valid(), form.errors
    return form


def test_a_whole_day_on_the_spring_dst_change_lasts_23_hours() -> None:
    form = closure_form(MADRID, start_date="2027-03-28")

    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    assert start == dt.datetime(2027, 3, 27, 23, 0, tzinfo=dt.UTC)  # midnight CET
    assert end - start == dt.timedelta(hours=23)


def test_a_whole_day_on_the_autumn_dst_change_lasts_25_hours() -> None:
    form = closure_form(MADRID, start_date="2027-10-31")

    assert form.cleaned_data["end"] - form.cleaned_data["start"] == dt.timedelta(hours=25)


def test_a_time_skipped_by_dst_moves_past_the_gap() -> None:
    form = closure_form(MADRID, start_date="2027-03-28", start_time="02:30", end_time="04:00")

    # 02:30 does not exist that night in Madrid: it is read as 03:30 CEST, 01:30 UTC.
    assert form.cleaned_data["start"] == dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC)
    assert form.cleaned_data["end"] == dt.datetime(2027, 3, 28, 2, 0, tzinfo=dt.UTC)
