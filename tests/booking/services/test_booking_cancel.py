from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from booking import errors, selectors, services
from booking.models import Booking, BookingStatus
from clinics.choices import phone_display
from nexioq.errors import Forbidden
from tests.booking.helpers import before_dynamodb, cells_of
from tests.conftest import DAY, People, World, at, book, member

pytestmark = pytest.mark.django_db


def mine(world: World, people: People, start: dt.datetime | None = None) -> Booking:
    return book(world, start or at(9), patient_id=str(people.patient.pk))


def cancel(world: World, booking: Booking, actor, reason: str = "") -> Booking:  # type: ignore[no-untyped-def]
    return services.booking_cancel(tenant_id=world.tenant_id, booking_id=booking.booking_id, actor=actor, reason=reason)


def stored(world: World, booking: Booking) -> Booking:
    return selectors.booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)


def test_it_lets_a_patient_cancel_before_the_cutoff_and_frees_the_time(world: World, people: People) -> None:
    booking = mine(world, people)  # tomorrow 09:00, 26 hours away; the cutoff is 24 hours

    cancelled = cancel(world, booking, member(world, people.patient), reason="Viajo")

    assert (cancelled.status, cancelled.cancelled_by, cancelled.cancel_reason) == (
        BookingStatus.CANCELLED,
        "patient",
        "Viajo",
    )
    assert not cancelled.cutoff_overridden
    assert cells_of(world, world.ana.professional_id) == []
    assert [h.action for h in stored(world, booking).history] == ["created", "cancelled"]
    assert book(world, at(9)).start == at(9)


def test_it_refuses_a_patient_after_the_cutoff_and_names_the_clinics_phone(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    booking = mine(world, people)
    frozen.shift(dt.timedelta(hours=3))  # 23 hours before

    with pytest.raises(errors.CancellationCutoffPassed) as refused:
        cancel(world, booking, member(world, people.patient))

    assert phone_display(world.clinic.phone) in str(refused.value.message)
    assert stored(world, booking).status == BookingStatus.CONFIRMED
    assert len(cells_of(world, world.ana.professional_id)) == 12


def test_it_lets_staff_cancel_after_the_cutoff_and_records_the_override(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    booking = mine(world, people)
    frozen.shift(dt.timedelta(hours=20))

    cancelled = cancel(world, booking, member(world, people.reception), reason="La doctora está enferma")

    kept = stored(world, booking)
    assert (kept.status, kept.cancelled_by, kept.cutoff_overridden) == (BookingStatus.CANCELLED, "clinic", True)
    assert kept.history[-1].by == str(people.reception.pk)
    assert cancelled.cancel_reason == "La doctora está enferma"


def test_it_hides_another_patients_booking(world: World, people: People) -> None:
    booking = book(world, at(9), patient_id="someone-else")

    with pytest.raises(errors.BookingNotFound):
        cancel(world, booking, member(world, people.patient))
    assert stored(world, booking).status == BookingStatus.CONFIRMED


def test_it_refuses_a_dentist_another_professionals_booking(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ben)

    with pytest.raises(Forbidden):
        cancel(world, booking, member(world, people.dentist))
    assert cancel(world, book(world, at(11)), member(world, people.dentist)).status == BookingStatus.CANCELLED


def test_it_refuses_to_cancel_twice(world: World, people: People) -> None:
    booking = mine(world, people)
    cancel(world, booking, member(world, people.patient))

    with pytest.raises(errors.BookingNotChangeable):
        cancel(world, booking, member(world, people.patient))


def test_it_refuses_a_cancel_when_the_booking_changed_meanwhile(world: World, people: People) -> None:
    booking = mine(world, people)
    moved = lambda: services.booking_reschedule(  # noqa: E731
        tenant_id=world.tenant_id, booking_id=booking.booking_id, new_start=at(11), actor=member(world, people.admin)
    )

    with before_dynamodb("TransactWriteItems", moved), pytest.raises(errors.BookingChangedMeanwhile):
        cancel(world, booking, member(world, people.patient))

    kept = stored(world, booking)
    assert (kept.status, kept.start) == (BookingStatus.CONFIRMED, at(11))
    assert len(cells_of(world, world.ana.professional_id)) == 12


def test_it_keeps_the_day_free_of_cancelled_bookings(world: World, people: People) -> None:
    booking = mine(world, people)
    cancel(world, booking, member(world, people.patient))

    day = selectors.availability(
        clinic=world.clinic, treatment=world.cleaning, professionals=[world.ana], first_day=DAY, last_day=DAY, now=at(0)
    )
    assert at(9) in {slot.start for slot in day}
