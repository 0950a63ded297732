"""Writes of the booking engine: holds, bookings, cancel, reschedule.

The invariant (no overlap for one professional, buffers included) is enforced by
DynamoDB: every write claims the 5-minute cells it needs in one
TransactWriteItems with a condition per cell. Nothing here checks before writing
and trusts the check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from pynamodb.exceptions import TransactWriteError

from booking.models import Booking, BookingStatus, Cell, CellKind, Hold
from booking.selectors import availability, booking_get, policy_for, schedule_for, spec_for
from clinics.models import Clinic, Professional, Treatment
from clinics.selectors import NotFound
from nexioq import dynamo
from scheduling.availability import available_slots, blocked_interval, cells_for

log = logging.getLogger(__name__)

CONFLICT_RETRIES = 6
# Expired holds linger this long before TTL removes them; they are free the moment they expire.
HOLD_TTL_GRACE = dt.timedelta(hours=1)


class SlotUnavailable(Exception):
    """The time is taken (or no longer offered); the caller answers 409 with alternatives."""


class NotOffered(Exception):
    """The time is not a bookable start (outside hours, past, misaligned): a 4xx, not a conflict."""


class InvalidState(Exception):
    """The booking cannot make this change in its current state."""


@dataclass(frozen=True)
class PatientDetails:
    name: str
    email: str
    phone: str
    patient_id: str | None = None


# Crockford's base32: no I, L, O or U, so a code read over the phone is not misheard.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def booking_reference(booking_id: str) -> str:
    """A short code a patient can read over the phone, derived from the booking id."""
    number = int.from_bytes(hashlib.sha256(booking_id.encode()).digest()[:5])
    return "".join(REFERENCE_ALPHABET[(number >> shift) & 31] for shift in range(35, -1, -5))


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def _claim_condition(*, now: dt.datetime, hold_id: str | None = None) -> Any:
    """A cell may be taken when free, held by an expired hold, or held by my hold."""
    free = Cell.pk.does_not_exist()
    expired = (Cell.kind == CellKind.HOLD) & (Cell.locked_until < _epoch(now))
    condition = free | expired
    if hold_id:
        condition = condition | ((Cell.kind == CellKind.HOLD) & (Cell.hold_id == hold_id))
    return condition


def _cell(tenant_id: str, professional_id: str, start: dt.datetime, **attributes: Any) -> Cell:
    return Cell(
        dynamo.tenant_pk(tenant_id),
        dynamo.slot_sk(start, professional_id),
        professional_id=professional_id,
        **attributes,
    )


def _cancel_codes(exc: TransactWriteError) -> list[str | None]:
    return [reason.code if reason else None for reason in (exc.cancellation_reasons or [])]


def _run_transaction(build: Callable[[Any], None], *, token: str | None = None) -> list[str | None]:
    """Run a transaction, retrying while DynamoDB reports a concurrent transaction on the same items.

    Returns [] on success, else the per-item cancellation codes of the final attempt.
    """
    for attempt in range(CONFLICT_RETRIES):
        try:
            with dynamo.transaction(client_request_token=token) as tx:
                build(tx)
            return []
        except TransactWriteError as exc:
            codes = _cancel_codes(exc)
            if exc.cause_response_code == "IdempotentParameterMismatchException":
                return ["IdempotentParameterMismatch"]
            if exc.cause_response_code not in {"TransactionCanceledException", "TransactionConflictException"}:
                raise
            if "ConditionalCheckFailed" in codes or attempt == CONFLICT_RETRIES - 1:
                return codes or ["TransactionConflict"]
            # Another transaction touches these items right now: it will finish soon.
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
            # A retry is a new attempt with new conditions; the token would make DynamoDB reject it.
            token = None
    return ["TransactionConflict"]


def _free_professionals(
    *,
    clinic: Clinic,
    treatment: Treatment,
    professionals: Sequence[Professional],
    start: dt.datetime,
    now: dt.datetime,
) -> list[Professional]:
    """Those of ``professionals`` free at ``start``, in their order: one read of the day for all of them.

    Raises NotOffered when none of them works then at all (hours, notice, time off, closures) and
    SlotUnavailable when someone does but the time is taken. Occupied time is decided by the
    transaction, not here: this read only refuses early and tells a 4xx from a 409.
    """
    day = start.astimezone(clinic.zone).date()
    slots = availability(
        clinic=clinic, treatment=treatment, professionals=professionals, first_day=day, last_day=day, now=now
    )
    free_ids = next((set(slot.professional_ids) for slot in slots if slot.start == start), set())
    free = [p for p in professionals if p.professional_id in free_ids]
    if free:
        return free
    if _in_hours(clinic=clinic, treatment=treatment, professionals=professionals, start=start, now=now):
        raise SlotUnavailable(start)
    raise NotOffered(start)


def _in_hours(
    *,
    clinic: Clinic,
    treatment: Treatment,
    professionals: Sequence[Professional],
    start: dt.datetime,
    now: dt.datetime,
) -> bool:
    """Would the start be offered if nothing were booked? No I/O: schedules only."""
    day = start.astimezone(clinic.zone).date()
    slots = available_slots(
        policy=policy_for(clinic),
        treatment=spec_for(treatment),
        schedules=[schedule_for(p) for p in professionals if p.performs(treatment.treatment_id)],
        closures=[(r.start, r.end) for r in clinic.closures],
        occupied={},
        first_day=day,
        last_day=day,
        now=now,
    )
    return any(slot.start == start for slot in slots)


def hold_create(
    *,
    clinic: Clinic,
    treatment: Treatment,
    professionals: Sequence[Professional],
    start: dt.datetime,
    now: dt.datetime | None = None,
) -> Hold:
    """Hold the time with the first of ``professionals`` who is free ("any" passes several)."""
    now = now or timezone.now()
    start = start.astimezone(dt.UTC)  # wall-clock arithmetic across DST would be wrong
    if clinic.suspended:
        raise NotOffered(start)
    spec_start, spec_end = blocked_interval(start=start, treatment=spec_for(treatment))
    end = start + dt.timedelta(minutes=int(treatment.duration_minutes))
    locked_until = now + dt.timedelta(minutes=settings.HOLD_MINUTES)
    for professional in _free_professionals(
        clinic=clinic, treatment=treatment, professionals=professionals, start=start, now=now
    ):
        hold_id = uuid.uuid4().hex
        hold = Hold(
            dynamo.tenant_pk(clinic.tenant_id),
            dynamo.hold_sk(hold_id),
            tenant_id=clinic.tenant_id,
            hold_id=hold_id,
            booking_id=uuid.uuid4().hex,
            treatment_id=treatment.treatment_id,
            professional_id=professional.professional_id,
            start=start,
            end=end,
            blocked_start=spec_start,
            blocked_end=spec_end,
            locked_until=_epoch(locked_until),
            expires_at=locked_until + HOLD_TTL_GRACE,
        )
        cells = [
            _cell(
                clinic.tenant_id,
                professional.professional_id,
                cell_start,
                kind=CellKind.HOLD,
                hold_id=hold_id,
                locked_until=_epoch(locked_until),
                expires_at=locked_until + HOLD_TTL_GRACE,
            )
            for cell_start in cells_for(start=spec_start, end=spec_end)
        ]

        def build(tx: Any, cells: list[Cell] = cells, hold: Hold = hold) -> None:
            for cell in cells:
                tx.save(cell, condition=_claim_condition(now=now))
            tx.save(hold, condition=Hold.pk.does_not_exist())

        if not _run_transaction(build, token=hold_id):
            return hold
    # Everyone free a moment ago was taken in the meantime.
    raise SlotUnavailable(start)


def hold_release(*, hold: Hold) -> None:
    """Give a hold's time back (the patient picked another time)."""
    cells = cells_for(start=hold.blocked_start, end=hold.blocked_end)

    def build(tx: Any) -> None:
        for cell_start in cells:
            cell = _cell(hold.tenant_id, hold.professional_id, cell_start, kind=CellKind.HOLD)
            # Only my hold's cells: after expiry someone else may own them already.
            tx.delete(cell, condition=Cell.pk.does_not_exist() | (Cell.hold_id == hold.hold_id))
        tx.delete(hold)

    if _run_transaction(build):
        # Cells already taken by others stay theirs; mine expire by themselves.
        hold.delete()


def booking_create(
    *,
    clinic: Clinic,
    treatment: Treatment,
    professional: Professional,
    start: dt.datetime,
    patient: PatientDetails,
    booking_id: str | None = None,
    hold: Hold | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Claim every cell of the blocked interval and write the booking, in one transaction.

    With a hold, the hold's cells are mine to take and the hold's booking id makes a
    repeated confirm return the first booking instead of a second one.
    """
    now = now or timezone.now()
    start = start.astimezone(dt.UTC)
    if clinic.suspended:
        raise NotOffered(start)
    if hold is not None:
        booking_id = hold.booking_id
        if hold.professional_id != professional.professional_id or hold.start != start:
            raise InvalidState("hold does not match")
    else:
        try:
            _free_professionals(clinic=clinic, treatment=treatment, professionals=[professional], start=start, now=now)
        except SlotUnavailable:
            # A repeated submit with the same booking id finds its own booking holding the time.
            existing = _existing_booking(tenant_id=clinic.tenant_id, booking_id=booking_id) if booking_id else None
            if existing is not None:
                return existing
            raise
    booking_id = booking_id or uuid.uuid4().hex
    blocked_start, blocked_end = blocked_interval(start=start, treatment=spec_for(treatment))
    end = start + dt.timedelta(minutes=int(treatment.duration_minutes))
    booking = Booking(
        dynamo.tenant_pk(clinic.tenant_id),
        dynamo.booking_sk(booking_id),
        tenant_id=clinic.tenant_id,
        booking_id=booking_id,
        reference=booking_reference(booking_id),
        patient_id=patient.patient_id,
        patient_name=patient.name,
        patient_email=patient.email,
        patient_phone=patient.phone,
        treatment_id=treatment.treatment_id,
        treatment_name=treatment.name,
        price=treatment.price,
        professional_id=professional.professional_id,
        professional_name=professional.name,
        start=start,
        end=end,
        blocked_start=blocked_start,
        blocked_end=blocked_end,
        status=BookingStatus.CONFIRMED,
        created_at=now,
        updated_at=now,
        gsi2pk=dynamo.professional_gsi_pk(professional.professional_id),
        gsi2sk=dynamo.booking_gsi_sk(start),
    )
    if patient.patient_id:
        booking.gsi1pk = dynamo.patient_gsi_pk(patient.patient_id)
        booking.gsi1sk = dynamo.booking_gsi_sk(start)
    cells = [
        _cell(clinic.tenant_id, professional.professional_id, cell_start, kind=CellKind.BOOKING, booking_id=booking_id)
        for cell_start in cells_for(start=blocked_start, end=blocked_end)
    ]
    hold_id = hold.hold_id if hold else None

    def build(tx: Any) -> None:
        if hold is not None:
            tx.delete(Hold(dynamo.tenant_pk(clinic.tenant_id), dynamo.hold_sk(hold.hold_id)))
        for cell in cells:
            tx.save(cell, condition=_claim_condition(now=now, hold_id=hold_id))
        # The booking's version condition (new item) makes a repeated confirm fail here.
        tx.save(booking)

    codes = _run_transaction(build, token=booking_id)
    if not codes:
        return booking
    booking_index = len(cells) + (1 if hold is not None else 0)
    booking_failed = len(codes) > booking_index and codes[booking_index] == "ConditionalCheckFailed"
    if booking_failed or codes == ["IdempotentParameterMismatch"]:
        # The same confirm arrived twice: the first one won, answer with its booking.
        existing = _existing_booking(tenant_id=clinic.tenant_id, booking_id=booking_id)
        if existing is not None:
            return existing
    raise SlotUnavailable(start)


def _existing_booking(*, tenant_id: str, booking_id: str) -> Booking | None:
    try:
        return booking_get(tenant_id=tenant_id, booking_id=booking_id)
    except NotFound:
        return None


def _release_condition(booking_id: str) -> Any:
    return Cell.pk.does_not_exist() | (Cell.booking_id == booking_id)


def booking_cancel(*, booking: Booking, now: dt.datetime | None = None) -> Booking:
    """Free the cells and mark the booking cancelled, together or not at all."""
    now = now or timezone.now()
    if booking.status != BookingStatus.CONFIRMED:
        raise InvalidState(booking.status)
    cell_starts = cells_for(start=booking.blocked_start, end=booking.blocked_end)
    booking.status = BookingStatus.CANCELLED
    booking.updated_at = now

    def build(tx: Any) -> None:
        for cell_start in cell_starts:
            cell = _cell(booking.tenant_id, booking.professional_id, cell_start, kind=CellKind.BOOKING)
            tx.delete(cell, condition=_release_condition(booking.booking_id))
        tx.save(booking)

    if _run_transaction(build):
        booking.status = BookingStatus.CONFIRMED
        raise InvalidState("changed concurrently")
    return booking


def booking_reschedule(
    *,
    clinic: Clinic,
    booking: Booking,
    treatment: Treatment,
    professional: Professional,
    new_start: dt.datetime,
    now: dt.datetime | None = None,
) -> Booking:
    """Move a booking: free the old cells, claim the new ones, update it, in one transaction.

    When the new time is taken the transaction is cancelled whole and the booking keeps its old time.
    """
    now = now or timezone.now()
    new_start = new_start.astimezone(dt.UTC)
    if booking.status != BookingStatus.CONFIRMED:
        raise InvalidState(booking.status)
    # Only hours are checked here: the booking's own cells would make an overlapping move look taken.
    if not _in_hours(clinic=clinic, treatment=treatment, professionals=[professional], start=new_start, now=now):
        raise NotOffered(new_start)
    new_blocked_start, new_blocked_end = blocked_interval(start=new_start, treatment=spec_for(treatment))
    old = {(booking.professional_id, c) for c in cells_for(start=booking.blocked_start, end=booking.blocked_end)}
    new = {(professional.professional_id, c) for c in cells_for(start=new_blocked_start, end=new_blocked_end)}
    snapshot = booking.serialize()
    booking.start = new_start
    booking.end = new_start + dt.timedelta(minutes=int(treatment.duration_minutes))
    booking.blocked_start, booking.blocked_end = new_blocked_start, new_blocked_end
    booking.professional_id = professional.professional_id
    booking.professional_name = professional.name
    booking.gsi2pk = dynamo.professional_gsi_pk(professional.professional_id)
    booking.gsi2sk = dynamo.booking_gsi_sk(new_start)
    if booking.gsi1pk:
        booking.gsi1sk = dynamo.booking_gsi_sk(new_start)
    booking.updated_at = now

    def build(tx: Any) -> None:
        # Cells in both sets are already mine and stay as they are.
        for professional_id, cell_start in sorted(old - new):
            cell = _cell(booking.tenant_id, professional_id, cell_start, kind=CellKind.BOOKING)
            tx.delete(cell, condition=_release_condition(booking.booking_id))
        for professional_id, cell_start in sorted(new - old):
            cell = _cell(
                booking.tenant_id, professional_id, cell_start, kind=CellKind.BOOKING, booking_id=booking.booking_id
            )
            tx.save(cell, condition=_claim_condition(now=now))
        tx.save(booking)

    if _run_transaction(build):
        booking.deserialize(snapshot)
        raise SlotUnavailable(new_start)
    return booking
