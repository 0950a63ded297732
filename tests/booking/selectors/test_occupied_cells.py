from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from booking import selectors, services
from clinics import services as clinic_services
from nexioq import dynamo
from nexioq.dynamo import count_requests
from tests.conftest import DAY, NOW, World, anonymous, at, book, hold, make_world, system

pytestmark = pytest.mark.django_db


def raw_count(world: World, professional_id: str, start: dt.datetime, end: dt.datetime) -> tuple[int, int]:
    """(items returned, items DynamoDB read) by the cell query of one professional's range."""
    client = dynamo.TableItem._get_connection().connection.client
    low, high = dynamo.cell_range(professional_id, start, end)
    page = client.query(
        TableName=dynamo.TableItem.Meta.table_name,
        KeyConditionExpression="PK = :pk AND SK BETWEEN :low AND :high",
        ExpressionAttributeValues={
            ":pk": {"S": dynamo.tenant_pk(world.tenant_id)},
            ":low": {"S": low},
            ":high": {"S": high},
        },
    )
    return page["Count"], page["ScannedCount"]


def test_it_reads_only_the_professionals_own_cells(world: World) -> None:
    """Dr. Ben's busy day costs Dra. Ana's query nothing: cost follows the professional."""
    for hour in range(8, 19):
        book(world, at(hour), professional=world.ben)
    book(world, at(9), professional=world.ana)

    with count_requests() as count:
        taken = selectors.occupied_cells(
            tenant_id=world.tenant_id, professional_id=world.ana.professional_id, start=at(0), end=at(23), now=NOW
        )

    assert count.operations == ["Query"]
    assert taken == {at(9) + dt.timedelta(minutes=5 * i) for i in range(12)}
    assert raw_count(world, world.ana.professional_id, at(0), at(23)) == (12, 12)


def test_it_bounds_the_range_exactly(world: World) -> None:
    book(world, at(9))  # cells 09:00 .. 09:55

    taken = selectors.occupied_cells(
        tenant_id=world.tenant_id, professional_id=world.ana.professional_id, start=at(9, 5), end=at(9, 55), now=NOW
    )

    assert min(taken) == at(9, 5)
    assert max(taken) == at(9, 50)  # [start, end): the 09:55 cell starts at the end


def test_it_computes_one_professionals_week_in_two_requests(world: World) -> None:
    for offset in range(5):
        book(world, at(10, day=DAY + dt.timedelta(days=offset)))
    from clinics.selectors import clinic_context

    with count_requests() as count:
        context = clinic_context(
            tenant_id=world.tenant_id,
            treatment_id=world.cleaning.treatment_id,
            professional_id=world.ana.professional_id,
        )
        assert context.treatment is not None and context.professional is not None
        slots = selectors.availability(
            clinic=context.clinic,
            treatment=context.treatment,
            professionals=[context.professional],
            first_day=DAY,
            last_day=DAY + dt.timedelta(days=6),
            now=NOW,
        )

    assert count.operations == ["BatchGetItem", "Query"]
    assert at(10) not in {s.start for s in slots}
    assert at(11) in {s.start for s in slots}


def test_it_reads_anyone_from_the_clinic_agenda_in_one_query(world: World) -> None:
    with count_requests() as count:
        selectors.availability(
            clinic=world.clinic,
            treatment=world.cleaning,
            professionals=[world.ana, world.ben],
            first_day=DAY,
            last_day=DAY,
            now=NOW,
        )

    assert count.operations == ["Query"]


def test_it_sees_in_the_agenda_exactly_what_the_cells_hold(world: World, frozen: time_machine.Coordinates) -> None:
    """Bookings, live holds, a cancelled booking, an expired hold, a booking from before the range."""
    book(world, at(7), professional=world.ana)  # 07:00-08:00: begins before the range
    book(world, at(10), professional=world.ben, treatment=world.whitening)  # buffers 09:50-10:40
    cancelled = book(world, at(12), professional=world.ana)
    services.booking_cancel(tenant_id=world.tenant_id, booking_id=cancelled.booking_id, actor=system(world))
    hold(world, at(14), professional=world.ana, actor=anonymous(world, "expired"))
    frozen.shift(dt.timedelta(minutes=6))
    hold(world, at(15), professional=world.ben, actor=anonymous(world, "live"))
    now = NOW + dt.timedelta(minutes=6)
    start, end = at(7, 30), at(18)
    ids = [world.ana.professional_id, world.ben.professional_id]

    from_agenda = selectors.occupied_from_agenda(
        tenant_id=world.tenant_id, professional_ids=ids, start=start, end=end, now=now
    )
    from_cells = {
        pid: selectors.occupied_cells(tenant_id=world.tenant_id, professional_id=pid, start=start, end=end, now=now)
        for pid in ids
    }

    assert from_agenda == from_cells
    assert min(from_agenda[world.ana.professional_id]) == at(7, 30)
    assert at(12) not in from_agenda[world.ana.professional_id] and at(14) not in from_agenda[world.ana.professional_id]
    assert at(15) in from_agenda[world.ben.professional_id]


def test_it_keeps_professionals_of_two_clinics_with_the_same_id_apart(world: World) -> None:
    other = make_world()
    hours = {d: [("07:00", "20:00")] for d in range(7)}
    for clinic in (world, other):
        clinic_services.professional_create(
            tenant_id=clinic.tenant_id,
            professional_id="shared-id",
            name="Dr. Homónimo",
            weekly_hours=hours,
            treatment_ids=[clinic.cleaning.treatment_id],
        )
    mine = book(world, at(9), professional=_shared(world))
    book(other, at(11), professional=_shared(other))

    found = selectors.bookings_in_range(tenant_id=world.tenant_id, start=at(0), end=at(23), professional_id="shared-id")

    assert [b.booking_id for b in found] == [mine.booking_id]


def _shared(world: World):  # type: ignore[no-untyped-def]
    from clinics.selectors import clinic_context

    return clinic_context(tenant_id=world.tenant_id, professional_id="shared-id").professional


def test_it_lists_a_clinics_bookings_in_a_range_in_one_query_with_their_ids(world: World) -> None:
    early = book(world, at(7))  # 07:00-08:00: overlaps a range starting 07:30
    late = book(world, at(12), professional=world.ben)
    book(world, at(16))  # after the range

    with count_requests() as count:
        found = selectors.bookings_in_range(tenant_id=world.tenant_id, start=at(7, 30), end=at(16))

    assert count.operations == ["Query"]
    assert [b.booking_id for b in found] == [early.booking_id, late.booking_id]
