from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError

from booking import errors, selectors, services
from booking.models import BookingStatus, CellKind
from clinics import services as clinic_services
from nexioq import dynamo
from nexioq.errors import Forbidden
from tests.booking.helpers import cells_of, clinic_bookings, longest_booking, overlapping_pairs, transaction_sizes
from tests.conftest import DAY, NOW, People, World, at, book, make_world, member, system

pytestmark = pytest.mark.django_db


def test_it_writes_the_booking_its_cells_and_its_agenda_entries(world: World) -> None:
    booking = book(world, at(9), patient_id="patient-1")

    assert booking.status == BookingStatus.CONFIRMED
    assert (booking.start, booking.end) == (at(9), at(10))
    cells = cells_of(world, world.ana.professional_id)
    assert sorted(dynamo.parse_cell_sk(c.sk)[1] for c in cells) == [
        at(9) + dt.timedelta(minutes=5 * i) for i in range(12)
    ]
    assert {(c.kind, c.booking_id) for c in cells} == {(CellKind.BOOKING, booking.booking_id)}
    day = (at(0), at(0, day=DAY + dt.timedelta(days=1)))
    assert [b.booking_id for b in selectors.bookings_in_range(tenant_id=world.tenant_id, start=day[0], end=day[1])] == [
        booking.booking_id
    ]
    assert [b.booking_id for b in selectors.bookings_for_patient(patient_id="patient-1")] == [booking.booking_id]


@pytest.mark.parametrize("minute", [0, 15, 30, 45])
def test_it_refuses_an_overlapping_start_for_the_same_professional(world: World, minute: int) -> None:
    book(world, at(9))

    with pytest.raises(errors.SlotTaken):
        book(world, at(9, minute), treatment=world.check)


@pytest.mark.parametrize("minute", [0, 30])
def test_it_allows_the_same_time_with_another_professional(world: World, minute: int) -> None:
    book(world, at(9), professional=world.ana)

    assert book(world, at(9, minute), professional=world.ben).professional_id == world.ben.professional_id


def test_it_allows_back_to_back_bookings(world: World) -> None:
    book(world, at(9))

    assert book(world, at(10)).start == at(10)


def test_it_blocks_buffers_too(world: World) -> None:
    book(world, at(10), treatment=world.whitening)  # 10:00-10:30, blocked 09:50-10:40

    with pytest.raises(errors.SlotTaken):
        book(world, at(9), treatment=world.cleaning)  # ends 10:00, inside the buffer
    with pytest.raises(errors.SlotTaken):
        book(world, at(10, 30), treatment=world.check)  # starts inside the after-buffer
    assert book(world, at(10, 45), treatment=world.check).start == at(10, 45)


def test_it_refuses_a_time_outside_working_hours_or_in_the_past(world: World) -> None:
    with pytest.raises(errors.OutsideHours):
        book(world, at(20))
    with pytest.raises(errors.InThePast):
        book(world, at(9, day=DAY - dt.timedelta(days=2)))


def test_it_lets_staff_book_inside_the_online_notice(dynamodb_local: str, frozen: object) -> None:
    world = make_world(min_notice_minutes=3 * 24 * 60)

    assert book(world, at(9)).start == at(9)


def test_it_refuses_a_patient_and_another_professionals_dentist(world: World, people: People) -> None:
    for actor in (member(world, people.patient), member(world, people.dentist)):
        with pytest.raises(Forbidden):
            services.booking_create(
                tenant_id=world.tenant_id,
                treatment_id=world.cleaning.treatment_id,
                professional_id=world.ben.professional_id,  # the dentist is Dra. Ana
                start=at(9),
                patient=services.PatientDetails("X", "x@example.com", "+573001234567"),
                actor=actor,
            )
    assert clinic_bookings(world) == []


def test_it_lets_a_dentist_book_on_their_own_agenda(world: World, people: People) -> None:
    booking = services.booking_create(
        tenant_id=world.tenant_id,
        treatment_id=world.cleaning.treatment_id,
        professional_id=world.ana.professional_id,
        start=at(9),
        patient=services.PatientDetails("X", "x@example.com", "+573001234567"),
        actor=member(world, people.dentist),
    )

    assert booking.history[0].by_role == "clinic"


def test_it_books_the_same_booking_id_once(world: World) -> None:
    def again() -> str:
        return book(world, at(9), booking_id="fixed-id-1").booking_id

    assert again() == again() == "fixed-id-1"
    assert len(clinic_bookings(world)) == 1


def test_two_clinics_may_book_with_the_same_booking_id_at_once(world: World) -> None:
    """A form's booking id is the clinic's (double-submit protection), but DynamoDB keeps request
    tokens per table for ten minutes: the token must carry the clinic, or the second clinic's
    booking would be refused as a mismatched repeat of the first."""
    other = make_world()

    def book_at(clinic: World) -> str:
        return book(clinic, at(9), booking_id="walk-in-1").booking_id

    assert book_at(world) == book_at(other) == "walk-in-1"
    assert len(clinic_bookings(world)) == len(clinic_bookings(other)) == 1


def test_it_lets_exactly_one_of_50_concurrent_bookings_of_one_time_win(world: World) -> None:
    def attempt(i: int) -> str:
        try:
            book(world, at(9), name=f"P{i}")
        except errors.SlotTaken:
            return "409"
        return "201"

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(attempt, range(50)))

    assert (outcomes.count("201"), outcomes.count("409")) == (1, 49)
    assert overlapping_pairs(clinic_bookings(world)) == []


def test_it_lets_50_concurrent_bookings_of_different_times_all_succeed(world: World) -> None:
    starts = [at(7) + dt.timedelta(minutes=15 * i) for i in range(50)]  # 07:00 .. 19:15

    with ThreadPoolExecutor(max_workers=50) as pool:
        made = list(pool.map(lambda start: book(world, start, treatment=world.check).start, starts))

    assert made == starts
    bookings = clinic_bookings(world)
    assert sorted(b.start for b in bookings) == starts
    assert overlapping_pairs(bookings) == []


def test_it_refuses_a_suspended_clinic(world: World) -> None:
    clinic_services.clinic_suspend(tenant_id=world.tenant_id)

    with pytest.raises(errors.ClinicSuspended):
        book(world, at(9))


def test_it_makes_references_that_cannot_be_misheard() -> None:
    references = {services.booking_reference(f"booking-{i}") for i in range(2000)}

    assert len(references) == 2000
    assert all(len(r) == 8 and not set(r) & set("ILOU") for r in references)


# ---------------------------------------------------------------- the transaction budget


def test_it_caps_duration_plus_buffers_to_fit_a_reschedule_in_one_transaction(world: World) -> None:
    assert dynamo.MAX_BLOCK_MINUTES == 230
    # A reschedule frees and claims every cell, checks the clinic, writes the booking, deletes a
    # hold, and leaves room for 4 outbox items: 46 + 46 + 3 + 4 = 99 <= 100.
    assert 2 * dynamo.MAX_BLOCK_CELLS + dynamo.RESCHEDULE_FIXED_ITEMS <= dynamo.MAX_TRANSACTION_ITEMS
    with pytest.raises(ValidationError):
        clinic_services.treatment_create(
            tenant_id=world.tenant_id, name="Too long", duration_minutes=200, buffer_after_minutes=35, price="1"
        )


def test_it_books_and_moves_the_longest_treatment_in_one_transaction(world: World) -> None:
    """At the cap, a move to a disjoint time is the biggest transaction there is; it must fit."""
    booking, surgeon = longest_booking(world)
    with transaction_sizes() as sizes:
        moved = services.booking_reschedule(
            tenant_id=world.tenant_id, booking_id=booking.booking_id, new_start=at(14), actor=system(world)
        )

    assert moved.start == at(14)
    # Freed, claimed, the clinic check and the booking (no hold here), and the outbox: the message of
    # the move and the clinic's two reminders at their new times (notifications.outbox).
    assert sizes == [46 + 46 + 2 + 3]
    # With a hold used, and the most outbox items a move writes (its message and three reminders).
    assert 46 + 46 + 2 + 1 + dynamo.OUTBOX_ITEMS_RESERVED <= dynamo.MAX_TRANSACTION_ITEMS
    assert len(cells_of(world, surgeon.professional_id)) == 46
    assert moved.start > NOW
