from __future__ import annotations

import datetime as dt

import pytest

from booking import selectors, services
from booking.models import BookingStatus
from tests.conftest import NOW, World, at

PATIENT = services.PatientDetails(name="Marta Ruiz", email="marta@example.com", phone="+573001234567")


def book(world: World, professional, start):  # type: ignore[no-untyped-def]
    return services.booking_create(
        clinic=world.clinic, treatment=world.cleaning, professional=professional, start=start, patient=PATIENT
    )


def test_it_cancels_and_frees_the_time(world: World) -> None:
    booking = book(world, world.ana, at(9))

    services.booking_cancel(booking=booking)

    stored = selectors.booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert stored.status == BookingStatus.CANCELLED
    assert selectors.occupied_cells(tenant_id=world.tenant_id, start=at(8), end=at(11), now=NOW) == {}
    assert book(world, world.ana, at(9, 30)).start == at(9, 30)


def test_it_refuses_to_cancel_twice(world: World) -> None:
    booking = book(world, world.ana, at(9))
    services.booking_cancel(booking=booking)

    with pytest.raises(services.InvalidState):
        services.booking_cancel(booking=booking)


def test_it_refuses_a_cancel_from_a_stale_copy(world: World) -> None:
    booking = book(world, world.ana, at(9))
    stale = selectors.booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    services.booking_reschedule(
        clinic=world.clinic, booking=booking, treatment=world.cleaning, professional=world.ana, new_start=at(11)
    )

    with pytest.raises(services.InvalidState):
        services.booking_cancel(booking=stale)
    # The stale cancel freed nothing: the moved booking still holds 11:00.
    with pytest.raises(services.SlotUnavailable):
        book(world, world.ana, at(11))


def test_it_reschedules_and_moves_the_cells(world: World) -> None:
    booking = book(world, world.ana, at(9))

    moved = services.booking_reschedule(
        clinic=world.clinic, booking=booking, treatment=world.cleaning, professional=world.ben, new_start=at(14)
    )

    stored = selectors.booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert (stored.start, stored.professional_id, stored.version) == (at(14), world.ben.professional_id, 2)
    assert moved.gsi2pk == f"PROFESSIONAL#{world.ben.professional_id}"
    taken = selectors.occupied_cells(tenant_id=world.tenant_id, start=at(8), end=at(16), now=NOW)
    assert set(taken) == {world.ben.professional_id}
    assert min(taken[world.ben.professional_id]) == at(14)
    assert book(world, world.ana, at(9)).start == at(9)


def test_it_reschedules_onto_an_overlapping_time_of_its_own(world: World) -> None:
    booking = book(world, world.ana, at(9))

    services.booking_reschedule(
        clinic=world.clinic, booking=booking, treatment=world.cleaning, professional=world.ana, new_start=at(9, 30)
    )

    taken = selectors.occupied_cells(tenant_id=world.tenant_id, start=at(8), end=at(11), now=NOW)
    assert (min(taken[world.ana.professional_id]), len(taken[world.ana.professional_id])) == (at(9, 30), 12)


def test_it_leaves_the_booking_untouched_when_the_new_time_is_taken(world: World) -> None:
    booking = book(world, world.ana, at(9))
    book(world, world.ana, at(12))

    with pytest.raises(services.SlotUnavailable):
        services.booking_reschedule(
            clinic=world.clinic, booking=booking, treatment=world.cleaning, professional=world.ana, new_start=at(12, 30)
        )

    stored = selectors.booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert (stored.start, stored.version, stored.status) == (at(9), 1, BookingStatus.CONFIRMED)
    assert booking.start == at(9)
    # Its old cells are still its own.
    with pytest.raises(services.SlotUnavailable):
        book(world, world.ana, at(9, 15))
    taken = selectors.occupied_cells(tenant_id=world.tenant_id, start=at(8), end=at(11), now=NOW)
    assert min(taken[world.ana.professional_id]) == at(9)


def test_it_moves_the_booking_between_professionals_agendas(world: World) -> None:
    booking = book(world, world.ana, at(9))
    day = (at(0), at(0) + dt.timedelta(days=1))

    before = selectors.bookings_for_professional(
        professional_id=world.ana.professional_id, start=day[0], end=day[1], tenant_id=world.tenant_id
    )
    services.booking_reschedule(
        clinic=world.clinic, booking=booking, treatment=world.cleaning, professional=world.ben, new_start=at(14)
    )
    ana_after, ben_after = (
        selectors.bookings_for_professional(
            professional_id=p.professional_id, start=day[0], end=day[1], tenant_id=world.tenant_id
        )
        for p in (world.ana, world.ben)
    )

    assert [b.booking_id for b in before] == [booking.booking_id]
    assert ana_after == []
    assert [(b.booking_id, b.start) for b in ben_after] == [(booking.booking_id, at(14))]
