"""Slot availability for the booking flow.

Pure computation: the caller loads schedules, closures and occupied cells and
passes them in, so this module stays free of I/O and Django and can be tested
exhaustively.

Time handling rules (the reason most of this code exists):

* Everything is computed on UTC-aware datetimes. Arithmetic on a ZoneInfo-aware
  datetime is wall-clock arithmetic and equality between two datetimes sharing
  a ZoneInfo ignores ``fold``, both of which silently break around DST
  transitions. Every aware input is therefore normalised to UTC on entry.
* Working hours are local wall-clock times. A candidate wall-clock time that
  does not exist (spring-forward gap) is skipped; one that exists twice
  (fall-back) yields both instants.
* The real interval of a working range ``[a, b)`` on a local date runs from the
  last instant the wall clock shows ``a`` to the first instant it shows ``b``;
  if ``a`` or ``b`` falls in a gap, the first existing instant after it (the
  transition instant) is used instead. When an end is ambiguous (fall-back)
  this is the intersection of every possible reading of the range, so we never
  offer a time at which, under some reading, the professional has not started
  yet or has already left; within it the clock only shows times in ``[a, b)``.
"""

from __future__ import annotations

import datetime
import enum
import zoneinfo
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass

__all__ = [
    "CELL_MINUTES",
    "DayState",
    "Policy",
    "ProfessionalSchedule",
    "Slot",
    "TreatmentSpec",
    "available_slots",
    "blocked_interval",
    "cells_for",
    "day_states",
    "nearest_alternatives",
    "subtract_intervals",
    "working_intervals",
]

CELL_MINUTES = 5  # resolution of occupied cells

_UTC = datetime.UTC
_CELL = datetime.timedelta(minutes=CELL_MINUTES)
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=_UTC)
_ALTERNATIVE_WINDOW = datetime.timedelta(hours=24)


def _require_step(*, name: str, value: int, allow_zero: bool) -> None:
    # bool is an int subclass; True minutes is always a caller bug.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value}")
    if value % CELL_MINUTES:
        raise ValueError(f"{name} must be a multiple of {CELL_MINUTES}, got {value}")


def _require_aware(*, name: str, value: datetime.datetime) -> None:
    if not isinstance(value, datetime.datetime):
        raise TypeError(f"{name} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


def _to_utc_interval(
    *, name: str, interval: tuple[datetime.datetime, datetime.datetime]
) -> tuple[datetime.datetime, datetime.datetime]:
    start, end = interval
    _require_aware(name=f"{name} start", value=start)
    _require_aware(name=f"{name} end", value=end)
    start_utc, end_utc = start.astimezone(_UTC), end.astimezone(_UTC)
    if end_utc <= start_utc:
        raise ValueError(f"{name} must have end > start, got {interval!r}")
    return start_utc, end_utc


def _is_aligned(value: datetime.datetime) -> bool:
    return (value - _EPOCH) % _CELL == datetime.timedelta(0)


@dataclass(frozen=True)
class Policy:
    tz: zoneinfo.ZoneInfo  # clinic time zone
    grid_minutes: int  # display grid, a multiple of 5
    min_notice_minutes: int  # start must be >= now + this
    max_advance_days: int  # start's LOCAL date must be <= local today + this

    def __post_init__(self) -> None:
        _require_step(name="grid_minutes", value=self.grid_minutes, allow_zero=False)
        if isinstance(self.min_notice_minutes, bool) or self.min_notice_minutes < 0:
            raise ValueError(f"min_notice_minutes must be >= 0, got {self.min_notice_minutes!r}")
        if isinstance(self.max_advance_days, bool) or self.max_advance_days < 0:
            raise ValueError(f"max_advance_days must be >= 0, got {self.max_advance_days!r}")


@dataclass(frozen=True)
class TreatmentSpec:
    duration_minutes: int  # multiple of 5, > 0
    buffer_before_minutes: int  # multiple of 5, >= 0
    buffer_after_minutes: int  # multiple of 5, >= 0

    def __post_init__(self) -> None:
        _require_step(name="duration_minutes", value=self.duration_minutes, allow_zero=False)
        _require_step(name="buffer_before_minutes", value=self.buffer_before_minutes, allow_zero=True)
        _require_step(name="buffer_after_minutes", value=self.buffer_after_minutes, allow_zero=True)


def _require_wall_time(*, name: str, value: datetime.time) -> None:
    if not isinstance(value, datetime.time):
        raise TypeError(f"{name} must be a datetime.time, got {value!r}")
    if value.tzinfo is not None:
        # Working hours follow the clinic zone; a per-range zone would be ignored.
        raise ValueError(f"{name} must be a naive wall-clock time, got {value!r}")
    if value.second or value.microsecond or value.minute % CELL_MINUTES:
        raise ValueError(f"{name} must be on the {CELL_MINUTES}-minute grid, got {value!r}")


@dataclass(frozen=True)
class ProfessionalSchedule:
    professional_id: str
    # weekday 0=Monday .. 6=Sunday -> local wall-clock ranges [start, end);
    # several ranges per day express breaks.
    weekly_hours: Mapping[int, Sequence[tuple[datetime.time, datetime.time]]]
    time_off: Sequence[tuple[datetime.datetime, datetime.datetime]] = ()  # aware, [start, end)

    def __post_init__(self) -> None:
        for weekday, ranges in self.weekly_hours.items():
            if isinstance(weekday, bool) or weekday not in range(7):
                raise ValueError(f"weekday must be 0..6, got {weekday!r}")
            for start, end in ranges:
                _require_wall_time(name="range start", value=start)
                _require_wall_time(name="range end", value=end)
                # end == 00:00 would mean "midnight of the next day"; ranges never
                # cross midnight here, so it can only be a data-entry mistake.
                if end == datetime.time(0, 0) or end <= start:
                    raise ValueError(
                        f"invalid working range {start}-{end} for weekday {weekday}: "
                        "end must be after start on the same day"
                    )
        for interval in self.time_off:
            _to_utc_interval(name="time_off", interval=interval)


@dataclass(frozen=True)
class Slot:
    start: datetime.datetime  # aware, UTC
    end: datetime.datetime  # aware, UTC (start + duration, buffers NOT included)
    professional_ids: tuple[str, ...]  # free professionals, in `schedules` order


def blocked_interval(
    *, start: datetime.datetime, treatment: TreatmentSpec
) -> tuple[datetime.datetime, datetime.datetime]:
    """Return ``[start - buffer_before, start + duration + buffer_after)`` in UTC.

    The result is UTC because adding minutes to a ZoneInfo-aware datetime would
    add wall-clock minutes and be wrong across a DST transition.
    """
    _require_aware(name="start", value=start)
    start_utc = start.astimezone(_UTC)
    return (
        start_utc - datetime.timedelta(minutes=treatment.buffer_before_minutes),
        start_utc + datetime.timedelta(minutes=treatment.duration_minutes + treatment.buffer_after_minutes),
    )


def cells_for(*, start: datetime.datetime, end: datetime.datetime) -> list[datetime.datetime]:
    """Return the UTC cell starts covering ``[start, end)``.

    Both bounds must be aware and aligned to ``CELL_MINUTES`` (in absolute time,
    which equals local alignment for every real-world UTC offset). An empty
    interval yields no cells.
    """
    _require_aware(name="start", value=start)
    _require_aware(name="end", value=end)
    start_utc, end_utc = start.astimezone(_UTC), end.astimezone(_UTC)
    if not _is_aligned(start_utc) or not _is_aligned(end_utc):
        raise ValueError(f"cell bounds must be aligned to {CELL_MINUTES} minutes: {start}, {end}")
    if end_utc < start_utc:
        raise ValueError(f"end must not be before start: {start}, {end}")
    count = (end_utc - start_utc) // _CELL
    return [start_utc + i * _CELL for i in range(count)]


def _wall_to_utc(*, wall: datetime.datetime, tz: zoneinfo.ZoneInfo) -> list[datetime.datetime]:
    """All instants (sorted, UTC) whose local wall-clock time in ``tz`` is ``wall``.

    Empty in a spring-forward gap, two instants in a fall-back overlap.
    """
    # PEP 495: the two folds only disagree at a transition. fold=0 applies the
    # offset from before it and fold=1 the one after, so a growing offset
    # means the time was skipped and a shrinking one that it happens twice.
    offset_first = wall.replace(tzinfo=tz, fold=0).utcoffset()
    offset_second = wall.replace(tzinfo=tz, fold=1).utcoffset()
    if offset_first is None or offset_second is None:
        raise ValueError(f"{tz!r} gives no UTC offset for {wall}")
    if offset_first == offset_second:
        return [(wall - offset_first).replace(tzinfo=_UTC)]
    if offset_first < offset_second:
        return []
    return [(wall - offset_first).replace(tzinfo=_UTC), (wall - offset_second).replace(tzinfo=_UTC)]


def _first_instant_after_gap(*, wall: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """First real instant after a non-existent wall-clock time, i.e. the transition."""
    # Inside a gap fold=1 applies the post-transition offset (an instant before
    # the transition) and fold=0 the pre-transition one (an instant after it),
    # so the transition is bracketed and found by bisection on whole seconds.
    low = wall.replace(tzinfo=tz, fold=1).astimezone(_UTC)
    high = wall.replace(tzinfo=tz, fold=0).astimezone(_UTC)
    low_s, high_s = int((low - _EPOCH).total_seconds()), int((high - _EPOCH).total_seconds())
    while high_s - low_s > 1:
        mid_s = (low_s + high_s) // 2
        mid = _EPOCH + datetime.timedelta(seconds=mid_s)
        if mid.astimezone(tz).replace(tzinfo=None) > wall:
            high_s = mid_s
        else:
            low_s = mid_s
    return _EPOCH + datetime.timedelta(seconds=high_s)


def _range_bounds(
    *, day: datetime.date, start: datetime.time, end: datetime.time, tz: zoneinfo.ZoneInfo
) -> tuple[datetime.datetime, datetime.datetime]:
    start_wall = datetime.datetime.combine(day, start)
    end_wall = datetime.datetime.combine(day, end)
    starts = _wall_to_utc(wall=start_wall, tz=tz)
    ends = _wall_to_utc(wall=end_wall, tz=tz)
    # Narrowest reading of ambiguous ends; see the module docstring.
    start_utc = starts[-1] if starts else _first_instant_after_gap(wall=start_wall, tz=tz)
    end_utc = ends[0] if ends else _first_instant_after_gap(wall=end_wall, tz=tz)
    return start_utc, end_utc


def _overlaps_any(
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    intervals: Sequence[tuple[datetime.datetime, datetime.datetime]],
) -> bool:
    return any(other_start < end and start < other_end for other_start, other_end in intervals)


def _cell_number(instant: datetime.datetime) -> int:
    # Cells are handled as integers inside the hot loop: hashing and comparing
    # ints is several times cheaper than doing the same with aware datetimes.
    number, remainder = divmod(instant - _EPOCH, _CELL)
    if remainder:
        # Only reachable with a UTC offset that is not a multiple of the cell
        # size; flooring would silently check the wrong cells.
        raise ValueError(f"{instant!r} is not aligned to {CELL_MINUTES} minutes")
    return number


def _taken_cell_numbers(*, professional_id: str, cells: Set[datetime.datetime]) -> frozenset[int]:
    numbers: set[int] = set()
    for cell in cells:
        # A naive or misaligned cell would never match a lookup and the slot
        # would be offered although taken; fail loudly instead.
        _require_aware(name=f"occupied cell of {professional_id}", value=cell)
        numbers.add(_cell_number(cell))
    return frozenset(numbers)


def available_slots(
    *,
    policy: Policy,
    treatment: TreatmentSpec,
    schedules: Sequence[ProfessionalSchedule],
    closures: Sequence[tuple[datetime.datetime, datetime.datetime]],
    occupied: Mapping[str, Set[datetime.datetime]],
    first_day: datetime.date,
    last_day: datetime.date,
    now: datetime.datetime,
) -> list[Slot]:
    """Bookable starts between two local dates (inclusive), merged across professionals.

    ``occupied`` maps a professional id to the cell starts already taken
    (bookings, live holds, blocks); a missing id means nothing is taken.
    Returns one ``Slot`` per distinct UTC start, sorted by start, listing the
    free professionals in the order of ``schedules``.
    """
    _require_aware(name="now", value=now)
    seen_ids: set[str] = set()
    for schedule in schedules:
        # Duplicates would list a professional twice in one slot.
        if schedule.professional_id in seen_ids:
            raise ValueError(f"duplicate professional_id {schedule.professional_id!r}")
        seen_ids.add(schedule.professional_id)

    tz = policy.tz
    now_utc = now.astimezone(_UTC)
    earliest = now_utc + datetime.timedelta(minutes=policy.min_notice_minutes)
    last_allowed_day = now_utc.astimezone(tz).date() + datetime.timedelta(days=policy.max_advance_days)
    last_day = min(last_day, last_allowed_day)
    if last_day < first_day:
        return []

    # Only intervals near the requested days can matter; the margin covers any
    # UTC offset plus the buffers, so per-candidate checks stay short.
    margin = datetime.timedelta(
        days=2,
        minutes=treatment.buffer_before_minutes + treatment.duration_minutes + treatment.buffer_after_minutes,
    )
    window_start = datetime.datetime.combine(first_day, datetime.time(), tzinfo=_UTC) - margin
    window_end = datetime.datetime.combine(last_day, datetime.time(), tzinfo=_UTC) + margin

    def relevant(
        *, name: str, intervals: Sequence[tuple[datetime.datetime, datetime.datetime]]
    ) -> list[tuple[datetime.datetime, datetime.datetime]]:
        converted = [_to_utc_interval(name=name, interval=interval) for interval in intervals]
        return [(s, e) for s, e in converted if s < window_end and window_start < e]

    clinic_closures = relevant(name="closure", intervals=closures)
    duration = datetime.timedelta(minutes=treatment.duration_minutes)
    before = datetime.timedelta(minutes=treatment.buffer_before_minutes)
    after = datetime.timedelta(minutes=treatment.buffer_after_minutes)
    grid = datetime.timedelta(minutes=policy.grid_minutes)
    before_cells = treatment.buffer_before_minutes // CELL_MINUTES
    blocked_cells = (
        treatment.buffer_before_minutes + treatment.duration_minutes + treatment.buffer_after_minutes
    ) // CELL_MINUTES
    day_count = (last_day - first_day).days + 1
    days = [first_day + datetime.timedelta(days=i) for i in range(day_count)]

    free_by_start: dict[datetime.datetime, list[str]] = {}
    for schedule in schedules:
        professional_id = schedule.professional_id
        taken = _taken_cell_numbers(professional_id=professional_id, cells=occupied.get(professional_id, frozenset()))
        unavailable = clinic_closures + relevant(name="time_off", intervals=schedule.time_off)
        for day in days:
            for range_start, range_end in schedule.weekly_hours.get(day.weekday(), ()):
                range_start_utc, range_end_utc = _range_bounds(day=day, start=range_start, end=range_end, tz=tz)
                wall = datetime.datetime.combine(day, range_start)
                wall_end = datetime.datetime.combine(day, range_end)
                # Naive stepping is deliberate: the grid is a wall-clock grid.
                while wall < wall_end:
                    for start in _wall_to_utc(wall=wall, tz=tz):
                        end = start + duration
                        if start < earliest or start < range_start_utc or end > range_end_utc:
                            continue
                        blocked_start, blocked_end = start - before, end + after
                        if _overlaps_any(start=blocked_start, end=blocked_end, intervals=unavailable):
                            continue
                        if taken:
                            first_cell = _cell_number(start) - before_cells
                            if not taken.isdisjoint(range(first_cell, first_cell + blocked_cells)):
                                continue
                        free = free_by_start.setdefault(start, [])
                        # Overlapping ranges on one day may produce the same start twice.
                        if not free or free[-1] != professional_id:
                            free.append(professional_id)
                    wall += grid

    return [
        Slot(start=start, end=start + duration, professional_ids=tuple(free_by_start[start]))
        for start in sorted(free_by_start)
    ]


class DayState(enum.StrEnum):
    """What a day of the calendar offers a patient."""

    FREE = "free"  # at least one bookable start
    FULL = "full"  # someone works, and every start is taken
    CLOSED = "closed"  # no start even on an empty agenda: closures, time off, nobody works, too late today


def day_states(
    *,
    slots: Sequence[Slot],
    policy: Policy,
    treatment: TreatmentSpec,
    schedules: Sequence[ProfessionalSchedule],
    closures: Sequence[tuple[datetime.datetime, datetime.datetime]],
    first_day: datetime.date,
    last_day: datetime.date,
    now: datetime.datetime,
) -> dict[datetime.date, DayState]:
    """The state of each local day in [first_day, last_day], given ``available_slots`` of that range.

    A day without a slot is full if it would offer one with nothing occupied, closed otherwise:
    the same rules (hours, breaks, time off, closures, notice, horizon, DST) decide both, and the
    second question needs no occupied time, so it costs no read.
    """
    with_slots = {slot.start.astimezone(policy.tz).date() for slot in slots}
    states: dict[datetime.date, DayState] = {}
    for offset in range((last_day - first_day).days + 1):
        day = first_day + datetime.timedelta(days=offset)
        if day in with_slots:
            states[day] = DayState.FREE
        else:
            empty_agenda = available_slots(
                policy=policy,
                treatment=treatment,
                schedules=schedules,
                closures=closures,
                occupied={},
                first_day=day,
                last_day=day,
                now=now,
            )
            states[day] = DayState.FULL if empty_agenda else DayState.CLOSED
    return states


def nearest_alternatives(
    *,
    slots: Sequence[Slot],
    wanted_start: datetime.datetime,
    professional_id: str | None,
    limit: int = 6,
) -> list[tuple[Slot, str]]:
    """Pick up to ``limit`` (slot, professional_id) pairs to offer after a conflict.

    ``slots`` should be freshly computed after the conflict. Distance is
    ``|slot.start - wanted_start|``; ties go to the earlier start, then to the
    order of ``slot.professional_ids``.

    With a ``professional_id``, tiers are, in order:

    1. that professional, less than 24 hours away, never at ``wanted_start``;
    2. every other professional (including at ``wanted_start``, which is the
       best possible alternative for the patient);
    3. that professional 24 hours or more away, so a single-professional
       clinic still gets alternatives.

    With ``professional_id=None`` ("any professional") there is one pair per
    slot, naming its first free professional, so a popular time does not fill
    the list with the same start; ``wanted_start`` is allowed because a fresh
    ``slots`` that still contains it means someone else is free then.
    """
    _require_aware(name="wanted_start", value=wanted_start)
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    # Normalise so equality is not defeated by fold semantics of ZoneInfo datetimes.
    wanted = wanted_start.astimezone(_UTC)

    def distance(slot: Slot) -> tuple[datetime.timedelta, datetime.datetime]:
        start = slot.start.astimezone(_UTC)
        return abs(start - wanted), start

    ordered = sorted(slots, key=distance)
    if professional_id is None:
        return [(slot, slot.professional_ids[0]) for slot in ordered if slot.professional_ids][:limit]

    same_near: list[tuple[Slot, str]] = []
    others: list[tuple[Slot, str]] = []
    same_far: list[tuple[Slot, str]] = []
    for slot in ordered:
        gap, start = distance(slot)
        for candidate in slot.professional_ids:
            if candidate != professional_id:
                others.append((slot, candidate))
            elif start == wanted:
                continue
            elif gap < _ALTERNATIVE_WINDOW:
                same_near.append((slot, candidate))
            else:
                same_far.append((slot, candidate))
    return (same_near + others + same_far)[:limit]


def working_intervals(
    *,
    schedule: ProfessionalSchedule,
    closures: Sequence[tuple[datetime.datetime, datetime.datetime]],
    tz: zoneinfo.ZoneInfo,
    first_day: datetime.date,
    last_day: datetime.date,
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The UTC intervals a professional works over local days [first_day, last_day] (inclusive).

    Their weekly hours read as ``available_slots`` reads them (the same DST rules), less their time
    off and the clinic's closures: sorted and disjoint. What a report divides booked time by.
    """
    worked: list[tuple[datetime.datetime, datetime.datetime]] = []
    for offset in range((last_day - first_day).days + 1):
        day = first_day + datetime.timedelta(days=offset)
        for range_start, range_end in schedule.weekly_hours.get(day.weekday(), ()):
            start, end = _range_bounds(day=day, start=range_start, end=range_end, tz=tz)
            if start < end:
                worked.append((start, end))
    worked.sort()
    merged: list[tuple[datetime.datetime, datetime.datetime]] = []
    for start, end in worked:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    away = sorted(
        _to_utc_interval(name=name, interval=interval)
        for name, intervals in (("time_off", schedule.time_off), ("closure", closures))
        for interval in intervals
    )
    return subtract_intervals(merged, away)


def subtract_intervals(
    intervals: Sequence[tuple[datetime.datetime, datetime.datetime]],
    removed: Sequence[tuple[datetime.datetime, datetime.datetime]],
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """``intervals`` (sorted, disjoint) less every interval of ``removed`` (any order, may overlap)."""
    left = list(intervals)
    for cut_start, cut_end in removed:
        kept: list[tuple[datetime.datetime, datetime.datetime]] = []
        for start, end in left:
            if cut_end <= start or end <= cut_start:
                kept.append((start, end))
                continue
            if start < cut_start:
                kept.append((start, cut_start))
            if cut_end < end:
                kept.append((cut_end, end))
        left = kept
    return left
