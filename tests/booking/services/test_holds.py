from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from booking import selectors, services
from booking.models import Booking
from clinics.selectors import NotFound
from nexioq import dynamo
from nexioq.dynamo import count_requests
from tests.conftest import NOW, World, at

PATIENT = services.PatientDetails(name="Luis Gómez", email="luis@example.com", phone="+573001234567")


def hold(world: World, start: dt.datetime, professionals=None, treatment=None):  # type: ignore[no-untyped-def]
    return services.hold_create(
        clinic=world.clinic,
        treatment=treatment or world.cleaning,
        professionals=professionals or [world.ana],
        start=start,
    )


def confirm(world: World, held, patient=PATIENT) -> Booking:  # type: ignore[no-untyped-def]
    professional = world.ana if held.professional_id == world.ana.professional_id else world.ben
    return services.booking_create(
        clinic=world.clinic,
        treatment=world.cleaning,
        professional=professional,
        start=held.start,
        patient=patient,
        hold=held,
    )


def test_it_holds_the_cells_for_five_minutes(world: World) -> None:
    held = hold(world, at(9))

    assert held.locked_until == int((NOW + dt.timedelta(minutes=5)).timestamp())
    taken = selectors.occupied_cells(tenant_id=world.tenant_id, start=at(9), end=at(10), now=NOW)
    assert len(taken[world.ana.professional_id]) == 12
    assert held.expires_at is not None  # TTL cleans it up later


def test_it_shows_a_live_hold_as_taken_and_blocks_others(world: World) -> None:
    hold(world, at(9))

    with pytest.raises(services.SlotUnavailable):
        hold(world, at(9, 30))
    with pytest.raises(services.SlotUnavailable):
        services.booking_create(
            clinic=world.clinic, treatment=world.cleaning, professional=world.ana, start=at(9), patient=PATIENT
        )
    slots = selectors.availability(
        clinic=world.clinic,
        treatment=world.cleaning,
        professionals=[world.ana],
        first_day=at(9).date(),
        last_day=at(9).date(),
        now=NOW,
    )
    assert at(9) not in {s.start for s in slots}


def test_it_frees_an_expired_hold(world: World, frozen: time_machine.Coordinates) -> None:
    hold(world, at(9))
    frozen.shift(dt.timedelta(minutes=5, seconds=1))

    slots = selectors.availability(
        clinic=world.clinic,
        treatment=world.cleaning,
        professionals=[world.ana],
        first_day=at(9).date(),
        last_day=at(9).date(),
        now=NOW + dt.timedelta(minutes=6),
    )
    assert at(9) in {s.start for s in slots}
    booking = services.booking_create(
        clinic=world.clinic, treatment=world.cleaning, professional=world.ana, start=at(9, 30), patient=PATIENT
    )
    assert booking.start == at(9, 30)


def test_it_lets_me_confirm_my_hold(world: World) -> None:
    held = hold(world, at(9))

    booking = confirm(world, held)

    assert booking.booking_id == held.booking_id
    with pytest.raises(NotFound):
        selectors.hold_get(tenant_id=world.tenant_id, hold_id=held.hold_id)
    taken = selectors.occupied_cells(tenant_id=world.tenant_id, start=at(9), end=at(10), now=NOW)
    assert len(taken[world.ana.professional_id]) == 12


def test_it_lets_me_confirm_my_expired_hold_while_the_time_is_still_free(
    world: World, frozen: time_machine.Coordinates
) -> None:
    held = hold(world, at(9))
    frozen.shift(dt.timedelta(minutes=20))

    assert confirm(world, held).start == at(9)


def test_it_refuses_my_expired_hold_once_someone_else_took_the_time(
    world: World, frozen: time_machine.Coordinates
) -> None:
    held = hold(world, at(9))
    frozen.shift(dt.timedelta(minutes=6))
    services.booking_create(
        clinic=world.clinic, treatment=world.cleaning, professional=world.ana, start=at(9, 15), patient=PATIENT
    )

    with pytest.raises(services.SlotUnavailable):
        confirm(world, held)


def test_it_gives_one_booking_for_a_double_confirm(world: World) -> None:
    held = hold(world, at(9))

    first = confirm(world, held)
    second = confirm(world, held)

    assert first.booking_id == second.booking_id
    bookings = list(Booking.query(dynamo.tenant_pk(world.tenant_id), Booking.sk.startswith("BOOKING#")))
    assert len(bookings) == 1


def test_it_picks_the_next_free_professional_for_any(world: World) -> None:
    hold(world, at(9), professionals=[world.ana])

    with count_requests() as counted:
        held = hold(world, at(9), professionals=[world.ana, world.ben])

    assert held.professional_id == world.ben.professional_id
    # One read of the day for both professionals, then the one transaction that wins.
    assert counted.operations == ["Query", "TransactWriteItems"]


def test_it_releases_a_hold(world: World) -> None:
    held = hold(world, at(9))

    services.hold_release(hold=held)

    assert selectors.occupied_cells(tenant_id=world.tenant_id, start=at(9), end=at(10), now=NOW) == {}
    hold(world, at(9))
