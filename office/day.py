"""The side-by-side day: what occupies a clinic's local day (one Query), and its layout in columns.

``agenda_day`` reads; ``day_grid`` only arranges what was read (no I/O), so the layout is tested
without DynamoDB and the page costs the clinic, its professionals and one Query of the clinic's
agenda, whatever the number of professionals or bookings.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from booking.models import Block, BlockReason, Booking, BookingStatus, Hold
from clinics.models import Clinic, Professional
from nexioq import dynamo
from nexioq.dynamo import TableItem

# An entry that started this long before the day may still run into it (the longest booking or block part).
LONGEST_ENTRY = dt.timedelta(minutes=dynamo.MAX_BLOCK_MINUTES)
# Vertical scale of the grid: 15 minutes are 24 px, enough for a name and a treatment.
PX_PER_MINUTE = 1.6
# A day with nobody working still shows office hours.
DEFAULT_HOURS = (dt.time(8), dt.time(18))
COLOR = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_COLOR = "#0d9488"

BLOCK_REASONS = {
    BlockReason.MEETING: _("Meeting"),
    BlockReason.TRAINING: _("Training"),
    BlockReason.REPAIR: _("Repair"),
    BlockReason.OTHER: _("Blocked"),
}


@dataclass(frozen=True)
class AgendaEntry:
    """One occupant of a professional's time: a booking, a block, or a hold ("being booked")."""

    kind: str  # "booking", "block" or "hold"
    item_id: str
    professional_id: str
    start: dt.datetime
    end: dt.datetime
    title: str
    detail: str = ""
    status: str = BookingStatus.CONFIRMED
    booking: Booking | None = None


def agenda_day(*, tenant_id: str, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> list[AgendaEntry]:
    """Bookings (any status), blocks and live holds overlapping [start, end): one Query of the clinic's agenda.

    The index is eventually consistent: an entry written a moment ago may show at the next refresh.
    A block longer than one transaction is stored in parts sharing ``occurrence_id``: shown as one.
    """
    bounds = (dynamo.agenda_bound(start - LONGEST_ENTRY), dynamo.agenda_bound(end))
    items = TableItem.clinic_agenda.query(
        dynamo.clinic_agenda_pk(tenant_id), TableItem.clinic_agenda_sk.between(*bounds)
    )
    now_epoch = int(now.timestamp())
    entries: list[AgendaEntry] = []
    blocks: dict[str, list[Block]] = {}
    for item in items:
        if isinstance(item, Booking):
            entries.append(
                AgendaEntry(
                    kind="booking",
                    item_id=item.booking_id,
                    professional_id=item.professional_id,
                    start=item.start,
                    end=item.end,
                    title=item.patient_name,
                    detail=item.treatment_name,
                    status=item.status,
                    booking=item,
                )
            )
        elif isinstance(item, Block):
            blocks.setdefault(item.occurrence_id or item.block_id, []).append(item)
        elif isinstance(item, Hold) and int(item.locked_until) > now_epoch:
            entries.append(
                AgendaEntry(
                    kind="hold",
                    item_id=item.hold_id,
                    professional_id=item.professional_id,
                    start=item.start,
                    end=item.end,
                    title=str(_("Being booked")),
                    detail=item.treatment_name or "",
                )
            )
    for parts in blocks.values():
        first = min(parts, key=lambda b: b.start)
        entries.append(
            AgendaEntry(
                kind="block",
                item_id=first.block_id,
                professional_id=first.professional_id,
                start=first.start,
                end=max(b.end for b in parts),
                title=str(BLOCK_REASONS.get(first.reason, BLOCK_REASONS[BlockReason.OTHER])),
                detail=first.note,
            )
        )
    return sorted((e for e in entries if e.end > start and e.start < end), key=lambda e: (e.start, e.item_id))


# ---------------------------------------------------------------- layout (no I/O)


@dataclass(frozen=True)
class Placed:
    entry: AgendaEntry
    top: float  # px from the top of the grid
    height: float
    lane: int  # side by side when entries overlap (a hold and a cancelled booking's old place)
    lanes: int

    @property
    def left_percent(self) -> float:
        return round(100 * self.lane / self.lanes, 2)

    @property
    def width_percent(self) -> float:
        return round(100 / self.lanes, 2)

    @property
    def compact(self) -> bool:
        return self.height < 40


@dataclass(frozen=True)
class Shade:
    top: float
    height: float
    kind: str  # "off" (not working), "time_off", "closed"
    label: str


@dataclass
class Column:
    professional: Professional
    color: str
    entries: list[Placed] = field(default_factory=list)
    shades: list[Shade] = field(default_factory=list)

    @property
    def tint(self) -> str:
        """The professional's colour at low opacity: a booking's background."""
        return f"{self.color}1f"


@dataclass(frozen=True)
class Row:
    top: float
    label: str  # "09:00" on full and half hours, "" on quarters
    hour: bool


@dataclass
class DayGrid:
    day: dt.date
    start: dt.datetime  # the first row (UTC)
    end: dt.datetime
    height: float
    rows: list[Row]
    columns: list[Column]
    cancelled: list[AgendaEntry]
    now_top: float | None


def safe_color(value: str | None) -> str:
    return value if value and COLOR.fullmatch(value) else DEFAULT_COLOR


def _local(day: dt.date, time: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.UTC)


def working_intervals(
    professional: Professional, day: dt.date, zone: zoneinfo.ZoneInfo
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The professional's weekly hours on that local day, as UTC instants."""
    found = []
    for work in professional.weekly_hours:
        if int(work.weekday) == day.weekday():
            start = _local(day, dt.time.fromisoformat(work.start), zone)
            end = _local(day, dt.time.fromisoformat(work.end), zone)
            if start < end:
                found.append((start, end))
    return sorted(found)


def _floor_hour(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    local = moment.astimezone(zone)
    return local.replace(minute=0, second=0, microsecond=0).astimezone(dt.UTC)


def _ceil_hour(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    floored = _floor_hour(moment, zone)
    return floored if floored == moment else floored + dt.timedelta(hours=1)


def _gaps(
    outer: tuple[dt.datetime, dt.datetime], inner: Iterable[tuple[dt.datetime, dt.datetime]]
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The parts of ``outer`` not covered by any of ``inner``."""
    gaps, cursor = [], outer[0]
    for start, end in sorted(inner):
        if start > cursor:
            gaps.append((cursor, min(start, outer[1])))
        cursor = max(cursor, end)
    if cursor < outer[1]:
        gaps.append((cursor, outer[1]))
    return [(a, b) for a, b in gaps if a < b]


def _lanes(entries: list[AgendaEntry]) -> list[tuple[AgendaEntry, int, int]]:
    """Overlapping entries side by side: a lane each within a cluster of overlaps."""
    placed: list[tuple[AgendaEntry, int, int]] = []
    cluster: list[tuple[AgendaEntry, int]] = []
    cluster_end: dt.datetime | None = None

    def flush() -> None:
        lanes = max((lane for _e, lane in cluster), default=0) + 1
        placed.extend((e, lane, lanes) for e, lane in cluster)
        cluster.clear()

    for entry in sorted(entries, key=lambda e: (e.start, e.end)):
        if cluster_end is not None and entry.start >= cluster_end:
            flush()
            cluster_end = None
        busy = {lane for e, lane in cluster if e.end > entry.start}
        lane = next(i for i in range(len(cluster) + 1) if i not in busy)
        cluster.append((entry, lane))
        cluster_end = entry.end if cluster_end is None else max(cluster_end, entry.end)
    flush()
    return placed


def day_grid(
    *,
    clinic: Clinic,
    day: dt.date,
    professionals: Sequence[Professional],
    entries: Sequence[AgendaEntry],
    now: dt.datetime,
) -> DayGrid:
    """Columns of ``professionals`` over the day's working range, entries placed by time, the rest shaded."""
    zone = clinic.zone
    day_start, day_end = _local(day, dt.time.min, zone), _local(day + dt.timedelta(days=1), dt.time.min, zone)
    ids = {p.professional_id for p in professionals}
    shown = [e for e in entries if e.professional_id in ids]
    live = [e for e in shown if e.status != BookingStatus.CANCELLED]
    working = {p.professional_id: working_intervals(p, day, zone) for p in professionals}
    edges = [moment for ranges in working.values() for pair in ranges for moment in pair]
    edges += [max(e.start, day_start) for e in live] + [min(e.end, day_end) for e in live]
    if edges:
        start, end = _floor_hour(min(edges), zone), _ceil_hour(max(edges), zone)
    else:
        start, end = _local(day, DEFAULT_HOURS[0], zone), _local(day, DEFAULT_HOURS[1], zone)
    end = max(end, start + dt.timedelta(hours=1))

    def top(moment: dt.datetime) -> float:
        return round((min(max(moment, start), end) - start).total_seconds() / 60 * PX_PER_MINUTE, 1)

    step = dt.timedelta(minutes=15 if int(clinic.grid_minutes) < 30 else 30)
    rows, moment = [], start
    while moment < end:
        local = moment.astimezone(zone)
        rows.append(
            Row(top=top(moment), label=f"{local:%H:%M}" if local.minute in (0, 30) else "", hour=local.minute == 0)
        )
        moment += step
    closures = [(r.start, r.end) for r in clinic.closures if r.start < end and r.end > start]
    columns = []
    for professional in professionals:
        column = Column(professional=professional, color=safe_color(professional.color))
        for a, b in _gaps((start, end), working[professional.professional_id]):
            column.shades.append(Shade(top(a), top(b) - top(a), "off", ""))
        for r in professional.time_off:
            if r.start < end and r.end > start:
                column.shades.append(Shade(top(r.start), top(r.end) - top(r.start), "time_off", str(_("Time off"))))
        for a, b in closures:
            column.shades.append(Shade(top(a), top(b) - top(a), "closed", str(_("Clinic closed"))))
        mine = [e for e in live if e.professional_id == professional.professional_id]
        for entry, lane, lanes in _lanes(mine):
            height = max(top(entry.end) - top(entry.start), 15 * PX_PER_MINUTE * 0.75)
            column.entries.append(Placed(entry, top(entry.start), round(height, 1), lane, lanes))
        columns.append(column)
    return DayGrid(
        day=day,
        start=start,
        end=end,
        height=top(end),
        rows=rows,
        columns=columns,
        cancelled=[e for e in shown if e.status == BookingStatus.CANCELLED],
        now_top=top(now) if start <= now < end else None,
    )
