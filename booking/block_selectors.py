"""Reads of blocks: one block, a series' items by key, what occupies a professional's time, upcoming blocks.

Never writes. Blocks live in the clinic's partition (``BLOCK#<id>``) and, like bookings, on the
professional's and the clinic's agenda indexes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist

from booking.errors import BlockNotFound
from booking.models import Block, Booking, BookingStatus
from nexioq import dynamo
from nexioq.dynamo import TableItem

# An agenda item runs at most this long (a longer block is split into segments), so a read of
# [start, end) looks this far back for items that began before ``start`` and run into it.
_LONGEST_ITEM = dt.timedelta(minutes=dynamo.MAX_BLOCK_MINUTES)


def block_get(*, tenant_id: str, block_id: str) -> Block:
    try:
        return Block.get(dynamo.tenant_pk(tenant_id), dynamo.block_sk(block_id), consistent_read=True)
    except DoesNotExist as exc:
        raise BlockNotFound(detail=f"block {block_id}") from exc


def blocks_by_id(*, tenant_id: str, block_ids: Iterable[str]) -> list[Block]:
    """The blocks of these ids that exist, by start: strongly consistent BatchGetItems (100 keys each).

    Reads by key rather than from an index, so a block written a moment ago is never missed.
    """
    pk = dynamo.tenant_pk(tenant_id)
    keys = [(pk, dynamo.block_sk(block_id)) for block_id in dict.fromkeys(block_ids)]
    if not keys:
        return []
    found = [item for item in TableItem.batch_get(keys, consistent_read=True) if isinstance(item, Block)]
    return sorted(found, key=lambda b: (b.start, b.block_id))


@dataclass(frozen=True)
class Occupants:
    """What holds a professional's time in a range: live bookings and blocks (holds are not on their agenda)."""

    bookings: list[Booking]
    blocks: list[Block]

    def overlapping(self, start: dt.datetime, end: dt.datetime) -> Occupants:
        return Occupants(
            bookings=[b for b in self.bookings if b.blocked_start < end and b.blocked_end > start],
            blocks=[b for b in self.blocks if b.blocked_start < end and b.blocked_end > start],
        )

    def __bool__(self) -> bool:
        return bool(self.bookings or self.blocks)


def occupants_in_range(*, tenant_id: str, professional_id: str, start: dt.datetime, end: dt.datetime) -> Occupants:
    """Live bookings (buffers included) and blocks of one professional overlapping [start, end): one Query
    of their agenda, paged by DynamoDB."""
    # Entries sort by start, and a booking's buffer before it may reach back into the range: read
    # as far past ``end`` as before ``start``.
    bounds = (dynamo.agenda_bound(start - _LONGEST_ITEM), dynamo.agenda_bound(end + _LONGEST_ITEM))
    items = TableItem.professional_agenda.query(
        dynamo.professional_agenda_pk(tenant_id, professional_id), TableItem.agenda_sk.between(*bounds)
    )
    bookings: list[Booking] = []
    blocks: list[Block] = []
    for item in items:
        if isinstance(item, Booking) and item.status != BookingStatus.CANCELLED:
            bookings.append(item)
        elif isinstance(item, Block):
            blocks.append(item)
    return Occupants(bookings=bookings, blocks=blocks).overlapping(start, end)


@dataclass(frozen=True)
class BlockOccurrence:
    """One occurrence of a block as people see it: its segments joined back into one period."""

    block_id: str  # its first segment's: names the occurrence in links
    occurrence_id: str
    series_id: str
    professional_id: str
    professional_name: str
    reason: str
    note: str
    start: dt.datetime
    end: dt.datetime
    block_ids: tuple[str, ...]


def occurrences_of(blocks: Sequence[Block]) -> list[BlockOccurrence]:
    """Segments grouped by occurrence, by start."""
    grouped: dict[str, list[Block]] = {}
    for block in sorted(blocks, key=lambda b: (b.start, b.block_id)):
        grouped.setdefault(block.occurrence_id, []).append(block)
    found = []
    for occurrence_id, segments in grouped.items():
        first = segments[0]
        found.append(
            BlockOccurrence(
                block_id=first.block_id,
                occurrence_id=occurrence_id,
                series_id=first.series_id,
                professional_id=first.professional_id,
                professional_name=first.professional_name,
                reason=first.reason,
                note=first.note,
                start=min(s.start for s in segments),
                end=max(s.end for s in segments),
                block_ids=tuple(s.block_id for s in segments),
            )
        )
    return sorted(found, key=lambda o: (o.start, o.professional_name))


def blocks_in_range(
    *, tenant_id: str, start: dt.datetime, end: dt.datetime, professional_id: str | None = None
) -> list[Block]:
    """Blocks overlapping [start, end), of the clinic or of one professional: one Query (the index's
    other entries are filtered out by DynamoDB, not sent)."""
    bounds = (dynamo.agenda_bound(start - _LONGEST_ITEM), dynamo.agenda_bound(end))
    if professional_id is None:
        items = Block.query(
            dynamo.clinic_agenda_pk(tenant_id),
            Block.clinic_agenda_sk.between(*bounds),
            index_name=TableItem.clinic_agenda.Meta.index_name,
        )
    else:
        items = Block.query(
            dynamo.professional_agenda_pk(tenant_id, professional_id),
            Block.agenda_sk.between(*bounds),
            index_name=TableItem.professional_agenda.Meta.index_name,
        )
    return [b for b in items if b.end > start]
