from __future__ import annotations

import pytest
import time_machine

from booking import errors, services
from booking.models import Booking, BookingStatus
from booking.selectors import booking_get
from nexioq.errors import Forbidden
from tests.booking.helpers import before_dynamodb
from tests.conftest import People, World, at, book, member, system

pytestmark = pytest.mark.django_db


def mark(world: World, booking: Booking, outcome: str, actor) -> Booking:  # type: ignore[no-untyped-def]
    return services.booking_mark(tenant_id=world.tenant_id, booking_id=booking.booking_id, outcome=outcome, actor=actor)


@pytest.fixture
def on_the_day(frozen: time_machine.Coordinates) -> None:
    frozen.move_to(at(8))


def test_it_lets_staff_mark_attended_on_the_day_and_correct_it(world: World, people: People, on_the_day: None) -> None:
    booking = book(world, at(9))

    attended = mark(world, booking, BookingStatus.ATTENDED, member(world, people.reception))
    corrected = mark(world, booking, BookingStatus.NO_SHOW, member(world, people.dentist))

    assert attended.status == BookingStatus.ATTENDED
    assert corrected.status == BookingStatus.NO_SHOW
    assert [h.action for h in corrected.history] == ["created", "attended", "no_show"]


def test_it_refuses_before_the_appointments_day(world: World, people: People) -> None:
    booking = book(world, at(9))  # tomorrow

    with pytest.raises(errors.AttendanceTooEarly):
        mark(world, booking, BookingStatus.ATTENDED, member(world, people.reception))


def test_it_refuses_a_cancelled_booking(world: World, people: People, on_the_day: None) -> None:
    booking = book(world, at(9))
    services.booking_cancel(tenant_id=world.tenant_id, booking_id=booking.booking_id, actor=system(world))

    with pytest.raises(errors.BookingNotChangeable):
        mark(world, booking, BookingStatus.ATTENDED, member(world, people.reception))


def test_it_is_for_staff_only(world: World, people: People, on_the_day: None) -> None:
    booking = book(world, at(9), patient_id=str(people.patient.pk), professional=world.ben)

    with pytest.raises(Forbidden):
        mark(world, booking, BookingStatus.ATTENDED, member(world, people.patient))
    with pytest.raises(Forbidden):
        mark(world, booking, BookingStatus.ATTENDED, member(world, people.dentist))  # Dr. Ben's, not theirs
    with pytest.raises(errors.BookingNotFound):
        mark(world, booking, BookingStatus.ATTENDED, member(world, people.outsider))


def test_it_never_overwrites_a_mark_made_meanwhile(world: World, people: People, on_the_day: None) -> None:
    booking = book(world, at(9))
    other = lambda: mark(world, booking, BookingStatus.NO_SHOW, member(world, people.admin))  # noqa: E731

    with before_dynamodb("PutItem", other), pytest.raises(errors.BookingChangedMeanwhile):
        mark(world, booking, BookingStatus.ATTENDED, member(world, people.reception))

    # The admin's mark stands.
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).status == BookingStatus.NO_SHOW


def test_it_refuses_an_unknown_outcome(world: World, people: People, on_the_day: None) -> None:
    with pytest.raises(ValueError, match="outcome"):
        mark(world, book(world, at(9)), "cancelled", member(world, people.reception))
