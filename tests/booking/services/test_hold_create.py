from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from booking import errors, selectors, services
from booking.models import CellKind, Hold
from clinics import services as clinic_services
from clinics.models import Clinic
from nexioq import dynamo
from tests.booking.helpers import before_dynamodb, cells_of
from tests.conftest import DAY, NOW, World, anonymous, at, book, hold, make_world, member


def test_it_holds_the_cells_for_five_minutes_for_this_browser(world: World) -> None:
    held = hold(world, at(9), actor=anonymous(world, "browser-a"))

    assert held.locked_until == int((NOW + dt.timedelta(minutes=5)).timestamp())
    assert held.holder == "browser:browser-a"
    assert held.booking_id == held.hold_id  # the booking it becomes keeps the hold's id
    cells = cells_of(world, world.ana.professional_id)
    assert len(cells) == 12  # 60 minutes of 5-minute cells
    assert {c.kind for c in cells} == {CellKind.HOLD}
    assert held.expires_at is not None  # TTL cleans it up later


def test_it_records_a_signed_in_holder_by_user(world: World, people: object) -> None:
    held = hold(world, at(9), actor=member(world, people.patient))  # type: ignore[attr-defined]

    assert held.holder == f"user:{people.patient.pk}"  # type: ignore[attr-defined]


def test_it_shows_a_live_hold_as_taken_and_blocks_others(world: World) -> None:
    hold(world, at(9), actor=anonymous(world, "a"))

    with pytest.raises(errors.SlotTaken):
        hold(world, at(9, 30), actor=anonymous(world, "b"))
    with pytest.raises(errors.SlotTaken):
        book(world, at(9))
    slots = selectors.availability(
        clinic=world.clinic, treatment=world.cleaning, professionals=[world.ana], first_day=DAY, last_day=DAY, now=NOW
    )
    assert at(9) not in {s.start for s in slots}


def test_it_frees_an_expired_hold(world: World, frozen: time_machine.Coordinates) -> None:
    hold(world, at(9), actor=anonymous(world, "a"))
    frozen.shift(dt.timedelta(minutes=5, seconds=1))

    later = NOW + dt.timedelta(minutes=6)
    slots = selectors.availability(
        clinic=world.clinic, treatment=world.cleaning, professionals=[world.ana], first_day=DAY, last_day=DAY, now=later
    )
    assert at(9) in {s.start for s in slots}
    assert hold(world, at(9), actor=anonymous(world, "b")).holder == "browser:b"


def test_it_picks_the_next_free_professional_for_anyone(world: World) -> None:
    book(world, at(9), professional=world.ana)

    held = hold(world, at(9), anyone=True)

    assert held.professional_id == world.ben.professional_id


@pytest.mark.parametrize(
    ("start", "refusal"),
    [
        (at(9, day=DAY - dt.timedelta(days=3)), errors.InThePast),
        (dt.datetime(1, 1, 1, tzinfo=dt.UTC), errors.InThePast),
        (at(9, day=DAY + dt.timedelta(days=61)), errors.TooFarAhead),
        (dt.datetime(9999, 12, 31, 23, 55, tzinfo=dt.UTC), errors.TooFarAhead),
        (at(6), errors.OutsideHours),  # before Dra. Ana starts at 07:00
        (at(19, 30), errors.OutsideHours),  # 60 minutes would end after 20:00
        (at(9, 5), errors.OutsideHours),  # off the 15-minute grid
        (at(9) + dt.timedelta(seconds=1), errors.OutsideHours),
    ],
)
def test_it_says_why_a_time_is_not_offered(world: World, start: dt.datetime, refusal: type[Exception]) -> None:
    with pytest.raises(refusal):
        hold(world, start)

    assert cells_of(world, world.ana.professional_id) == []


def test_it_refuses_a_time_inside_the_minimum_notice(dynamodb_local: str, frozen: time_machine.Coordinates) -> None:
    world = make_world(min_notice_minutes=30 * 60)

    with pytest.raises(errors.TooSoon):
        hold(world, at(9))  # 26 hours from now
    assert hold(world, at(9, day=DAY + dt.timedelta(days=1))).start == at(9, day=DAY + dt.timedelta(days=1))


def test_it_refuses_a_suspended_clinic(world: World) -> None:
    clinic_services.clinic_suspend(tenant_id=world.tenant_id)

    with pytest.raises(errors.ClinicSuspended):
        hold(world, at(9))
    assert cells_of(world, world.ana.professional_id) == []


def test_it_checks_the_suspension_inside_the_transaction(world: World) -> None:
    """Suspended after the clinic was read but before the write: the transaction itself refuses."""
    suspend = lambda: Clinic(dynamo.tenant_pk(world.tenant_id), dynamo.CLINIC_SK).update(  # noqa: E731
        actions=[Clinic.suspended.set(True)], add_version_condition=False
    )

    with before_dynamodb("TransactWriteItems", suspend) as ran, pytest.raises(errors.ClinicSuspended):
        hold(world, at(9))

    assert len(ran) == 1
    assert cells_of(world, world.ana.professional_id) == []
    assert (
        list(Hold.query(dynamo.tenant_pk(world.tenant_id), Hold.sk.between(*dynamo.prefix_range(dynamo.HOLD_PREFIX))))
        == []
    )


def test_it_refuses_an_unknown_treatment_or_professional(world: World) -> None:
    with pytest.raises(errors.NotFound):
        services.hold_create(
            tenant_id=world.tenant_id,
            treatment_id="no-such-treatment",
            professional_id=None,
            start=at(9),
            actor=anonymous(world),
        )
    with pytest.raises(errors.NotFound):
        services.hold_create(
            tenant_id=world.tenant_id,
            treatment_id=world.cleaning.treatment_id,
            professional_id="x" * 2000,  # longer than a DynamoDB key allows
            start=at(9),
            actor=anonymous(world),
        )


def test_it_releases_my_hold(world: World) -> None:
    me = anonymous(world, "mine")
    held = hold(world, at(9), actor=me)

    services.hold_release(tenant_id=world.tenant_id, hold_id=held.hold_id, actor=me)

    assert cells_of(world, world.ana.professional_id) == []
    with pytest.raises(errors.HoldNotFound):
        selectors.hold_get(tenant_id=world.tenant_id, hold_id=held.hold_id)


def test_it_leaves_someone_elses_hold_alone(world: World) -> None:
    held = hold(world, at(9), actor=anonymous(world, "theirs"))

    services.hold_release(tenant_id=world.tenant_id, hold_id=held.hold_id, actor=anonymous(world, "mine"))

    assert len(cells_of(world, world.ana.professional_id)) == 12
    assert selectors.hold_get(tenant_id=world.tenant_id, hold_id=held.hold_id).hold_id == held.hold_id


def test_it_releases_only_my_cells_once_someone_took_part_of_an_expired_hold(
    world: World, frozen: time_machine.Coordinates
) -> None:
    """The fallback: the transaction is refused (some cells are someone else's), so only the hold goes."""
    me = anonymous(world, "mine")
    held = hold(world, at(9), actor=me)
    frozen.shift(dt.timedelta(minutes=6))
    taken = book(world, at(9, 30), treatment=world.check)  # 09:30-09:45, inside my expired hold

    services.hold_release(tenant_id=world.tenant_id, hold_id=held.hold_id, actor=me)

    with pytest.raises(errors.HoldNotFound):
        selectors.hold_get(tenant_id=world.tenant_id, hold_id=held.hold_id)
    theirs = [c for c in cells_of(world, world.ana.professional_id) if c.booking_id == taken.booking_id]
    assert len(theirs) == 3


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Asia/Tokyo", "Pacific/Pago_Pago"])
def test_it_refuses_the_last_instant_of_the_calendar_in_any_zone(
    dynamodb_local: str, frozen: time_machine.Coordinates, zone: str
) -> None:
    """Services called directly (the API, a task) are not behind the web form's guard: no overflow."""
    world = make_world(time_zone=zone)
    last = dt.datetime(9999, 12, 31, 23, 55, tzinfo=dt.UTC)

    with pytest.raises(errors.TooFarAhead):
        hold(world, last)
    with pytest.raises(errors.TooFarAhead):
        book(world, last)
