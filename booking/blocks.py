"""Blocks: a period a professional takes no bookings (a meeting, training, a repair), once or weekly.

A block occupies time exactly like a booking: it claims the same 5-minute cells with the same
condition, in transactions, and is an entry of the professional's and the clinic's agenda, so
every reader of occupied time (availability for one professional or for "any", the calendar)
sees it with no change.

Sizes (README, "Blocks"): an agenda item may not run longer than ``dynamo.MAX_BLOCK_MINUTES``
(readers look back that far), so a longer occurrence is split into segments sharing its
``occurrence_id``; segments are packed into transactions of at most 100 items. A series spans
several transactions, so when a later one fails the earlier ones are undone before the refusal.

Ids name their place: ``<series>-<week>-<segment>``, so every item of a series or an occurrence
is read back by key (strongly consistent), never from an index that may lag.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from access.permissions import Action, Actor
from booking.block_selectors import Occupants, block_get, blocks_by_id, occupants_in_range
from booking.changes import agenda_changed
from booking.errors import BlockConflict, BlockInThePast, BlockNotFound, BlockRefused, BlockTooLong, ClinicSuspended
from booking.models import Block, BlockReason, CellKind
from booking.services import STAFF_HORIZON_DAYS, _cell, _check_clinic_open, _claim_condition, _clinic_key
from booking.services import _release_condition as _owner_condition
from clinics.selectors import clinic_context
from nexioq import dynamo
from nexioq.errors import Forbidden
from scheduling.availability import CELL_MINUTES, cells_for

log = logging.getLogger(__name__)

MAX_BLOCK_HOURS = 12
MAX_WEEKS = 52
# One agenda item's longest run: readers of the agenda look back this far before a range.
SEGMENT_MINUTES = dynamo.MAX_BLOCK_MINUTES
MAX_SEGMENTS = math.ceil(MAX_BLOCK_HOURS * 60 / SEGMENT_MINUTES)
# Every block transaction checks the clinic is not suspended, like every booking write.
_FIXED_ITEMS = 1


def _may_block(actor: Actor, professional_id: str) -> bool:
    return actor.allows(Action.BLOCK_TIME) and actor.manages_professional(professional_id)


def block_ids_of_series(series_id: str) -> list[str]:
    """Every id a series may have used, in order."""
    return [_block_id(series_id, week, segment) for week in range(MAX_WEEKS) for segment in range(MAX_SEGMENTS)]


def _occurrence_id(series_id: str, week: int) -> str:
    return f"{series_id}-{week:02d}"


def _block_id(series_id: str, week: int, segment: int) -> str:
    return f"{_occurrence_id(series_id, week)}-{segment}"


# ---------------------------------------------------------------- rules (no I/O)


def _refuse_rules(
    *, start: dt.datetime, end: dt.datetime, reason: str, weeks: int, now: dt.datetime, zone: dt.tzinfo
) -> None:
    """Raise the rule a block breaks whatever the agenda holds."""
    if reason not in BlockReason.ALL:
        raise BlockRefused(_("Choose a reason for the block."))
    if not 1 <= weeks <= MAX_WEEKS:
        raise BlockRefused(_("Repeat a block for 1 to 52 weeks."))
    if end <= start:
        raise BlockRefused(_("A block must end after it starts."))
    if end - start > dt.timedelta(hours=MAX_BLOCK_HOURS):
        raise BlockTooLong()
    if start < now:
        raise BlockInThePast()
    # In plain UTC first: a date near year 9999 must not reach the clinic's zone or the weekly repeat.
    if start - now > dt.timedelta(days=STAFF_HORIZON_DAYS):
        raise BlockRefused(_("That day is too far ahead: blocks can be made up to two years ahead."))
    for moment in (start, end):
        if moment.second or moment.microsecond or moment.minute % CELL_MINUTES:
            raise BlockRefused(_("Blocks start and end on a multiple of 5 minutes (09:00, 09:05…)."))
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    ends_at_midnight = local_end.time() == dt.time(0) and local_end.date() == local_start.date() + dt.timedelta(days=1)
    if local_end.date() != local_start.date() and not ends_at_midnight:
        raise BlockRefused(_("A block ends on the day it starts. Block each day separately."))


# ---------------------------------------------------------------- the items


@dataclass(frozen=True)
class _Occurrence:
    start: dt.datetime
    end: dt.datetime
    segments: list[Block]


def _occurrences(
    *,
    tenant_id: str,
    professional_id: str,
    professional_name: str,
    series_id: str,
    start: dt.datetime,
    end: dt.datetime,
    weeks: int,
    zone: dt.tzinfo,
    reason: str,
    note: str,
    actor: Actor,
    now: dt.datetime,
) -> list[_Occurrence]:
    """Each week at the same wall-clock time in the clinic's zone (DST moves the UTC instant, not the hour)."""
    wall_start = start.astimezone(zone).replace(tzinfo=None)
    wall_end = end.astimezone(zone).replace(tzinfo=None)
    found = []
    for week in range(weeks):
        shift = dt.timedelta(weeks=week)
        # A wall-clock time skipped by a DST change lands past the gap (fold=0), as closures do.
        occ_start = (wall_start + shift).replace(tzinfo=zone).astimezone(dt.UTC)
        occ_end = (wall_end + shift).replace(tzinfo=zone).astimezone(dt.UTC)
        if occ_end <= occ_start:
            raise BlockRefused(_("A change of clock (daylight saving) leaves no time for one of the weeks."))
        segments = []
        cursor, index = occ_start, 0
        while cursor < occ_end:
            segment_end = min(cursor + dt.timedelta(minutes=SEGMENT_MINUTES), occ_end)
            block_id = _block_id(series_id, week, index)
            block = Block(
                dynamo.tenant_pk(tenant_id),
                dynamo.block_sk(block_id),
                tenant_id=tenant_id,
                block_id=block_id,
                series_id=series_id,
                occurrence_id=_occurrence_id(series_id, week),
                professional_id=professional_id,
                professional_name=professional_name,
                reason=reason,
                note=note,
                start=cursor,
                end=segment_end,
                blocked_start=cursor,
                blocked_end=segment_end,
                created_at=now,
                created_by=actor.user_id or "",
            )
            _agenda_keys(block)
            segments.append(block)
            cursor, index = segment_end, index + 1
        found.append(_Occurrence(start=occ_start, end=occ_end, segments=segments))
    return found


def _agenda_keys(block: Block) -> None:
    """On the professional's and the clinic's agenda like a booking; never on a patient's list."""
    block.agenda_pk = dynamo.professional_agenda_pk(block.tenant_id, block.professional_id)
    block.agenda_sk = dynamo.agenda_sk(block.start, block.block_id)
    block.clinic_agenda_pk = dynamo.clinic_agenda_pk(block.tenant_id)
    block.clinic_agenda_sk = dynamo.agenda_sk(block.start, block.block_id)


def _cell_starts(block: Block) -> list[dt.datetime]:
    return cells_for(start=block.blocked_start, end=block.blocked_end)


def _packed(blocks: Sequence[Block], *, fixed: int) -> list[list[Block]]:
    """Blocks in order, in groups whose cells and items (plus ``fixed`` items) fit one transaction."""
    groups: list[list[Block]] = []
    size = dynamo.MAX_TRANSACTION_ITEMS
    for block in blocks:
        items = len(_cell_starts(block)) + 1
        if not groups or size + items > dynamo.MAX_TRANSACTION_ITEMS:
            groups.append([])
            size = fixed
        groups[-1].append(block)
        size += items
    return groups


# ---------------------------------------------------------------- create


def block_create(
    *,
    tenant_id: str,
    professional_id: str,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    note: str = "",
    weeks: int = 1,
    actor: Actor,
    now: dt.datetime | None = None,
) -> list[Block]:
    """Block a professional's time once, or weekly for ``weeks`` weeks; every item written, by start.

    Refused with the list of what is there when any occurrence overlaps a live booking or another
    block (read first), or when a transaction finds a cell taken meanwhile (a booking, a hold, a
    block made since); in both cases nothing stays written.
    """
    now = now or timezone.now()
    if not _may_block(actor, professional_id):
        raise Forbidden(detail="block_time")
    start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    context = clinic_context(tenant_id=tenant_id, professional_id=professional_id)
    clinic, professional = context.clinic, context.professional
    assert professional is not None
    _refuse_rules(start=start, end=end, reason=reason, weeks=weeks, now=now, zone=clinic.zone)
    if clinic.suspended:
        raise ClinicSuspended(phone=clinic.phone)
    series_id = uuid.uuid4().hex
    occurrences = _occurrences(
        tenant_id=tenant_id,
        professional_id=professional_id,
        professional_name=professional.name,
        series_id=series_id,
        start=start,
        end=end,
        weeks=weeks,
        zone=clinic.zone,
        reason=reason,
        note=note.strip()[:500],
        actor=actor,
        now=now,
    )
    # What is there already, in one Query over the whole span: the refusal names it.
    there = occupants_in_range(
        tenant_id=tenant_id, professional_id=professional_id, start=occurrences[0].start, end=occurrences[-1].end
    )
    _refuse_occupied(there, occurrences)
    blocks = [block for occurrence in occurrences for block in occurrence.segments]
    groups = _packed(blocks, fixed=_FIXED_ITEMS)
    written: list[list[Block]] = []
    for number, group in enumerate(groups):

        def build(tx: dynamo.Transaction, group: list[Block] = group) -> None:
            _check_clinic_open(tx, tenant_id)
            for block in group:
                for cell_start in _cell_starts(block):
                    cell = _cell(tenant_id, professional_id, cell_start, kind=CellKind.BLOCK, booking_id=block.block_id)
                    tx.put(cell, condition=_claim_condition(now=now))
                tx.put(block, condition=Block.pk.does_not_exist())

        try:
            dynamo.transact(
                build, token=dynamo.request_token("block", tenant_id=tenant_id, item_id=f"{series_id}-{number}")
            )
        except dynamo.TransactionCancelled as exc:
            _undo(tenant_id=tenant_id, groups=written)
            if exc.failed(_clinic_key(tenant_id)):
                raise ClinicSuspended(phone=clinic.phone) from exc
            raise _conflict_after(tenant_id=tenant_id, professional_id=professional_id, group=group) from exc
        except Exception:
            _undo(tenant_id=tenant_id, groups=written)
            raise
        written.append(group)
    agenda_changed(tenant_id=tenant_id)
    return blocks


def _refuse_occupied(there: Occupants, occurrences: Sequence[_Occurrence]) -> None:
    found = [there.overlapping(o.start, o.end) for o in occurrences]
    bookings = {b.booking_id: b for f in found for b in f.bookings}
    blocks = {b.block_id: b for f in found for b in f.blocks}
    if bookings or blocks:
        raise BlockConflict(
            bookings=sorted(bookings.values(), key=lambda b: b.start),
            blocks=sorted(blocks.values(), key=lambda b: b.start),
            detail=f"{len(bookings)} bookings, {len(blocks)} blocks",
        )


def _conflict_after(*, tenant_id: str, professional_id: str, group: Sequence[Block]) -> BlockConflict:
    """The refusal after a transaction met a taken cell: what is there now, read after the failure."""
    series = {block.series_id for block in group}
    there = occupants_in_range(
        tenant_id=tenant_id, professional_id=professional_id, start=group[0].start, end=group[-1].end
    )
    spans = [(block.start, block.end) for block in group]
    bookings = {b.booking_id: b for s, e in spans for b in there.overlapping(s, e).bookings}
    # Our own items, undone a moment ago, may linger on the index.
    blocks = {b.block_id: b for s, e in spans for b in there.overlapping(s, e).blocks if b.series_id not in series}
    return BlockConflict(
        bookings=sorted(bookings.values(), key=lambda b: b.start),
        blocks=sorted(blocks.values(), key=lambda b: b.start),
        detail="taken during the write",
    )


def _undo(*, tenant_id: str, groups: Sequence[Sequence[Block]]) -> None:
    """Delete what earlier transactions of this series wrote, last first: only cells still ours."""
    if not groups:
        return
    try:
        for group in reversed(groups):
            _delete(tenant_id=tenant_id, blocks=group)
    except Exception:
        # Left behind, the blocks stay visible on the calendar and can be removed by hand.
        log.exception("block series of %s not fully undone", tenant_id)
        raise
    finally:
        agenda_changed(tenant_id=tenant_id)


def _delete(*, tenant_id: str, blocks: Sequence[Block]) -> None:
    """Free the blocks' cells and delete them, in as few transactions as fit."""
    for group in _packed(blocks, fixed=0):

        def build(tx: dynamo.Transaction, group: list[Block] = group) -> None:
            for block in group:
                for cell_start in _cell_starts(block):
                    cell = _cell(tenant_id, block.professional_id, cell_start, kind=CellKind.BLOCK)
                    tx.delete(cell, condition=_owner_condition(block.block_id))
                tx.delete(Block(*dynamo.key_of(block)))

        dynamo.transact(build)


# ---------------------------------------------------------------- remove


def block_remove(
    *, tenant_id: str, block_id: str, actor: Actor, whole_series: bool = False, now: dt.datetime | None = None
) -> list[Block]:
    """Free a block's time: every segment of its occurrence, or of its whole series from now on.

    Returns the items removed. Occurrences already over stay, as the agenda's history.
    """
    now = now or timezone.now()
    block = block_get(tenant_id=tenant_id, block_id=block_id)
    if not _may_block(actor, block.professional_id):
        if actor.is_member:
            raise Forbidden(detail="another professional's block")
        raise BlockNotFound(detail=f"block {block_id}")
    if whole_series:
        candidates = [*block_ids_of_series(block.series_id), block_id]
    else:
        candidates = [f"{block.occurrence_id}-{segment}" for segment in range(MAX_SEGMENTS)] + [block_id]
    items = [
        b
        for b in blocks_by_id(tenant_id=tenant_id, block_ids=candidates)
        if b.series_id == block.series_id and (whole_series or b.occurrence_id == block.occurrence_id)
    ]
    # An occurrence is removed whole or not at all: one whose first segment is over but a later
    # one is not still counts as current.
    ongoing = {b.occurrence_id for b in items if b.end > now}
    removed = [b for b in items if b.occurrence_id in ongoing]
    if not removed:
        raise BlockRefused(_("This block is over: it stays in the agenda as a record."))
    _delete(tenant_id=tenant_id, blocks=removed)
    agenda_changed(tenant_id=tenant_id)
    return removed
