"""The booking as an iCalendar file: stable UID, SEQUENCE up with each change, cancelled status."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from booking import services
from booking.calendar import booking_ics
from booking.models import Booking
from clinics.models import Clinic
from tests.conftest import People, World, at, book, hold, member

pytestmark = pytest.mark.django_db


def event(booking: Booking, clinic: Clinic):  # type: ignore[no-untyped-def]
    [vevent] = Calendar.from_ical(booking_ics(booking=booking, clinic=clinic)).walk("VEVENT")
    return vevent


def test_it_describes_the_booking_in_utc(world: World) -> None:
    booking = book(world, at(9))

    vevent = event(booking, world.clinic)

    assert str(vevent["UID"]) == f"{booking.booking_id}@nexioq"
    assert vevent.decoded("DTSTART") == at(9)
    assert vevent.decoded("DTEND") == at(10)
    assert vevent.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert str(vevent["SUMMARY"]) == "Limpieza · Clínica Prueba"
    assert str(vevent["LOCATION"]) == "Calle 1 # 2-3"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert int(vevent["SEQUENCE"]) == 0


def test_it_keeps_the_uid_and_raises_the_sequence_when_rescheduled(world: World, people: People) -> None:
    actor = member(world, people.patient)
    booking = book(world, at(9), patient_id=str(people.patient.pk))
    first = event(booking, world.clinic)
    new_hold = hold(world, at(13), actor=actor)

    moved = services.booking_reschedule(
        tenant_id=world.tenant_id,
        booking_id=booking.booking_id,
        new_start=at(13),
        actor=actor,
        hold_id=new_hold.hold_id,
    )
    second = event(moved, world.clinic)

    assert second["UID"] == first["UID"]
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert second.decoded("DTSTART") == at(13)


def test_it_marks_a_cancelled_booking_cancelled_with_a_higher_sequence(world: World, people: People) -> None:
    booking = book(world, at(9), patient_id=str(people.patient.pk))
    before = event(booking, world.clinic)

    cancelled = services.booking_cancel(
        tenant_id=world.tenant_id, booking_id=booking.booking_id, actor=member(world, people.patient)
    )
    after = event(cancelled, world.clinic)

    assert str(after["STATUS"]) == "CANCELLED"
    assert after["UID"] == before["UID"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
