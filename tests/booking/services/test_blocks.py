from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.utils import translation

from booking import block_selectors, errors, selectors, services
from booking.blocks import MAX_SEGMENTS, block_create, block_remove
from booking.changes import agenda_generation
from booking.models import Block, BlockReason, Booking, CellKind
from clinics import services as clinic_services
from nexioq import dynamo
from nexioq.dynamo import TableItem
from nexioq.errors import Forbidden, NotFound
from tests.booking.helpers import before_dynamodb, cells_of, clinic_partition
from tests.conftest import DAY, NOW, People, World, anonymous, at, book, hold, make_world, member, system

pytestmark = pytest.mark.django_db

WEEK = dt.timedelta(weeks=1)


def block(
    world: World,
    start: dt.datetime,
    end: dt.datetime,
    *,
    weeks: int = 1,
    professional: Any = None,
    actor: Any = None,
    reason: str = BlockReason.MEETING,
) -> list[Block]:
    return block_create(
        tenant_id=world.tenant_id,
        professional_id=(professional or world.ana).professional_id,
        start=start,
        end=end,
        reason=reason,
        note="Reunión de equipo",
        weeks=weeks,
        actor=actor or system(world),
    )


def blocks_stored(world: World) -> list[Block]:
    return [
        b
        for b in Block.query(
            dynamo.tenant_pk(world.tenant_id),
            Block.sk.between(*dynamo.prefix_range(dynamo.BLOCK_PREFIX)),
            consistent_read=True,
        )
    ]


def cell_owners(world: World, professional: Any = None) -> dict[dt.datetime, tuple[str, str | None]]:
    return {
        dynamo.parse_cell_sk(c.sk)[1]: (c.kind, c.booking_id)
        for c in cells_of(world, (professional or world.ana).professional_id)
    }


# ---------------------------------------------------------------- create


def test_it_writes_the_block_its_cells_and_its_agenda_entries(world: World) -> None:
    generation = agenda_generation(tenant_id=world.tenant_id)

    [made] = block(world, at(9), at(10))

    assert (made.start, made.end, made.blocked_start, made.blocked_end) == (at(9), at(10), at(9), at(10))
    assert made.reason == BlockReason.MEETING and made.note == "Reunión de equipo"
    owners = cell_owners(world)
    assert sorted(owners) == [at(9) + dt.timedelta(minutes=5 * i) for i in range(12)]
    assert set(owners.values()) == {(CellKind.BLOCK, made.block_id)}
    stored = Block.get(dynamo.tenant_pk(world.tenant_id), dynamo.block_sk(made.block_id), consistent_read=True)
    assert stored.agenda_pk == dynamo.professional_agenda_pk(world.tenant_id, world.ana.professional_id)
    assert stored.clinic_agenda_pk == dynamo.clinic_agenda_pk(world.tenant_id)
    assert stored.agenda_sk == stored.clinic_agenda_sk == dynamo.agenda_sk(at(9), made.block_id)
    assert stored.patient_pk is None  # never on a patient's list
    assert agenda_generation(tenant_id=world.tenant_id) != generation


def test_it_repeats_weekly_at_the_same_time(world: World) -> None:
    made = block(world, at(9), at(10, 30), weeks=4)

    assert [(b.start, b.end) for b in made] == [(at(9) + WEEK * i, at(10, 30) + WEEK * i) for i in range(4)]
    assert len({b.series_id for b in made}) == 1
    assert len({b.occurrence_id for b in made}) == 4
    assert len(blocks_stored(world)) == 4
    assert len(cell_owners(world)) == 4 * 18


def test_it_keeps_the_wall_clock_time_across_a_dst_change(dynamodb_local: str, frozen: Any) -> None:
    world = make_world(time_zone="Europe/Madrid")
    madrid = zoneinfo.ZoneInfo("Europe/Madrid")
    first = dt.datetime(2027, 3, 16, 9, 0, tzinfo=madrid)  # clocks go forward on Sunday 28 March 2027

    made = block(world, first, first + dt.timedelta(hours=1), weeks=3)

    assert [b.start.astimezone(madrid).strftime("%d %H:%M") for b in made] == ["16 09:00", "23 09:00", "30 09:00"]
    assert [b.start.astimezone(dt.UTC).hour for b in made] == [8, 8, 7]
    assert all(b.end - b.start == dt.timedelta(hours=1) for b in made)


def test_it_splits_a_long_block_into_segments_in_few_transactions(world: World) -> None:
    with dynamo.count_requests() as counter:
        made = block(world, at(7), at(19))  # 12 hours: 144 cells

    assert [(b.end - b.start) // dt.timedelta(minutes=1) for b in made] == [230, 230, 230, 30]
    assert len(made) <= MAX_SEGMENTS
    assert len({b.occurrence_id for b in made}) == 1
    assert all(b.end - b.start <= dt.timedelta(minutes=dynamo.MAX_BLOCK_MINUTES) for b in made)
    # 144 cells + 4 items + a clinic check each: two transactions of at most 100 items.
    assert counter.operations.count("TransactWriteItems") == 2
    assert len(cell_owners(world)) == 144
    occurrences = block_selectors.occurrences_of(blocks_stored(world))
    assert [(o.start, o.end) for o in occurrences] == [(at(7), at(19))]


def test_it_packs_a_weekly_series_into_transactions_of_at_most_100_items(world: World) -> None:
    with dynamo.count_requests() as counter:
        made = block(world, at(9), at(10), weeks=20)  # 13 items each: 7 a transaction

    assert len(made) == 20
    assert counter.operations.count("TransactWriteItems") == 3


def test_it_refuses_a_block_over_bookings_and_lists_them(world: World) -> None:
    first = book(world, at(9), name="Luis Gómez")
    second = book(world, at(11, 30), treatment=world.whitening, name="Marta Ruiz")  # blocked 11:20-12:10
    book(world, at(9), professional=world.ben)  # another professional: not in the way
    before = clinic_partition(world.tenant_id)

    with pytest.raises(errors.BlockConflict) as refused:
        block(world, at(8), at(11, 30))  # reaches second's buffer, not its start

    assert [b.booking_id for b in refused.value.bookings] == [first.booking_id, second.booking_id]
    assert refused.value.status == 409
    assert clinic_partition(world.tenant_id) == before


def test_it_lists_a_booking_in_the_third_week_of_a_series(world: World) -> None:
    later = book(world, at(9, 30, day=DAY + 2 * WEEK), name="Semana Tres")
    before = clinic_partition(world.tenant_id)

    with pytest.raises(errors.BlockConflict) as refused:
        block(world, at(9), at(10), weeks=5)

    assert [b.booking_id for b in refused.value.bookings] == [later.booking_id]
    assert clinic_partition(world.tenant_id) == before


def test_it_ignores_cancelled_bookings(world: World) -> None:
    gone = book(world, at(9))
    services.booking_cancel(tenant_id=world.tenant_id, booking_id=gone.booking_id, actor=system(world))

    assert len(block(world, at(9), at(10))) == 1


def test_it_refuses_a_block_over_another_block(world: World) -> None:
    [first] = block(world, at(9), at(10))

    with pytest.raises(errors.BlockConflict) as refused:
        block(world, at(9, 30), at(11))

    assert [b.block_id for b in refused.value.blocks] == [first.block_id]
    assert refused.value.bookings == []


def test_it_undoes_earlier_weeks_when_a_booking_made_meanwhile_takes_the_third(world: World) -> None:
    """6-hour occurrences (two segments, 74 items): one transaction each, so week 3 is the third."""
    intruder: list[Booking] = []

    def meanwhile() -> None:
        intruder.append(book(world, at(10, day=DAY + 2 * WEEK), name="Llegó Antes"))

    with (
        before_dynamodb("TransactWriteItems", meanwhile),
        dynamo.count_requests() as counter,
        pytest.raises(errors.BlockConflict) as refused,
    ):
        block(world, at(8), at(14), weeks=4)

    # The intruder's booking; weeks 1, 2 written and week 3 refused; weeks 2 and 1 undone.
    assert counter.operations.count("TransactWriteItems") == 1 + 3 + 2

    assert [b.booking_id for b in refused.value.bookings] == [intruder[0].booking_id]
    assert blocks_stored(world) == []
    owners = cell_owners(world)
    assert set(owners.values()) == {(CellKind.BOOKING, intruder[0].booking_id)}
    assert len(owners) == 12


def test_it_undoes_everything_when_a_hold_is_met_and_says_so(world: World) -> None:
    hold(world, at(10, day=DAY + 2 * WEEK), actor=anonymous(world, "patient-online"))

    with pytest.raises(errors.BlockConflict) as refused:
        block(world, at(8), at(12), weeks=4)

    assert refused.value.bookings == [] and refused.value.blocks == []
    with translation.override("en"):
        assert "right now" in str(refused.value.message)
    assert blocks_stored(world) == []
    assert {kind for kind, _ in cell_owners(world).values()} == {CellKind.HOLD}


@pytest.mark.parametrize(
    ("start", "end", "weeks", "refusal"),
    [
        (NOW - dt.timedelta(minutes=5), NOW + dt.timedelta(hours=1), 1, errors.BlockInThePast),
        (at(7), at(19, 5), 1, errors.BlockTooLong),
        (at(9, 2), at(10), 1, errors.BlockRefused),
        (at(9), at(9, 59), 1, errors.BlockRefused),
        (at(9), at(9), 1, errors.BlockRefused),
        (at(10), at(9), 1, errors.BlockRefused),
        (at(20), at(2, day=DAY + dt.timedelta(days=1)), 1, errors.BlockRefused),
        (at(9), at(10), 0, errors.BlockRefused),
        (at(9), at(10), 53, errors.BlockRefused),
        (
            dt.datetime(9999, 12, 31, 22, tzinfo=dt.UTC),
            dt.datetime(9999, 12, 31, 23, tzinfo=dt.UTC),
            52,
            errors.BlockRefused,
        ),
        (at(9, day=DAY + dt.timedelta(days=800)), at(10, day=DAY + dt.timedelta(days=800)), 1, errors.BlockRefused),
    ],
)
def test_it_refuses_what_breaks_the_rules(
    world: World, start: dt.datetime, end: dt.datetime, weeks: int, refusal: type[Exception]
) -> None:
    before = clinic_partition(world.tenant_id)

    with pytest.raises(refusal) as refused:
        block(world, start, end, weeks=weeks)

    assert 400 <= refused.value.status < 500  # type: ignore[attr-defined]
    assert clinic_partition(world.tenant_id) == before


def test_it_says_a_block_cannot_start_in_the_past(world: World) -> None:
    with pytest.raises(errors.BlockInThePast) as refused:
        block(world, NOW - dt.timedelta(hours=1), NOW + dt.timedelta(hours=1))

    with translation.override("en"):
        assert "cannot start in the past" in str(refused.value.message)


def test_it_allows_a_block_until_midnight_and_of_exactly_12_hours(world: World) -> None:
    assert len(block(world, at(12), at(0, day=DAY + dt.timedelta(days=1)))) == 4


def test_it_refuses_an_unknown_reason(world: World) -> None:
    with pytest.raises(errors.BlockRefused):
        block(world, at(9), at(10), reason="vacation")


def test_it_lets_a_dentist_block_only_their_own_time(world: World, people: People) -> None:
    dentist = member(world, people.dentist)  # Dra. Ana's

    assert len(block(world, at(9), at(10), actor=dentist)) == 1
    before = clinic_partition(world.tenant_id)
    with pytest.raises(Forbidden):
        block(world, at(9), at(10), professional=world.ben, actor=dentist)
    assert clinic_partition(world.tenant_id) == before


@pytest.mark.parametrize("role", ["reception", "patient", "outsider"])
def test_it_refuses_those_who_may_not_block(world: World, people: People, role: str) -> None:
    before = clinic_partition(world.tenant_id)

    with pytest.raises(Forbidden):
        block(world, at(9), at(10), actor=member(world, getattr(people, role)))

    assert clinic_partition(world.tenant_id) == before


def test_it_refuses_an_inactive_professional(world: World) -> None:
    clinic_services.professional_set_active(
        tenant_id=world.tenant_id, professional_id=world.ben.professional_id, version=world.ben.version, active=False
    )

    with pytest.raises(NotFound):
        block(world, at(9), at(10), professional=world.ben)


def test_it_refuses_at_a_suspended_clinic(world: World) -> None:
    clinic_services.clinic_suspend(tenant_id=world.tenant_id)

    with pytest.raises(errors.ClinicSuspended):
        block(world, at(9), at(10))
    assert blocks_stored(world) == []


# ---------------------------------------------------------------- a block occupies time like a booking


def test_it_hides_blocked_times_from_one_professionals_availability(world: World) -> None:
    block(world, at(9), at(12))
    clinic = world.clinic

    slots = selectors.availability(
        clinic=clinic, treatment=world.cleaning, professionals=[world.ana], first_day=DAY, last_day=DAY, now=NOW
    )

    starts = {s.start for s in slots}
    assert at(8) in starts and at(12) in starts
    assert not starts & {at(8, 15), at(9), at(10), at(11), at(11, 45)}


def test_it_hides_blocked_times_from_any_professional(world: World) -> None:
    block(world, at(9), at(12))
    block(world, at(10), at(11), professional=world.ben)

    slots = selectors.availability(
        clinic=world.clinic,
        treatment=world.cleaning,
        professionals=[world.ana, world.ben],
        first_day=DAY,
        last_day=DAY,
        now=NOW,
    )

    by_start = {s.start: set(s.professional_ids) for s in slots}
    assert by_start[at(9)] == {world.ben.professional_id}
    assert at(10) not in by_start  # both blocked
    assert by_start[at(11)] == {world.ben.professional_id}
    assert by_start[at(12)] == {world.ana.professional_id, world.ben.professional_id}


def test_it_refuses_holds_and_bookings_on_blocked_time(world: World) -> None:
    block(world, at(9), at(12))
    block(world, at(9), at(12), professional=world.ben)

    with pytest.raises(errors.SlotTaken):
        hold(world, at(10))
    with pytest.raises(errors.SlotTaken):
        hold(world, at(11, 30), anyone=True)
    with pytest.raises(errors.SlotTaken):
        book(world, at(8, 30))  # runs into the block


@pytest.mark.parametrize("attempt", range(3))
def test_it_lets_exactly_one_of_a_block_and_a_booking_of_the_same_time_win(world: World, attempt: int) -> None:
    gate = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def blocking() -> None:
        gate.wait()
        try:
            block(world, at(9 + attempt), at(10 + attempt))
            outcomes["block"] = "won"
        except errors.BlockConflict:
            outcomes["block"] = "409"

    def booking() -> None:
        gate.wait()
        try:
            book(world, at(9 + attempt, 30))
            outcomes["booking"] = "won"
        except errors.SlotTaken:
            outcomes["booking"] = "409"

    threads = [threading.Thread(target=blocking), threading.Thread(target=booking)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values()) == ["409", "won"], outcomes
    kinds = {kind for kind, _ in cell_owners(world).values()}
    assert len(kinds) == 1  # one owner's cells only: nothing of the loser left


# ---------------------------------------------------------------- remove


def test_it_removes_one_occurrence_with_all_its_segments(world: World) -> None:
    made = block(world, at(7), at(19), weeks=2)
    first_week = [b for b in made if b.start < at(0, day=DAY + dt.timedelta(days=1))]

    removed = block_remove(tenant_id=world.tenant_id, block_id=first_week[2].block_id, actor=system(world))

    assert {b.block_id for b in removed} == {b.block_id for b in first_week}
    assert {b.start for b in blocks_stored(world)} == {b.start for b in made if b not in first_week}
    assert all(start >= at(7, day=DAY + WEEK) for start in cell_owners(world))
    assert book(world, at(9)).start == at(9)  # free again


def test_it_removes_the_whole_series_from_now_on(world: World, frozen: time_machine.Coordinates) -> None:
    made = block(world, at(9), at(10), weeks=4)
    frozen.move_to(at(9, 30, day=DAY + WEEK))  # in the middle of week 2's occurrence

    removed = block_remove(tenant_id=world.tenant_id, block_id=made[3].block_id, actor=system(world), whole_series=True)

    assert [b.block_id for b in removed] == [b.block_id for b in made[1:]]
    assert [b.block_id for b in blocks_stored(world)] == [made[0].block_id]  # the past stays
    assert {c.date() for c in cell_owners(world)} == {at(9).date()}


def test_it_refuses_to_remove_a_block_that_is_over(world: World, frozen: time_machine.Coordinates) -> None:
    [made] = block(world, at(9), at(10))
    frozen.move_to(at(11))

    with pytest.raises(errors.BlockRefused):
        block_remove(tenant_id=world.tenant_id, block_id=made.block_id, actor=system(world))


def test_it_lets_a_dentist_remove_only_their_own_blocks(world: World, people: People) -> None:
    [theirs] = block(world, at(9), at(10), professional=world.ben)
    before = clinic_partition(world.tenant_id)

    for role in ("dentist", "reception"):
        with pytest.raises(Forbidden):
            block_remove(
                tenant_id=world.tenant_id, block_id=theirs.block_id, actor=member(world, getattr(people, role))
            )
    with pytest.raises(errors.BlockNotFound):
        block_remove(tenant_id=world.tenant_id, block_id=theirs.block_id, actor=member(world, people.outsider))
    assert clinic_partition(world.tenant_id) == before

    [mine] = block(world, at(9), at(10), actor=member(world, people.dentist))
    assert block_remove(tenant_id=world.tenant_id, block_id=mine.block_id, actor=member(world, people.dentist))


def test_it_says_an_unknown_block_is_not_found(world: World) -> None:
    with pytest.raises(errors.BlockNotFound):
        block_remove(tenant_id=world.tenant_id, block_id="no-such-block", actor=system(world))


def test_it_lists_upcoming_blocks_by_occurrence(world: World) -> None:
    block(world, at(7), at(19))
    block(world, at(9), at(10), professional=world.ben, weeks=3)

    clinic_wide = block_selectors.blocks_in_range(tenant_id=world.tenant_id, start=NOW, end=NOW + 8 * WEEK)
    hers = block_selectors.blocks_in_range(
        tenant_id=world.tenant_id, start=NOW, end=NOW + 8 * WEEK, professional_id=world.ana.professional_id
    )

    assert len(block_selectors.occurrences_of(clinic_wide)) == 4
    assert [(o.start, o.end) for o in block_selectors.occurrences_of(hers)] == [(at(7), at(19))]
    assert all(
        isinstance(item, Block) for item in TableItem.clinic_agenda.query(dynamo.clinic_agenda_pk(world.tenant_id))
    )
