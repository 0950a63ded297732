"""Reads for booking: occupied time, availability, bookings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from pynamodb.exceptions import DoesNotExist

from booking.models import Booking, Cell, CellKind, Hold
from clinics.models import Clinic, Professional, Treatment
from clinics.selectors import NotFound
from nexioq import dynamo
from scheduling.availability import (
    Policy,
    ProfessionalSchedule,
    Slot,
    TreatmentSpec,
    available_slots,
    nearest_alternatives,
)


def policy_for(clinic: Clinic) -> Policy:
    return Policy(
        tz=clinic.zone,
        grid_minutes=int(clinic.grid_minutes),
        min_notice_minutes=int(clinic.min_notice_minutes),
        max_advance_days=int(clinic.max_advance_days),
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
    *,
    tenant_id: str,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    professional_ids: Sequence[str] | None = None,
) -> dict[str, set[dt.datetime]]:
    """Cells taken in [start, end): one Query on the clinic partition, whatever the range.

    Expired holds are left out: they are free again even before TTL removes them.
    """
    condition = None
    if professional_ids:
        condition = Cell.professional_id.is_in(*professional_ids)
    taken: dict[str, set[dt.datetime]] = defaultdict(set)
    now_epoch = int(now.timestamp())
    cells = Cell.query(
        dynamo.tenant_pk(tenant_id),
        Cell.sk.between(dynamo.slot_sk_bound(start), dynamo.slot_sk_bound(end)),
        filter_condition=condition,
        # Only what tells whether a cell is taken: less to send, parse and build per cell.
        attributes_to_get=["PK", "SK", "entity", "kind", "locked_until"],
    )
    for cell in cells:
        if cell.kind == CellKind.HOLD and (cell.locked_until or 0) <= now_epoch:
            continue
        cell_start, professional_id = dynamo.parse_slot_sk(cell.sk)
        taken[professional_id].add(cell_start)
    return taken


def local_day_bounds(clinic: Clinic, first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = clinic.zone
    start = dt.datetime.combine(first_day, dt.time.min, tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=zone).astimezone(dt.UTC)
    return start, end


def availability(
    *,
    clinic: Clinic,
    treatment: Treatment,
    professionals: Sequence[Professional],
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
) -> list[Slot]:
    """Bookable starts for these professionals over local days [first_day, last_day]."""
    candidates = [p for p in professionals if p.performs(treatment.treatment_id)]
    if not candidates:
        return []
    start, end = local_day_bounds(clinic, first_day, last_day)
    # A start near midnight still needs its buffers checked on the neighbouring day.
    spec = spec_for(treatment)
    taken = occupied_cells(
        tenant_id=clinic.tenant_id,
        start=start - dt.timedelta(minutes=spec.buffer_before_minutes),
        end=end + dt.timedelta(minutes=spec.duration_minutes + spec.buffer_after_minutes),
        now=now,
        professional_ids=[p.professional_id for p in candidates],
    )
    return available_slots(
        policy=policy_for(clinic),
        treatment=spec,
        schedules=[schedule_for(p) for p in candidates],
        closures=[(r.start, r.end) for r in clinic.closures],
        occupied=taken,
        first_day=first_day,
        last_day=last_day,
        now=now,
    )


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
        raise NotFound(hold_id) from exc


def booking_get(*, tenant_id: str, booking_id: str) -> Booking:
    try:
        return Booking.get(dynamo.tenant_pk(tenant_id), dynamo.booking_sk(booking_id), consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound(booking_id) from exc


def bookings_for_professional(
    *, professional_id: str, start: dt.datetime, end: dt.datetime, tenant_id: str
) -> list[Booking]:
    """A professional's agenda: one GSI2 query."""
    items = Booking.by_professional.query(
        dynamo.professional_gsi_pk(professional_id),
        Booking.gsi2sk.between(dynamo.booking_gsi_sk(start), dynamo.booking_gsi_sk(end)),
    )
    return [b for b in items if isinstance(b, Booking) and b.tenant_id == tenant_id]


def bookings_for_patient(*, patient_id: str, tenant_id: str) -> list[Booking]:
    """A patient's bookings at one clinic, oldest first: one GSI1 query (a patient may use several clinics)."""
    items = Booking.by_patient.query(dynamo.patient_gsi_pk(patient_id), Booking.gsi1sk.startswith("BOOKING#"))
    return [b for b in items if isinstance(b, Booking) and b.tenant_id == tenant_id]
