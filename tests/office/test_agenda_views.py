"""The staff calendar: the page, the events feed (its cost, its ETag) and moves (drag and drop, resize)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from booking import services
from booking.blocks import block_create
from booking.changes import agenda_changed
from booking.models import BookingStatus
from booking.selectors import booking_get
from clinics import services as clinic_services
from clinics.selectors import clinic_get
from nexioq import dynamo
from tests.conftest import DAY, People, World, at, book, hold, member

pytestmark = pytest.mark.django_db

WEEK = (at(0, day=DAY - dt.timedelta(days=1)), at(0, day=DAY + dt.timedelta(days=6)))


def signed_in(user: Any) -> Client:
    """In English (the language switch's cookie): the assertions read the messages."""
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def events_url(world: World, start: dt.datetime = WEEK[0], end: dt.datetime = WEEK[1], **params: str) -> str:
    query = {"start": start.isoformat(), "end": end.isoformat(), **params}
    return reverse("office-agenda-events", args=[world.slug]) + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def feed(client: Client, url: str, **headers: str) -> Any:
    return client.get(url.replace("+", "%2B"), headers=headers)


def settle(frozen: time_machine.Coordinates) -> None:
    """Past the index's settling time, so the answer's ETag is remembered."""
    frozen.shift(3)


def move(client: Client, world: World, booking_id: str, **data: str) -> Any:
    return client.post(
        reverse("office-agenda-move", args=[world.slug, booking_id]),
        json.dumps(data),
        content_type="application/json",
        headers={"Accept": "application/json"},
    )


# ---------------------------------------------------------------- the page


def test_it_shows_the_calendar_to_staff_with_the_professionals(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    response = signed_in(people.reception).get(reverse("office-agenda", args=[world.slug]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "vendor/fullcalendar/core.global.min.js" in body and 'id="agenda-panel"' in body
    config = response.context["config"]
    assert config["timeZone"] == "America/Bogota" and config["wholeClinic"] is True
    assert {p["name"] for p in config["professionals"]} == {"Dra. Ana", "Dr. Ben"}
    # Monday to Sunday 07:00-20:00 in FullCalendar's numbering (Sunday 0).
    assert {d for p in config["professionals"][0]["hours"] for d in p["daysOfWeek"]} == set(range(7))
    assert 'id="agenda-professional"' in body


def test_it_shows_a_dentist_only_their_own_agenda(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    response = signed_in(people.dentist).get(reverse("office-agenda", args=[world.slug]))

    assert response.status_code == 200
    assert [p["name"] for p in response.context["config"]["professionals"]] == ["Dra. Ana"]
    assert 'id="agenda-professional"' not in response.content.decode()


def test_it_shades_closures(world: World, people: People, frozen: time_machine.Coordinates) -> None:
    start = at(0, day=DAY + dt.timedelta(days=2))
    clinic = clinic_get(tenant_id=world.tenant_id)
    clinic_services.clinic_closure_add(
        tenant_id=world.tenant_id, version=clinic.version, start=start, end=start + dt.timedelta(days=1)
    )

    response = signed_in(people.admin).get(reverse("office-agenda", args=[world.slug]))

    [closure] = [e for e in response.context["config"]["background"] if "nq-closure" in e["classNames"]]
    assert closure["start"] == "2026-12-03T00:00:00-05:00" and closure["display"] == "background"


@pytest.mark.parametrize(("role", "status"), [("patient", 403), ("outsider", 404)])
def test_it_refuses_the_page_to_others(
    world: World, people: People, frozen: time_machine.Coordinates, role: str, status: int
) -> None:
    assert signed_in(getattr(people, role)).get(reverse("office-agenda", args=[world.slug])).status_code == status


# ---------------------------------------------------------------- the feed


def test_it_lists_bookings_holds_and_outcomes_in_two_requests(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    kept = book(world, at(9), name="Marta Ruiz")
    attended = book(world, at(8, day=DAY - dt.timedelta(days=1)), professional=world.ben, name="Pablo Gil")
    services.booking_mark(
        tenant_id=world.tenant_id, booking_id=attended.booking_id, outcome="attended", actor=member(world, people.admin)
    )
    cancelled = book(world, at(11), name="Ida Vera")
    services.booking_cancel(
        tenant_id=world.tenant_id, booking_id=cancelled.booking_id, actor=member(world, people.admin)
    )
    held = hold(world, at(14), professional=world.ben)
    client = signed_in(people.reception)
    feed(client, events_url(world))  # the slug is cached after the first request, like in use

    with dynamo.count_requests() as requests:
        response = feed(client, events_url(world))

    assert response.status_code == 200 and requests.value == 2, requests.operations
    assert sorted(requests.operations) == ["BatchGetItem", "Query"]
    assert response["Cache-Control"] == "private, no-cache" and response["ETag"].startswith('"')
    events = {e["id"]: e for e in response.json()}
    assert set(events) == {f"booking:{kept.booking_id}", f"booking:{attended.booking_id}", f"hold:{held.hold_id}"}
    first = events[f"booking:{kept.booking_id}"]
    assert first["title"] == "Marta Ruiz · Limpieza"
    assert first["start"] == "2026-12-01T09:00:00-05:00" and first["end"] == "2026-12-01T10:00:00-05:00"
    assert first["professional"] == world.ana.professional_id and first["color"] == world.ana.color
    assert (
        first["editable"] is True and first["status"] == "confirmed" and first["url"].endswith(f"/{kept.booking_id}/")
    )
    assert events[f"booking:{attended.booking_id}"]["status"] == BookingStatus.ATTENDED
    assert events[f"booking:{attended.booking_id}"]["editable"] is False
    assert (
        events[f"hold:{held.hold_id}"]["classNames"] == ["nq-hold"] and not events[f"hold:{held.hold_id}"]["editable"]
    )


def test_it_shows_a_long_block_as_one_event(world: World, people: People) -> None:
    """Seven hours are stored as segments (one agenda entry spans at most MAX_BLOCK_MINUTES): one event."""
    [first, *rest] = block_create(
        tenant_id=world.tenant_id,
        professional_id=world.ana.professional_id,
        start=at(8),
        end=at(15),
        reason="training",
        note="Curso de implantes",
        actor=member(world, people.admin),
    )
    assert rest, "a seven-hour block is stored in more than one item"

    [event] = feed(signed_in(people.reception), events_url(world)).json()

    assert event["id"] == f"block:{first.block_id}" and event["kind"] == "block"
    assert (event["start"], event["end"]) == ("2026-12-01T08:00:00-05:00", "2026-12-01T15:00:00-05:00")
    assert event["title"] == "Training · Curso de implantes" and event["editable"] is False


def test_it_costs_two_requests_whatever_the_number_of_professionals(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    hours = {day: [("07:00", "20:00")] for day in range(7)}
    for i in range(6):
        extra = clinic_services.professional_create(
            tenant_id=world.tenant_id, name=f"Dr. {i}", weekly_hours=hours, treatment_ids=[world.check.treatment_id]
        )
        book(world, at(8 + i), professional=extra, treatment=world.check)
    client = signed_in(people.admin)
    feed(client, events_url(world))

    with dynamo.count_requests() as requests:
        response = feed(client, events_url(world))

    assert len(response.json()) == 6 and requests.value == 2


def test_it_shows_a_dentist_only_their_own_bookings_from_their_agenda(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    mine = book(world, at(9), professional=world.ana)
    book(world, at(9), professional=world.ben)
    held = hold(world, at(15), professional=world.ana)
    client = signed_in(people.dentist)
    feed(client, events_url(world))

    with dynamo.count_requests() as requests:
        response = feed(client, events_url(world))

    assert {e["id"] for e in response.json()} == {f"booking:{mine.booking_id}", f"hold:{held.hold_id}"}
    assert requests.value == 2
    # Their own agenda's index, not the clinic's.
    assert feed(client, events_url(world, professional=world.ben.professional_id)).status_code == 403


def test_it_filters_by_professional_for_whole_clinic_staff(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    book(world, at(9), professional=world.ana)
    theirs = book(world, at(9), professional=world.ben)
    client = signed_in(people.admin)

    response = feed(client, events_url(world, professional=world.ben.professional_id))

    assert [e["id"] for e in response.json()] == [f"booking:{theirs.booking_id}"]
    assert feed(client, events_url(world, professional="nobody")).status_code == 404


def test_it_makes_a_dentists_other_bookings_read_only(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    # A dentist filtered to their own agenda sees only editable events of their own.
    book(world, at(9), professional=world.ana)

    [event] = feed(signed_in(people.dentist), events_url(world)).json()

    assert event["editable"] is True


def test_it_answers_304_without_reading_dynamodb_while_nothing_changed(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    book(world, at(9))
    client = signed_in(people.reception)
    settle(frozen)
    first = feed(client, events_url(world))
    etag = first["ETag"]

    with dynamo.count_requests() as requests:
        again = feed(client, events_url(world), **{"If-None-Match": etag})

    assert again.status_code == 304 and requests.value == 0 and again["ETag"] == etag
    assert again["Cache-Control"] == "private, no-cache"


def test_it_reads_again_after_a_change(world: World, people: People, frozen: time_machine.Coordinates) -> None:
    book(world, at(9))
    client = signed_in(people.reception)
    settle(frozen)
    etag = feed(client, events_url(world))["ETag"]

    book(world, at(13), name="Nueva Reserva")
    with dynamo.count_requests() as requests:
        changed = feed(client, events_url(world), **{"If-None-Match": etag})

    assert changed.status_code == 200 and requests.value == 2
    assert any(e["title"].startswith("Nueva Reserva") for e in changed.json())


def test_it_does_not_remember_an_answer_built_right_after_a_change(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    # The index may not show a write of a moment ago: an answer built then is sent, not remembered.
    book(world, at(9))
    client = signed_in(people.reception)
    etag = feed(client, events_url(world))["ETag"]

    with dynamo.count_requests() as requests:
        again = feed(client, events_url(world), **{"If-None-Match": etag})

    assert again.status_code == 304 and requests.value == 2  # same body, but read again to know it


def test_it_forgets_the_etag_when_a_hold_expires(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    hold(world, at(9))
    frozen.shift(dt.timedelta(minutes=settings.HOLD_MINUTES) - dt.timedelta(seconds=60))
    agenda_changed(tenant_id=world.tenant_id)  # any other change, a minute before the hold expires
    client = signed_in(people.reception)
    settle(frozen)
    etag = feed(client, events_url(world))["ETag"]

    frozen.shift(90)  # past the hold's expiry, with no write to say so
    with dynamo.count_requests() as requests:
        response = feed(client, events_url(world), **{"If-None-Match": etag})

    assert response.status_code == 200 and response.json() == [] and requests.value == 2


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        ("2026-11-01T00:00:00-05:00", "2027-01-15T00:00:00-05:00", "at most 62 days"),
        ("9999-12-31", "9999-12-31T23:59:59", "between"),
        ("0001-01-01T00:00:00+05:00", "2026-12-01T00:00:00-05:00", "between"),
        ("mañana", "2026-12-01", "not a date"),
        ("2026-12-08T00:00:00-05:00", "2026-12-01T00:00:00-05:00", "must come after"),
        ("2026-12-01", "2026-12-01", "must come after"),
        ("2026-12-01T00:00:00-05:00", "2026-12-02", "Give both dates"),
        ("", "2026-12-02", "needs a start"),
    ],
)
def test_it_refuses_ranges_it_cannot_show(
    world: World, people: People, frozen: time_machine.Coordinates, start: str, end: str, words: str
) -> None:
    url = reverse("office-agenda-events", args=[world.slug])

    response = signed_in(people.admin).get(url, {"start": start, "end": end})

    assert response.status_code == 400, response.content
    assert words in response.json()["error"]


def test_it_takes_dates_without_offset_in_the_clinics_zone(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    late = book(world, at(19))  # 19:00 in Bogotá is already the next day in UTC
    url = reverse("office-agenda-events", args=[world.slug])

    response = signed_in(people.admin).get(url, {"start": "2026-12-01", "end": "2026-12-02"})

    assert [e["id"] for e in response.json()] == [f"booking:{late.booking_id}"]


@pytest.mark.parametrize(("role", "status"), [("patient", 403), ("outsider", 404)])
def test_it_refuses_the_feed_to_others(
    world: World, people: People, frozen: time_machine.Coordinates, role: str, status: int
) -> None:
    assert feed(signed_in(getattr(people, role)), events_url(world)).status_code == status


# ---------------------------------------------------------------- moves


def test_it_moves_a_booking(world: World, people: People, frozen: time_machine.Coordinates) -> None:
    booking = book(world, at(9))

    response = move(signed_in(people.reception), world, booking.booking_id, start=at(11).isoformat())

    assert response.status_code == 200, response.content
    assert response.json()["event"]["start"] == "2026-12-01T11:00:00-05:00"
    assert "11:00" in response.json()["message"]
    moved = booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert moved.start == at(11) and moved.history[-1].action == "rescheduled"


def test_it_refuses_a_taken_time_naming_the_booking(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    booking = book(world, at(9))
    book(world, at(11), name="Carla Díaz", treatment=world.whitening)

    response = move(signed_in(people.reception), world, booking.booking_id, start=at(10, 30).isoformat())

    assert response.status_code == 409
    assert "Carla Díaz (Blanqueamiento, 11:00 to 11:30)" in response.json()["error"]
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).start == at(9)


def test_it_refuses_a_time_being_booked_online(world: World, people: People, frozen: time_machine.Coordinates) -> None:
    booking = book(world, at(9))
    hold(world, at(11))

    response = move(signed_in(people.reception), world, booking.booking_id, start=at(11).isoformat())

    assert response.status_code == 409 and "booking that time online" in response.json()["error"]


def test_it_refuses_a_drop_on_a_closure(world: World, people: People, frozen: time_machine.Coordinates) -> None:
    booking = book(world, at(9))
    clinic = clinic_get(tenant_id=world.tenant_id)
    clinic_services.clinic_closure_add(tenant_id=world.tenant_id, version=clinic.version, start=at(12), end=at(14))

    response = move(signed_in(people.reception), world, booking.booking_id, start=at(12).isoformat())

    assert response.status_code == 400 and response.json()["error"]
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).start == at(9)


def test_it_refuses_a_drop_outside_hours(world: World, people: People, frozen: time_machine.Coordinates) -> None:
    booking = book(world, at(9))

    response = move(signed_in(people.reception), world, booking.booking_id, start=at(21).isoformat())

    assert response.status_code == 400 and "Nobody works" in response.json()["error"]


def test_it_refuses_a_dentist_moving_another_dentists_booking(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    theirs = book(world, at(9), professional=world.ben)

    response = move(signed_in(people.dentist), world, theirs.booking_id, start=at(11).isoformat())

    assert response.status_code == 403
    assert booking_get(tenant_id=world.tenant_id, booking_id=theirs.booking_id).start == at(9)


def test_it_lets_a_dentist_move_their_own(world: World, people: People, frozen: time_machine.Coordinates) -> None:
    mine = book(world, at(9), professional=world.ana)

    assert move(signed_in(people.dentist), world, mine.booking_id, start=at(12).isoformat()).status_code == 200


@pytest.mark.parametrize(("role", "status"), [("patient", 403), ("outsider", 404)])
def test_it_refuses_moves_to_others(
    world: World, people: People, frozen: time_machine.Coordinates, role: str, status: int
) -> None:
    booking = book(world, at(9))

    response = move(signed_in(getattr(people, role)), world, booking.booking_id, start=at(11).isoformat())

    assert response.status_code == status
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).start == at(9)


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"start": "2026-12-01T11:00:00"}, 400),  # no offset
        ({"start": "luego"}, 400),
        ({}, 400),
        ({"start": "9999-12-31T23:59:59-05:00"}, 400),
        ({"start": at(11).isoformat(), "professional": "nobody"}, 404),
    ],
)
def test_it_refuses_bad_moves(
    world: World, people: People, frozen: time_machine.Coordinates, data: dict[str, str], status: int
) -> None:
    booking = book(world, at(9))

    response = move(signed_in(people.admin), world, booking.booking_id, **data)

    assert response.status_code == status, response.content
    assert response.json()["error"]


def test_it_resizes_a_booking(world: World, people: People, frozen: time_machine.Coordinates) -> None:
    booking = book(world, at(9))

    response = move(
        signed_in(people.reception), world, booking.booking_id, start=at(9).isoformat(), end=at(10, 30).isoformat()
    )

    assert response.status_code == 200, response.content
    resized = booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert (resized.start, resized.end, resized.blocked_end) == (at(9), at(10, 30), at(10, 30))
    assert resized.history[-1].note.endswith("90 min")
    # Its new cells are claimed: a booking at 10:00 no longer fits.
    with pytest.raises(services.SlotTaken):
        book(world, at(10))


@pytest.mark.parametrize(("hours", "minutes"), [(9, 7), (9, 0), (14, 0)])
def test_it_refuses_lengths_off_the_grid_or_too_long(
    world: World, people: People, frozen: time_machine.Coordinates, hours: int, minutes: int
) -> None:
    booking = book(world, at(9))

    response = move(
        signed_in(people.admin), world, booking.booking_id, start=at(9).isoformat(), end=at(hours, minutes).isoformat()
    )

    assert response.status_code == 400 and "multiple of 5 minutes" in response.json()["error"]


def test_it_keeps_resizing_for_staff(world: World, people: People, frozen: time_machine.Coordinates) -> None:
    booking = book(world, at(9), patient_id=str(people.patient.pk))

    with pytest.raises(services.Forbidden):
        services.booking_reschedule(
            tenant_id=world.tenant_id,
            booking_id=booking.booking_id,
            new_start=at(9),
            end=at(11),
            actor=member(world, people.patient),
        )
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).end == at(10)


def test_it_refuses_an_anonymous_move(world: World, frozen: time_machine.Coordinates) -> None:
    booking = book(world, at(9))

    response = move(Client(), world, booking.booking_id, start=at(11).isoformat())

    assert response.status_code == 302
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).start == at(9)
