from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest

from booking import selectors, services
from booking.models import Booking, BookingStatus
from nexioq import dynamo
from tests.conftest import DAY, NOW, World, at

PATIENT = services.PatientDetails(name="Ana Pérez", email="ana@example.com", phone="+573001234567")


def book(world: World, professional, start: dt.datetime, treatment=None, **kwargs) -> Booking:  # type: ignore[no-untyped-def]
    return services.booking_create(
        clinic=world.clinic,
        treatment=treatment or world.cleaning,
        professional=professional,
        start=start,
        patient=PATIENT,
        **kwargs,
    )


def clinic_bookings(world: World) -> list[Booking]:
    return list(Booking.query(dynamo.tenant_pk(world.tenant_id), Booking.sk.startswith("BOOKING#")))


def overlapping_pairs(bookings: list[Booking]) -> list[tuple[str, str]]:
    live = [b for b in bookings if b.status == BookingStatus.CONFIRMED]
    return [
        (a.booking_id, b.booking_id)
        for i, a in enumerate(live)
        for b in live[i + 1 :]
        if a.professional_id == b.professional_id
        and a.blocked_start < b.blocked_end
        and b.blocked_start < a.blocked_end
    ]


def test_it_writes_the_booking_and_its_cells(world: World) -> None:
    booking = book(world, world.ana, at(9))

    stored = selectors.booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert stored.start == at(9)
    assert stored.end == at(10)
    assert stored.status == BookingStatus.CONFIRMED
    assert stored.reference == services.booking_reference(booking.booking_id)
    assert stored.gsi2pk == f"PROFESSIONAL#{world.ana.professional_id}"
    taken = selectors.occupied_cells(tenant_id=world.tenant_id, start=at(8), end=at(11), now=NOW)
    assert sorted(taken[world.ana.professional_id]) == [at(9) + dt.timedelta(minutes=5 * i) for i in range(12)]
    assert world.ben.professional_id not in taken


@pytest.mark.parametrize("minute", [15, 45])
def test_it_refuses_an_overlapping_start_for_the_same_professional(world: World, minute: int) -> None:
    book(world, world.ana, at(9))

    with pytest.raises(services.SlotUnavailable):
        book(world, world.ana, at(9, minute))
    assert len(clinic_bookings(world)) == 1


@pytest.mark.parametrize("minute", [15, 45])
def test_it_allows_the_same_time_with_another_professional(world: World, minute: int) -> None:
    book(world, world.ana, at(9))

    other = book(world, world.ben, at(9, minute))
    assert other.professional_id == world.ben.professional_id


def test_it_allows_back_to_back_bookings(world: World) -> None:
    book(world, world.ana, at(9))
    book(world, world.ana, at(10))
    book(world, world.ana, at(8))
    assert len(clinic_bookings(world)) == 3


def test_it_blocks_buffers_too(world: World) -> None:
    # Whitening at 10:00 occupies 09:50-10:40 (10 minutes before and after).
    book(world, world.ana, at(10), treatment=world.whitening)

    with pytest.raises(services.SlotUnavailable):
        book(world, world.ana, at(9, 0))  # a 60-minute cleaning would end at 10:00, inside the buffer
    with pytest.raises(services.SlotUnavailable):
        book(world, world.ana, at(10, 30), treatment=world.check)  # inside the after-buffer
    book(world, world.ana, at(10, 45), treatment=world.check)  # after the buffer: free
    book(world, world.ana, at(8, 45))  # 08:45-09:45 ends before the buffer starts
    assert overlapping_pairs(clinic_bookings(world)) == []


def test_it_refuses_a_time_outside_working_hours(world: World) -> None:
    with pytest.raises(services.NotOffered):
        book(world, world.ana, at(19, 30))  # would end 20:30, after hours
    with pytest.raises(services.NotOffered):
        book(world, world.ana, at(9, 7))  # not on the grid


def test_it_refuses_a_time_in_the_past(world: World) -> None:
    with pytest.raises(services.NotOffered):
        book(world, world.ana, at(6, day=DAY - dt.timedelta(days=2)))


def test_it_lets_exactly_one_of_50_concurrent_confirms_win(world: World) -> None:
    def attempt(i: int) -> str:
        patient = services.PatientDetails(name=f"P{i}", email=f"p{i}@example.com", phone="+573001234567")
        try:
            services.booking_create(
                clinic=world.clinic, treatment=world.cleaning, professional=world.ana, start=at(9), patient=patient
            )
        except services.SlotUnavailable:
            return "409"
        return "201"

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(attempt, range(50)))

    assert outcomes.count("201") == 1
    assert outcomes.count("409") == 49
    bookings = clinic_bookings(world)
    assert len(bookings) == 1
    assert overlapping_pairs(bookings) == []


def test_it_lets_50_concurrent_bookings_of_different_times_all_succeed(world: World) -> None:
    starts = [at(7) + dt.timedelta(minutes=15 * i) for i in range(50)]  # 07:00 .. 19:15

    def attempt(start: dt.datetime) -> str:
        try:
            book(world, world.ana, start, treatment=world.check)
        except services.SlotUnavailable:
            return "409"
        return "201"

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(attempt, starts))

    assert outcomes == ["201"] * 50
    bookings = clinic_bookings(world)
    assert sorted(b.start for b in bookings) == starts
    assert overlapping_pairs(bookings) == []


def test_it_books_the_same_booking_id_once(world: World) -> None:
    first = book(world, world.ana, at(9), booking_id="fixed-id-1")
    again = book(world, world.ana, at(9), booking_id="fixed-id-1")

    assert again.booking_id == first.booking_id
    assert len(clinic_bookings(world)) == 1


def test_it_refuses_bookings_at_a_suspended_clinic(world: World) -> None:
    world.clinic.suspended = True
    with pytest.raises(services.NotOffered):
        book(world, world.ana, at(9))


def test_it_makes_references_that_cannot_be_misheard() -> None:
    references = {services.booking_reference(f"booking-{i}") for i in range(2000)}

    assert len(references) == 2000
    assert all(len(r) == 8 and not set(r) & set("ILOU") for r in references)
