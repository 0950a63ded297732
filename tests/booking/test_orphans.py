"""Which future bookings a change of hours, time off, closures or a deactivation leaves outside."""

from __future__ import annotations

import copy
import datetime as dt

from booking.orphans import bookings_left_outside
from booking.services import booking_cancel
from clinics.models import TimeRange, WorkRange
from nexioq.dynamo import TableItem
from tests.conftest import DAY, World, at, book, system

NEXT_DAY = DAY + dt.timedelta(days=1)


def changed[T: TableItem](item: T) -> T:
    """An unsaved copy to change: copy.copy alone shares PynamoDB's attribute values with the original."""
    duplicate = copy.copy(item)
    duplicate.attribute_values = dict(item.attribute_values)
    return duplicate


def test_new_hours_that_no_longer_cover_a_booking_list_it_and_only_it(world: World) -> None:
    morning = book(world, at(8), professional=world.ana)
    afternoon = book(world, at(15), professional=world.ana)
    book(world, at(15), professional=world.ben)  # another agenda: not Ana's change
    ana = changed(world.ana)
    ana.weekly_hours = [WorkRange(weekday=d, start="07:00", end="12:00") for d in range(7)]

    left = bookings_left_outside(clinic=world.clinic, professionals=[ana])

    assert [b.booking_id for b in left] == [afternoon.booking_id]
    assert world.ana.weekly_hours[0].end == "20:00"  # the original is untouched
    assert morning.booking_id not in {b.booking_id for b in left}


def test_a_break_inside_a_booking_leaves_it_outside(world: World) -> None:
    booking = book(world, at(11), professional=world.ana)  # 11:00-12:00
    ana = changed(world.ana)
    ana.weekly_hours = [
        WorkRange(weekday=d, start=start, end=end)
        for d in range(7)
        for start, end in (("07:00", "11:30"), ("13:00", "20:00"))
    ]

    assert [b.booking_id for b in bookings_left_outside(clinic=world.clinic, professionals=[ana])] == [
        booking.booking_id
    ]


def test_time_off_and_deactivation_leave_bookings_outside(world: World) -> None:
    booking = book(world, at(9), professional=world.ana)
    off = changed(world.ana)
    off.time_off = [TimeRange(start=at(9, 30), end=at(10, 30), reason="")]
    gone = changed(world.ana)
    gone.active = False

    assert [b.booking_id for b in bookings_left_outside(clinic=world.clinic, professionals=[off])] == [
        booking.booking_id
    ]
    assert [b.booking_id for b in bookings_left_outside(clinic=world.clinic, professionals=[gone])] == [
        booking.booking_id
    ]


def test_a_closure_is_judged_for_every_professional_and_cancelled_bookings_do_not_count(world: World) -> None:
    ana_booking = book(world, at(9), professional=world.ana)
    ben_booking = book(world, at(10), professional=world.ben)
    book(world, at(9, day=NEXT_DAY), professional=world.ana)  # after the closure: kept
    cancelled = book(world, at(14), professional=world.ben)
    booking_cancel(tenant_id=world.tenant_id, booking_id=cancelled.booking_id, actor=system(world))
    clinic = changed(world.clinic)
    clinic.closures = [TimeRange(start=at(0), end=at(0, day=NEXT_DAY), reason="Festivo")]

    left = bookings_left_outside(clinic=clinic, professionals=[world.ana, world.ben], whole_clinic=True)

    assert [b.booking_id for b in left] == [ana_booking.booking_id, ben_booking.booking_id]


def test_nothing_is_outside_when_nothing_changes(world: World) -> None:
    book(world, at(9), professional=world.ana)
    book(world, at(19), professional=world.ben)

    assert bookings_left_outside(clinic=world.clinic, professionals=[world.ana, world.ben], whole_clinic=True) == []
