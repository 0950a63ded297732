"""Reads for booking: occupied time, availability, bookings, holds. Never writes."""

from __future__ import annotations

import contextvars
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence, Set
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist

from booking.errors import BookingNotFound, HoldNotFound
from booking.models import Booking, BookingStatus, Hold
from clinics.models import Clinic, Professional, Treatment
from nexioq import dynamo
from nexioq.dynamo import TableItem
from nexioq.errors import NotFound
from scheduling.availability import (
    DayState,
    Policy,
    ProfessionalSchedule,
    Slot,
    TreatmentSpec,
    available_slots,
    cells_for,
    day_states,
    nearest_alternatives,
)

# "Any professional" reads each candidate's cells with its own Query, this many at a time:
# cost follows the candidates, never the clinic (README, "Any professional").
CANDIDATE_READERS = 8
_readers = ThreadPoolExecutor(max_workers=CANDIDATE_READERS, thread_name_prefix="cells")


# How far ahead staff may book, whatever the clinic's online horizon: booking.services.STAFF_HORIZON_DAYS
# (a test keeps the two equal; reads never import from writes).
STAFF_HORIZON_DAYS = 2 * 366


def policy_for(clinic: Clinic, *, staff: bool = False) -> Policy:
    """The clinic's rules; for ``staff`` (phone and walk-in bookings) no minimum notice and a far horizon,
    as ``booking.services._refuse_unbookable(staff=True)`` applies them."""
    return Policy(
        tz=clinic.zone,
        grid_minutes=int(clinic.grid_minutes),
        min_notice_minutes=0 if staff else int(clinic.min_notice_minutes),
        max_advance_days=STAFF_HORIZON_DAYS if staff else int(clinic.max_advance_days),
    )


def spec_for(treatment: Treatment) -> TreatmentSpec:
    return TreatmentSpec(
        duration_minutes=int(treatment.duration_minutes),
        buffer_before_minutes=int(treatment.buffer_before_minutes),
        buffer_after_minutes=int(treatment.buffer_after_minutes),
    )


def schedule_for(professional: Professional) -> ProfessionalSchedule:
    weekly: dict[int, list[tuple[dt.time, dt.time]]] = defaultdict(list)
    for work in professional.weekly_hours:
        weekly[int(work.weekday)].append((dt.time.fromisoformat(work.start), dt.time.fromisoformat(work.end)))
    return ProfessionalSchedule(
        professional_id=professional.professional_id,
        weekly_hours=dict(weekly),
        time_off=tuple((r.start, r.end) for r in professional.time_off),
    )


def occupied_cells(
    *, tenant_id: str, professional_id: str, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> set[dt.datetime]:
    """One professional's taken cells starting in [start, end): one Query that reads only their cells.

    Expired holds are left out: they are free again even before TTL removes them. Only the key
    and a hold's expiry are read, as plain dicts (no model per cell).
    """
    now_epoch = int(now.timestamp())
    taken: set[dt.datetime] = set()
    # Only hold cells carry an expiry; a cell without one is a booking's or a block's.
    items = dynamo.query_keys(
        pk=dynamo.tenant_pk(tenant_id),
        sk_between=dynamo.cell_range(professional_id, start, end),
        attributes=("SK", "locked_until"),
    )
    for item in items:
        locked_until = item.get("locked_until")
        if locked_until is not None and int(locked_until["N"]) <= now_epoch:
            continue
        taken.add(dynamo.parse_cell_sk(item["SK"]["S"])[1])
    return taken


def occupied_cells_of_one(
    *, tenant_id: str, professional_ids: Sequence[str], start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> dict[str, set[dt.datetime]]:
    """``occupied_cells`` of the one professional in ``professional_ids``, keyed by their id."""
    [professional_id] = professional_ids
    return {
        professional_id: occupied_cells(
            tenant_id=tenant_id, professional_id=professional_id, start=start, end=end, now=now
        )
    }


def occupied_from_agenda(
    *, tenant_id: str, professional_ids: Sequence[str], start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> dict[str, set[dt.datetime]]:
    """Taken cells of several professionals in [start, end): one Query of the clinic's agenda, whatever
    their number (README, "Any professional").

    Every occupant of time is an entry of the clinic agenda (a booking, a live hold), one item each
    rather than one per cell. An index is eventually consistent: a time taken a moment ago may still
    look free here, and is then refused by the transaction that tries to claim it, as it must be.
    """
    wanted = set(professional_ids)
    taken: dict[str, set[dt.datetime]] = {pid: set() for pid in wanted}
    now_epoch = int(now.timestamp())
    items = dynamo.query_keys(
        pk=dynamo.clinic_agenda_pk(tenant_id),
        sk_between=(dynamo.agenda_bound(start - _LONGEST_BLOCK), dynamo.agenda_bound(end)),
        attributes=("entity", "professional_id", "blocked_start", "blocked_end", "status", "locked_until"),
        index=Booking.clinic_agenda,
    )
    for item in items:
        professional_id = item["professional_id"]["S"]
        if professional_id not in wanted:
            continue
        if item["entity"]["S"] == "booking" and item.get("status", {}).get("S") == BookingStatus.CANCELLED:
            continue
        if "locked_until" in item and int(item["locked_until"]["N"]) <= now_epoch:
            continue  # an expired hold
        low = max(dynamo.parse_iso_utc(item["blocked_start"]["S"]), start)
        high = min(dynamo.parse_iso_utc(item["blocked_end"]["S"]), end)
        if low < high:
            taken[professional_id].update(cells_for(start=low, end=high))
    return taken


def occupied_by_professional(
    *, tenant_id: str, professional_ids: Sequence[str], start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> dict[str, set[dt.datetime]]:
    """Taken cells of several professionals: one Query of each one's cells, issued side by side."""

    def read(professional_id: str) -> set[dt.datetime]:
        return occupied_cells(tenant_id=tenant_id, professional_id=professional_id, start=start, end=end, now=now)

    if len(professional_ids) == 1:
        return {professional_ids[0]: read(professional_ids[0])}
    # Each task runs in a copy of this context, so request counting sees its queries.
    futures = {
        pid: _readers.submit(contextvars.copy_context().run, read, pid) for pid in dict.fromkeys(professional_ids)
    }
    return {pid: future.result() for pid, future in futures.items()}


def local_day_bounds(clinic: Clinic, first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = clinic.zone
    start = dt.datetime.combine(first_day, dt.time.min, tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=zone).astimezone(dt.UTC)
    return start, end


def _candidates(treatment: Treatment, professionals: Sequence[Professional]) -> list[Professional]:
    return [p for p in professionals if p.performs(treatment.treatment_id)]


def _horizon(clinic: Clinic, now: dt.datetime, staff: bool = False) -> dt.date:
    """The last local day the clinic takes online bookings for (staff: bookings by the clinic)."""
    return now.astimezone(clinic.zone).date() + dt.timedelta(days=policy_for(clinic, staff=staff).max_advance_days)


def _occupied(
    *,
    clinic: Clinic,
    treatment: Treatment,
    candidates: Sequence[Professional],
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
) -> dict[str, set[dt.datetime]]:
    """The candidates' taken cells over local days [first_day, last_day]: one Query."""
    start, end = local_day_bounds(clinic, first_day, last_day)
    # A start near midnight still needs its buffers checked on the neighbouring day.
    spec = spec_for(treatment)
    # One professional: their own cells (one Query that reads nothing else). Several: the clinic's
    # agenda, one Query whatever their number (measured: README, "Any professional").
    read = occupied_cells_of_one if len(candidates) == 1 else occupied_from_agenda
    return read(
        tenant_id=clinic.tenant_id,
        professional_ids=[p.professional_id for p in candidates],
        start=start - dt.timedelta(minutes=spec.buffer_before_minutes),
        end=end + dt.timedelta(minutes=spec.duration_minutes + spec.buffer_after_minutes),
        now=now,
    )


def _engine_inputs(
    clinic: Clinic, treatment: Treatment, candidates: Sequence[Professional], staff: bool = False
) -> dict[str, Any]:
    """What the scheduling engine needs of the clinic, the treatment and the candidates."""
    return {
        "policy": policy_for(clinic, staff=staff),
        "treatment": spec_for(treatment),
        "schedules": [schedule_for(p) for p in candidates],
        "closures": [(r.start, r.end) for r in clinic.closures],
    }


def _slots(
    *,
    clinic: Clinic,
    treatment: Treatment,
    candidates: Sequence[Professional],
    occupied: dict[str, set[dt.datetime]],
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
    staff: bool = False,
) -> list[Slot]:
    return available_slots(
        **_engine_inputs(clinic, treatment, candidates, staff),
        occupied=occupied,
        first_day=first_day,
        last_day=last_day,
        now=now,
    )


def availability(
    *,
    clinic: Clinic,
    treatment: Treatment,
    professionals: Sequence[Professional],
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
    moving: Booking | None = None,
    staff: bool = False,
) -> list[Slot]:
    """Bookable starts for these professionals over local days [first_day, last_day].

    ``moving``: a booking being rescheduled, whose own time counts as free (it may move a
    quarter later, over its own time). ``staff``: the clinic books (no minimum notice, a far horizon).
    """
    candidates = _candidates(treatment, professionals)
    if not candidates:
        return []
    # Nothing to read for days no one may book (past the horizon): spare the Query.
    last_day = min(last_day, _horizon(clinic, now, staff))
    if last_day < first_day:
        return []
    occupied = _occupied(
        clinic=clinic, treatment=treatment, candidates=candidates, first_day=first_day, last_day=last_day, now=now
    )
    if moving is not None and moving.professional_id in occupied:
        occupied[moving.professional_id] -= set(cells_for(start=moving.blocked_start, end=moving.blocked_end))
    return _slots(
        clinic=clinic,
        treatment=treatment,
        candidates=candidates,
        occupied=occupied,
        first_day=first_day,
        last_day=last_day,
        now=now,
        staff=staff,
    )


# ---------------------------------------------------------------- the wizard's day strip

# The days step 2 shows at once: one week, read in one Query. Strips start at today and follow
# each other, so a day always belongs to the same strip.
STRIP_DAYS = 7


@dataclass(frozen=True)
class Strip:
    """Consecutive local days with their bookable starts and their state (free, full, closed)."""

    first_day: dt.date
    last_day: dt.date
    slots: list[Slot]
    states: dict[dt.date, DayState]

    def first_free(self, on_or_after: dt.date | None = None) -> dt.date | None:
        return next(
            (
                day
                for day, state in self.states.items()
                if state is DayState.FREE and (on_or_after is None or day >= on_or_after)
            ),
            None,
        )

    def slots_on(self, day: dt.date, zone: dt.tzinfo) -> list[Slot]:
        return [slot for slot in self.slots if slot.start.astimezone(zone).date() == day]


def narrowed(slots: Sequence[Slot], professional_ids: Set[str]) -> list[Slot]:
    """The slots with only these professionals free, and none left without any."""
    return [
        Slot(start=s.start, end=s.end, professional_ids=ids)
        for s in slots
        if (ids := tuple(pid for pid in s.professional_ids if pid in professional_ids))
    ]


def strip_first_day(*, today: dt.date, day: dt.date) -> dt.date:
    """The first day of the strip that shows ``day`` (on or after today)."""
    return today + dt.timedelta(days=(day - today).days // STRIP_DAYS * STRIP_DAYS)


def _strip(
    *,
    clinic: Clinic,
    treatment: Treatment,
    candidates: Sequence[Professional],
    slots: list[Slot],
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
    staff: bool = False,
) -> Strip:
    """The strip of [first_day, last_day] from slots already computed (a range containing it)."""
    zone = clinic.zone
    mine = [s for s in slots if first_day <= s.start.astimezone(zone).date() <= last_day]
    states = day_states(
        slots=mine,
        **_engine_inputs(clinic, treatment, candidates, staff),
        first_day=first_day,
        last_day=last_day,
        now=now,
    )
    return Strip(first_day=first_day, last_day=last_day, slots=mine, states=states)


def availability_strip(
    *,
    clinic: Clinic,
    treatment: Treatment,
    professionals: Sequence[Professional],
    day: dt.date,
    now: dt.datetime,
    slots: Sequence[Slot] | None = None,
    staff: bool = False,
) -> Strip:
    """The strip that shows ``day``, for these professionals: one Query (none when ``slots``, the
    strip's availability for every professional of the treatment, was already read)."""
    today = now.astimezone(clinic.zone).date()
    first_day = strip_first_day(today=today, day=day)
    last_day = min(first_day + dt.timedelta(days=STRIP_DAYS - 1), _horizon(clinic, now, staff))
    candidates = _candidates(treatment, professionals)
    if slots is None:
        slots = availability(
            clinic=clinic,
            treatment=treatment,
            professionals=candidates,
            first_day=first_day,
            last_day=last_day,
            now=now,
            staff=staff,
        )
    else:
        # Every professional's slots, narrowed to these professionals.
        slots = narrowed(slots, {p.professional_id for p in candidates})
    return _strip(
        clinic=clinic,
        treatment=treatment,
        candidates=candidates,
        slots=list(slots),
        first_day=first_day,
        last_day=last_day,
        now=now,
        staff=staff,
    )


# After the strip of the day asked for, the search reads this many more strips at once, then the
# rest of the horizon: a closure of a week or two costs one more Query of a few weeks, never the
# whole horizon of a busy clinic, and no search costs more than two more Queries.
SEARCH_NEXT_STRIPS = 2


def first_free_strip(
    *,
    clinic: Clinic,
    treatment: Treatment,
    professionals: Sequence[Professional],
    from_day: dt.date,
    now: dt.datetime,
    staff: bool = False,
) -> tuple[Strip, dt.date | None]:
    """The strip holding the first day on or after ``from_day`` with a free time, and that day.

    At most three Queries, whatever the horizon: the strip of ``from_day``; only if it has no free
    day from ``from_day`` on, the next ``SEARCH_NEXT_STRIPS`` strips; only if they have none either,
    the rest of the horizon (each paged by DynamoDB). With no free day up to the horizon, the strip
    of ``from_day`` and None.
    """
    strip = availability_strip(
        clinic=clinic, treatment=treatment, professionals=professionals, day=from_day, now=now, staff=staff
    )
    found = strip.first_free(from_day)
    horizon = _horizon(clinic, now, staff)
    candidates = _candidates(treatment, professionals)
    if found is not None or not candidates:
        return strip, found
    first_day = strip.last_day + dt.timedelta(days=1)
    for strips in (SEARCH_NEXT_STRIPS, None):
        if first_day > horizon:
            break
        read_last = horizon if strips is None else min(first_day + dt.timedelta(days=strips * STRIP_DAYS - 1), horizon)
        occupied = _occupied(
            clinic=clinic, treatment=treatment, candidates=candidates, first_day=first_day, last_day=read_last, now=now
        )
        # Strip by strip over what was read, so the computation stops at the first free day too.
        while first_day <= read_last:
            last_day = min(first_day + dt.timedelta(days=STRIP_DAYS - 1), horizon)
            later = _slots(
                clinic=clinic,
                treatment=treatment,
                candidates=candidates,
                occupied=occupied,
                first_day=first_day,
                last_day=last_day,
                now=now,
                staff=staff,
            )
            if later:
                shown = _strip(
                    clinic=clinic,
                    treatment=treatment,
                    candidates=candidates,
                    slots=later,
                    first_day=first_day,
                    last_day=last_day,
                    now=now,
                    staff=staff,
                )
                return shown, later[0].start.astimezone(clinic.zone).date()
            first_day = last_day + dt.timedelta(days=1)
    return strip, None


def alternatives(
    *,
    slots: Sequence[Slot],
    professionals: Sequence[Professional],
    wanted_start: dt.datetime,
    professional_id: str | None,
    limit: int = 6,
) -> list[tuple[Slot, Professional]]:
    """The nearest free times after a conflict: same professional first, then the others.

    ``slots`` is the day's fresh availability for every professional who performs the treatment.
    """
    by_id = {p.professional_id: p for p in professionals}
    ranked = nearest_alternatives(slots=slots, wanted_start=wanted_start, professional_id=professional_id, limit=50)
    # Keep room for other professionals: a patient may prefer the same hour with someone else.
    same = [pair for pair in ranked if pair[1] == professional_id][: limit - 2]
    others = [pair for pair in ranked if pair[1] != professional_id][: limit - len(same)]

    # Nearest decides which; the list then reads in clock order, like the times grid.
    def by_time(pairs: list[tuple[Slot, str]]) -> list[tuple[Slot, str]]:
        return sorted(pairs, key=lambda pair: pair[0].start)

    return [(slot, by_id[pid]) for slot, pid in by_time(same) + by_time(others) if pid in by_id]


def hold_get(*, tenant_id: str, hold_id: str) -> Hold:
    try:
        return Hold.get(dynamo.tenant_pk(tenant_id), dynamo.hold_sk(hold_id), consistent_read=True)
    except DoesNotExist as exc:
        raise HoldNotFound(detail=f"hold {hold_id}") from exc


def hold_with_clinic(*, tenant_id: str, hold_id: str) -> tuple[Hold, Clinic]:
    """A hold and its clinic: one strongly consistent BatchGetItem (both live in the clinic's partition)."""
    pk = dynamo.tenant_pk(tenant_id)
    keys = [(pk, dynamo.hold_sk(hold_id)), (pk, dynamo.CLINIC_SK)]
    found = {item.sk: item for item in TableItem.batch_get(keys, consistent_read=True)}
    hold, clinic = found.get(dynamo.hold_sk(hold_id)), found.get(dynamo.CLINIC_SK)
    if not isinstance(hold, Hold):
        raise HoldNotFound(detail=f"hold {hold_id}")
    if not isinstance(clinic, Clinic):
        raise NotFound(detail=f"clinic {tenant_id}")
    return hold, clinic


def booking_get(*, tenant_id: str, booking_id: str) -> Booking:
    try:
        return Booking.get(dynamo.tenant_pk(tenant_id), dynamo.booking_sk(booking_id), consistent_read=True)
    except DoesNotExist as exc:
        raise BookingNotFound(detail=f"booking {booking_id}") from exc


def booking_with_clinic(*, tenant_id: str, booking_id: str, consistent: bool = False) -> tuple[Clinic, Booking]:
    """A booking and its clinic: one BatchGetItem (both live in the clinic's partition).

    ``consistent``: the booking as last written (staff reopening it right after a change, whose form
    carries its version), at twice the read cost.
    """
    pk = dynamo.tenant_pk(tenant_id)
    keys = [(pk, dynamo.CLINIC_SK), (pk, dynamo.booking_sk(booking_id))]
    found = {item.sk: item for item in TableItem.batch_get(keys, consistent_read=consistent or None)}
    clinic, booking = found.get(dynamo.CLINIC_SK), found.get(dynamo.booking_sk(booking_id))
    if not isinstance(clinic, Clinic) or not isinstance(booking, Booking):
        raise BookingNotFound(detail=f"booking {booking_id}")
    return clinic, booking


def booking_find(*, tenant_id: str, booking_id: str) -> Booking | None:
    try:
        return booking_get(tenant_id=tenant_id, booking_id=booking_id)
    except BookingNotFound:
        return None


# A booking that started this long before a range may still run into it.
_LONGEST_BLOCK = dt.timedelta(minutes=dynamo.MAX_BLOCK_MINUTES)


def bookings_in_range(
    *, tenant_id: str, start: dt.datetime, end: dt.datetime, professional_id: str | None = None
) -> list[Booking]:
    """Bookings (any status) whose time overlaps [start, end), by start: one Query, paged by DynamoDB.

    A professional's come from their agenda inside this clinic, the whole clinic's from the
    clinic's agenda; both indexes are keyed by clinic, so nothing is filtered out in Python
    but the few bookings that ended before ``start``.
    """
    bounds = (dynamo.agenda_bound(start - _LONGEST_BLOCK), dynamo.agenda_bound(end))
    if professional_id is None:
        items = Booking.clinic_agenda.query(
            dynamo.clinic_agenda_pk(tenant_id), Booking.clinic_agenda_sk.between(*bounds)
        )
    else:
        items = Booking.professional_agenda.query(
            dynamo.professional_agenda_pk(tenant_id, professional_id), Booking.agenda_sk.between(*bounds)
        )
    return [b for b in items if isinstance(b, Booking) and b.end > start]


def bookings_for_patient(*, patient_id: str, tenant_id: str | None = None) -> list[Booking]:
    """A patient's bookings, oldest first, at every clinic or at one: one Query of their index."""
    items = Booking.patient_bookings.query(dynamo.patient_bookings_pk(patient_id))
    return [b for b in items if isinstance(b, Booking) and (tenant_id is None or b.tenant_id == tenant_id)]


def clinics_by_id(*, tenant_ids: Sequence[str]) -> dict[str, Clinic]:
    """The clinics of these ids: one BatchGetItem (per hundred clinics), whatever their number."""
    wanted = list(dict.fromkeys(tenant_ids))
    if not wanted:
        return {}
    keys = [(dynamo.tenant_pk(tenant_id), dynamo.CLINIC_SK) for tenant_id in wanted]
    return {item.tenant_id: item for item in TableItem.batch_get(keys) if isinstance(item, Clinic)}


def patient_bookings_with_clinics(*, patient_id: str) -> list[tuple[Booking, Clinic]]:
    """A patient's bookings at every clinic with their clinic, oldest first: one Query and one BatchGetItem."""
    bookings = bookings_for_patient(patient_id=patient_id)
    clinics = clinics_by_id(tenant_ids=[b.tenant_id for b in bookings])
    return [(b, clinics[b.tenant_id]) for b in bookings if b.tenant_id in clinics]
