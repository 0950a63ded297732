"""Use cases of the booking engine: hold, confirm, book, cancel, reschedule, mark attendance.

Each takes ids and an ``Actor`` (who acts, with their roles at the clinic), never a request, so
the wizard, the back office, the API, Celery tasks and Lambda events call the same functions.

The invariant (for one professional no two bookings, live holds or blocks overlap, buffers
included) is enforced by DynamoDB: every write claims the 5-minute cells it needs in one
TransactWriteItems with a condition per cell. What is read beforehand only tells a refusal
(4xx) from a conflict (409); nothing here checks first and trusts the check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext_lazy
from pynamodb.exceptions import PutError

from access import services as access_services
from access.permissions import SYSTEM, Action, Actor
from accounts import services as accounts_services
from booking.changes import agenda_changed
from booking.errors import (
    AttendanceTooEarly,
    BookingChangedMeanwhile,
    BookingNotChangeable,
    BookingNotFound,
    CancellationCutoffPassed,
    ClinicSuspended,
    HoldExpired,
    HoldMismatch,
    HoldNotFound,
    HoldNotYours,
    InThePast,
    OutsideHours,
    SlotTaken,
    TooFarAhead,
    TooSoon,
    TreatmentChangeNotAllowed,
)
from booking.models import Booking, BookingStatus, Cell, CellKind, HistoryEntry, Hold
from booking.phones import patient_phone_clean
from booking.selectors import (
    availability,
    booking_find,
    booking_get,
    hold_get,
    hold_with_clinic,
    policy_for,
    schedule_for,
    spec_for,
)
from clinics.models import Clinic, Professional, Treatment
from clinics.selectors import clinic_context, clinic_get, professional_list
from nexioq import dynamo
from nexioq.errors import Forbidden, Invalid, SignInRequired
from nexioq.logs import stack_of
from notifications import outbox
from scheduling.availability import CELL_MINUTES, Policy, available_slots, blocked_interval, cells_for

log = logging.getLogger(__name__)

# How far ahead staff may book (a recall in a year or two), whatever the clinic's online horizon.
STAFF_HORIZON_DAYS = 2 * 366
# Expired holds linger this long before TTL removes them; they are free the moment they expire.
HOLD_TTL_GRACE = dt.timedelta(hours=1)


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


# ---------------------------------------------------------------- conditions and items


def _claim_condition(*, now: dt.datetime, hold_id: str | None = None) -> Any:
    """A cell may be taken when free, held by an expired hold, or held by my hold."""
    free = Cell.pk.does_not_exist()
    expired = (Cell.kind == CellKind.HOLD) & (Cell.locked_until < _epoch(now))
    condition = free | expired
    if hold_id:
        condition = condition | ((Cell.kind == CellKind.HOLD) & (Cell.hold_id == hold_id))
    return condition


def _release_condition(booking_id: str) -> Any:
    """Only my booking's cells are freed: a missing one is fine, another booking's never."""
    return Cell.pk.does_not_exist() | (Cell.booking_id == booking_id)


def _cell(tenant_id: str, professional_id: str, start: dt.datetime, **attributes: Any) -> Cell:
    return Cell(
        dynamo.tenant_pk(tenant_id),
        dynamo.cell_sk(professional_id, start),
        professional_id=professional_id,
        **attributes,
    )


def _clinic_key(tenant_id: str) -> dynamo.Key:
    return (dynamo.tenant_pk(tenant_id), dynamo.CLINIC_SK)


def _check_clinic_open(tx: dynamo.Transaction, tenant_id: str) -> None:
    """Inside the transaction, not on a copy read earlier: a clinic suspended meanwhile takes no booking."""
    condition = Clinic.suspended.does_not_exist() | (Clinic.suspended == False)  # noqa: E712 - a DynamoDB condition
    tx.check(Clinic, _clinic_key(tenant_id), condition)


def _agenda_keys(booking: Booking) -> None:
    """Index keys of a booking: the patient's list, the professional's agenda, the clinic's agenda."""
    booking.agenda_pk = dynamo.professional_agenda_pk(booking.tenant_id, booking.professional_id)
    booking.agenda_sk = dynamo.agenda_sk(booking.start, booking.booking_id)
    booking.clinic_agenda_pk = dynamo.clinic_agenda_pk(booking.tenant_id)
    booking.clinic_agenda_sk = dynamo.agenda_sk(booking.start, booking.booking_id)
    if booking.patient_id:
        booking.patient_pk = dynamo.patient_bookings_pk(booking.patient_id)
        booking.patient_sk = dynamo.agenda_sk(booking.start, booking.booking_id)
    elif booking.patient_record_id:
        # A phone patient without an account yet: listed under their clinic record, so claiming
        # the record finds these bookings with one Query (booking.patients.patient_records_claim).
        booking.patient_pk = dynamo.patient_record_bookings_pk(booking.tenant_id, booking.patient_record_id)
        booking.patient_sk = dynamo.agenda_sk(booking.start, booking.booking_id)


def _history(booking: Booking, *, action: str, actor: Actor, now: dt.datetime, note: str = "") -> None:
    by_role = "system" if actor.user is None and not actor.browser_key else _acting_as(booking, actor)
    booking.history = [
        *(booking.history or []),
        HistoryEntry(at=now, action=action, by=actor.user_id or "", by_role=by_role, note=note[:500]),
    ]


def _acting_as(booking: Booking, actor: Actor) -> str:
    """The patient acting on their own booking, or the clinic."""
    if booking.patient_id and booking.patient_id == actor.user_id:
        return "patient"
    return "clinic"


# ---------------------------------------------------------------- when a time may be booked


def _refuse_unbookable(
    *,
    clinic: Clinic,
    treatment: Treatment,
    professionals: Sequence[Professional],
    start: dt.datetime,
    now: dt.datetime,
    staff: bool = False,
) -> None:
    """Raise the reason ``start`` is not a bookable start, whatever is already booked. No I/O.

    Staff book at short notice and far ahead (phone and walk-in patients); patients online
    keep to the clinic's notice and horizon. Nobody books the past or outside working hours.
    """
    if start < now:
        raise InThePast(start)
    policy = policy_for(clinic)
    horizon_days = STAFF_HORIZON_DAYS if staff else policy.max_advance_days
    # In plain UTC first: a start near year 9999 must not reach the clinic's zone (it would overflow).
    if start - now > dt.timedelta(days=horizon_days + 2):
        raise TooFarAhead(start)
    if not staff:
        if start < now + dt.timedelta(minutes=policy.min_notice_minutes):
            raise TooSoon(start)
        if start.astimezone(clinic.zone).date() > now.astimezone(clinic.zone).date() + dt.timedelta(
            days=policy.max_advance_days
        ):
            raise TooFarAhead(start)
    else:
        # Staff are not held to the online notice and horizon; the hours still decide.
        policy = Policy(
            tz=policy.tz, grid_minutes=policy.grid_minutes, min_notice_minutes=0, max_advance_days=STAFF_HORIZON_DAYS
        )
    day = start.astimezone(clinic.zone).date()
    slots = available_slots(
        policy=policy,
        treatment=spec_for(treatment),
        schedules=[schedule_for(p) for p in professionals if p.performs(treatment.treatment_id)],
        closures=[(r.start, r.end) for r in clinic.closures],
        occupied={},
        first_day=day,
        last_day=day,
        now=now,
    )
    if not any(slot.start == start for slot in slots):
        raise OutsideHours(start)


def _free_professionals(
    *,
    clinic: Clinic,
    treatment: Treatment,
    professionals: Sequence[Professional],
    start: dt.datetime,
    now: dt.datetime,
) -> list[Professional]:
    """Those of ``professionals`` free at ``start``, in their order; one read of the day.

    Raises the refusal when the time is not bookable at all, SlotTaken when it is but taken.
    """
    _refuse_unbookable(clinic=clinic, treatment=treatment, professionals=professionals, start=start, now=now)
    day = start.astimezone(clinic.zone).date()
    slots = availability(
        clinic=clinic, treatment=treatment, professionals=professionals, first_day=day, last_day=day, now=now
    )
    free_ids = next((set(slot.professional_ids) for slot in slots if slot.start == start), set())
    free = [p for p in professionals if p.professional_id in free_ids]
    if not free:
        raise SlotTaken(start, professional_id=professionals[0].professional_id if len(professionals) == 1 else None)
    return free


# ---------------------------------------------------------------- holds


def hold_create(
    *,
    tenant_id: str,
    treatment_id: str,
    professional_id: str | None,
    start: dt.datetime,
    actor: Actor,
    now: dt.datetime | None = None,
) -> Hold:
    """Hold a time for a few minutes while the patient types; ``professional_id=None`` is "anyone free".

    The hold records who holds it (``actor.holder``): only they can confirm it. Its id is the
    id the booking will have.
    """
    now = now or timezone.now()
    start = start.astimezone(dt.UTC)  # wall-clock arithmetic across DST would be wrong
    if not actor.allows(Action.BOOK_ONLINE):
        raise Forbidden()
    holder = actor.holder
    context = clinic_context(tenant_id=tenant_id, treatment_id=treatment_id, professional_id=professional_id)
    clinic, treatment = context.clinic, context.treatment
    assert treatment is not None
    if clinic.suspended:
        raise ClinicSuspended(phone=clinic.phone)
    if context.professional is not None:
        professionals = [context.professional]
    else:
        professionals = professional_list(tenant_id=tenant_id, treatment_id=treatment_id)
    # Refused first: an absurd start (year 9999) must not reach date arithmetic.
    if context.professional is not None:
        # One professional: the rules (no I/O) tell "not offered" from "taken", and the
        # transaction decides "taken", so reading the day first would only cost a request.
        _refuse_unbookable(clinic=clinic, treatment=treatment, professionals=professionals, start=start, now=now)
        free = professionals
    else:
        # Anyone: one read of the candidates' day finds who is free, in their order.
        free = _free_professionals(
            clinic=clinic, treatment=treatment, professionals=professionals, start=start, now=now
        )
    locked_until = now + dt.timedelta(minutes=settings.HOLD_MINUTES)
    for professional in free:
        hold_id = uuid.uuid4().hex
        what = _Occupancy.of(treatment=treatment, professional=professional, start=start)
        hold = Hold(
            dynamo.tenant_pk(tenant_id),
            dynamo.hold_sk(hold_id),
            tenant_id=tenant_id,
            hold_id=hold_id,
            booking_id=hold_id,
            holder=holder,
            **asdict(what),
            locked_until=_epoch(locked_until),
            expires_at=locked_until + HOLD_TTL_GRACE,
            # On the clinic's agenda while it lives: "any professional" reads occupancy there.
            clinic_agenda_pk=dynamo.clinic_agenda_pk(tenant_id),
            clinic_agenda_sk=dynamo.agenda_sk(start, hold_id),
            # And on the professional's: their calendar shows the time as being booked.
            agenda_pk=dynamo.professional_agenda_pk(tenant_id, professional.professional_id),
            agenda_sk=dynamo.agenda_sk(start, hold_id),
        )
        cells = [
            _cell(
                tenant_id,
                professional.professional_id,
                cell_start,
                kind=CellKind.HOLD,
                hold_id=hold_id,
                locked_until=_epoch(locked_until),
                expires_at=locked_until + HOLD_TTL_GRACE,
            )
            for cell_start in cells_for(start=what.blocked_start, end=what.blocked_end)
        ]

        def build(tx: dynamo.Transaction, cells: list[Cell] = cells, hold: Hold = hold) -> None:
            _check_clinic_open(tx, tenant_id)
            for cell in cells:
                tx.put(cell, condition=_claim_condition(now=now))
            tx.put(hold, condition=Hold.pk.does_not_exist())

        try:
            dynamo.transact(build, token=dynamo.request_token("hold", tenant_id=tenant_id, item_id=hold_id))
        except dynamo.TransactionCancelled as exc:
            if exc.failed(_clinic_key(tenant_id)):
                raise ClinicSuspended(phone=clinic.phone) from exc
            continue  # taken meanwhile: the next free professional, if any
        agenda_changed(tenant_id=tenant_id)
        return hold
    # Everyone free a moment ago was taken in the meantime.
    raise SlotTaken(start, professional_id=professional_id)


def hold_release(*, tenant_id: str, hold_id: str, actor: Actor) -> None:
    """Give a hold's time back (the patient picked another time). Someone else's hold is left alone."""
    try:
        hold = hold_get(tenant_id=tenant_id, hold_id=hold_id)
    except HoldNotFound:
        return
    if not hold.holder or not actor.owns_hold(hold.holder):
        return
    cell_starts = cells_for(start=hold.blocked_start, end=hold.blocked_end)

    def build(tx: dynamo.Transaction) -> None:
        for cell_start in cell_starts:
            cell = _cell(tenant_id, hold.professional_id, cell_start, kind=CellKind.HOLD)
            # Only my hold's cells: after expiry someone else may own them already.
            tx.delete(cell, condition=Cell.pk.does_not_exist() | (Cell.hold_id == hold.hold_id))
        tx.delete(hold)

    try:
        dynamo.transact(build)
    except dynamo.TransactionCancelled:
        # Some cells are someone else's by now: they stay theirs; mine expire by themselves.
        hold.delete()
    agenda_changed(tenant_id=tenant_id)


# ---------------------------------------------------------------- bookings


@dataclass(frozen=True)
class _Occupancy:
    """What a booking names and occupies: its treatment and professional, its time and its blocked time."""

    treatment_id: str
    treatment_name: str
    price: Decimal
    professional_id: str
    professional_name: str
    start: dt.datetime
    end: dt.datetime
    blocked_start: dt.datetime
    blocked_end: dt.datetime

    @classmethod
    def of(cls, *, treatment: Treatment, professional: Professional, start: dt.datetime) -> _Occupancy:
        blocked_start, blocked_end = blocked_interval(start=start, treatment=spec_for(treatment))
        return cls(
            treatment_id=treatment.treatment_id,
            treatment_name=treatment.name,
            price=treatment.price,
            professional_id=professional.professional_id,
            professional_name=professional.name,
            start=start,
            end=start + dt.timedelta(minutes=int(treatment.duration_minutes)),
            blocked_start=blocked_start,
            blocked_end=blocked_end,
        )

    @classmethod
    def held(cls, hold: Hold) -> _Occupancy | None:
        """As the patient saw it when holding the time; None for a hold that did not record it."""
        if hold.treatment_name is None or hold.price is None or hold.professional_name is None:
            return None
        return cls(
            treatment_id=hold.treatment_id,
            treatment_name=hold.treatment_name,
            price=hold.price,
            professional_id=hold.professional_id,
            professional_name=hold.professional_name,
            start=hold.start,
            end=hold.end,
            blocked_start=hold.blocked_start,
            blocked_end=hold.blocked_end,
        )


def _new_booking(
    *,
    tenant_id: str,
    what: _Occupancy,
    patient: PatientDetails,
    booking_id: str,
    holder: str | None,
    actor: Actor,
    now: dt.datetime,
    channel: str | None = None,
    patient_record_id: str | None = None,
) -> Booking:
    booking = Booking(
        dynamo.tenant_pk(tenant_id),
        dynamo.booking_sk(booking_id),
        tenant_id=tenant_id,
        booking_id=booking_id,
        reference=booking_reference(booking_id),
        patient_id=patient.patient_id,
        patient_name=patient.name,
        patient_email=patient.email,
        patient_phone=patient.phone,
        treatment_id=what.treatment_id,
        treatment_name=what.treatment_name,
        price=what.price,
        professional_id=what.professional_id,
        professional_name=what.professional_name,
        start=what.start,
        end=what.end,
        blocked_start=what.blocked_start,
        blocked_end=what.blocked_end,
        status=BookingStatus.CONFIRMED,
        created_at=now,
        updated_at=now,
        holder=holder,
        channel=channel,
        patient_record_id=patient_record_id,
    )
    _agenda_keys(booking)
    _history(booking, action="created", actor=actor, now=now)
    return booking


def _booking_cells(booking: Booking) -> list[Cell]:
    return [
        _cell(
            booking.tenant_id, booking.professional_id, cell_start, kind=CellKind.BOOKING, booking_id=booking.booking_id
        )
        for cell_start in cells_for(start=booking.blocked_start, end=booking.blocked_end)
    ]


def _patient_of(booking: Booking, actor: Actor) -> bool:
    return bool(
        (booking.patient_id and booking.patient_id == actor.user_id)
        or (booking.holder and actor.owns_hold(booking.holder))
    )


def booking_confirm(
    *, tenant_id: str, hold_id: str, actor: Actor, patient: PatientDetails, now: dt.datetime | None = None
) -> Booking:
    """Turn the actor's hold into a booking: its cells, the booking and the hold's removal, in one transaction.

    Submitted twice (or ten times at once), it yields one booking and every submission gets it:
    the booking's id is the hold's, written with "must not exist" and a ClientRequestToken.
    Confirming makes the user one of the clinic's patients and remembers their name and phone.
    """
    now = now or timezone.now()
    if actor.user is None:
        raise SignInRequired()
    if not actor.allows(Action.CONFIRM_OWN_BOOKING):
        raise Forbidden()
    try:
        # The hold and the clinic in one read: the hold says what was picked.
        hold, clinic = hold_with_clinic(tenant_id=tenant_id, hold_id=hold_id)
    except HoldNotFound:
        # Consumed by an identical confirm a moment ago: that booking is the answer.
        existing = booking_find(tenant_id=tenant_id, booking_id=hold_id)
        if existing is not None and _patient_of(existing, actor):
            return existing
        raise
    if not hold.holder or not actor.owns_hold(hold.holder):
        raise HoldNotYours(detail=f"hold {hold_id}")
    if clinic.suspended:
        raise ClinicSuspended(phone=clinic.phone)
    what = _Occupancy.held(hold)
    if what is None:
        context = clinic_context(
            tenant_id=tenant_id, treatment_id=hold.treatment_id, professional_id=hold.professional_id
        )
        assert context.treatment is not None and context.professional is not None
        what = _Occupancy.of(treatment=context.treatment, professional=context.professional, start=hold.start)
    phone = patient_phone_clean(phone=patient.phone, country=clinic.country)
    patient = PatientDetails(name=patient.name, email=actor.user.email, phone=phone, patient_id=actor.user_id)
    booking = _new_booking(
        tenant_id=tenant_id,
        what=what,
        patient=patient,
        booking_id=hold.booking_id,
        holder=hold.holder,
        actor=actor,
        now=now,
        channel="online",
    )
    cells = _booking_cells(booking)
    hold_key = dynamo.key_of(hold)

    def build(tx: dynamo.Transaction) -> None:
        _check_clinic_open(tx, tenant_id)
        tx.delete(Hold(*hold_key), condition=Hold.holder == hold.holder)
        for cell in cells:
            tx.put(cell, condition=_claim_condition(now=now, hold_id=hold.hold_id))
        # A new item: its version attribute makes the put conditional on "does not exist".
        tx.put(booking)
        outbox.outbox_on_booked(tx, clinic=clinic, booking=booking, now=now)

    try:
        dynamo.transact(
            build, token=dynamo.request_token("book", tenant_id=booking.tenant_id, item_id=booking.booking_id)
        )
    except dynamo.TransactionCancelled as exc:
        repeated = exc.idempotency_mismatch or exc.failed_any([dynamo.key_of(booking), hold_key])
        if repeated:
            existing = booking_find(tenant_id=tenant_id, booking_id=booking.booking_id)
            if existing is not None and _patient_of(existing, actor):
                return existing
        if exc.failed(_clinic_key(tenant_id)):
            raise ClinicSuspended(phone=clinic.phone) from exc
        if exc.failed(hold_key):
            raise HoldNotFound(detail=f"hold {hold_id} consumed") from exc
        if hold.locked_until < _epoch(now):
            raise HoldExpired() from exc
        raise SlotTaken(hold.start, professional_id=hold.professional_id) from exc
    agenda_changed(tenant_id=tenant_id)
    _patient_profile_remember(actor=actor, tenant_id=tenant_id, patient=patient)
    return booking


def _patient_profile_remember(*, actor: Actor, tenant_id: str, patient: PatientDetails) -> None:
    """After the booking is written: membership, profile and, at the first booking here, the clinic's
    record (so reception finds the patient). A failure here loses no booking."""
    assert actor.user is not None
    from booking import patients  # the directory builds on this module

    first_here = False
    try:
        first_here = access_services.patient_membership_ensure(user=actor.user, tenant_id=tenant_id)
        accounts_services.user_profile_fill(user=actor.user, full_name=patient.name, phone=patient.phone)
    except DatabaseError as exc:
        # The booking stands and is in the patient's list (by patient id); the membership is
        # made again at their next booking. Worth a log line, not a failed confirmation. Without
        # the error's text: PostgreSQL's quotes the values it refused (the name, the phone).
        log.error(
            "booking confirmed but the patient membership of %s at %s was not saved: %s",
            actor.user_id,
            tenant_id,
            type(exc).__name__,
            extra={"stack": stack_of(exc)},
        )
    if not first_here:
        return  # their record was made at their first booking: no DynamoDB request for it on every booking
    try:
        patients.patient_record_for_user_ensure(
            tenant_id=tenant_id, user_id=str(actor.user.pk), name=patient.name, phone=patient.phone, email=patient.email
        )
    except Exception:
        # The directory is a convenience for reception: its failure must not fail a booking already made.
        log.exception("booking confirmed but the clinic record of %s at %s was not saved", actor.user_id, tenant_id)


def booking_create(
    *,
    tenant_id: str,
    treatment_id: str,
    professional_id: str,
    start: dt.datetime,
    patient: PatientDetails,
    actor: Actor,
    booking_id: str | None = None,
    now: dt.datetime | None = None,
    channel: str | None = None,
    patient_record_id: str | None = None,
) -> Booking:
    """Book without a hold: staff booking a phone or walk-in patient, the demo seed, the API.

    With ``booking_id`` a repeated request returns the first booking instead of a second one.
    ``channel`` ("phone", "walk_in") and ``patient_record_id`` (the clinic's record) say who and how.
    """
    now = now or timezone.now()
    start = start.astimezone(dt.UTC)
    if not actor.allows(Action.MANAGE_BOOKINGS) or not actor.manages_professional(professional_id):
        raise Forbidden()
    booking_id = booking_id or uuid.uuid4().hex
    existing = booking_find(tenant_id=tenant_id, booking_id=booking_id)
    if existing is not None:
        return existing
    context = clinic_context(tenant_id=tenant_id, treatment_id=treatment_id, professional_id=professional_id)
    clinic, treatment, professional = context.clinic, context.treatment, context.professional
    assert treatment is not None and professional is not None
    if clinic.suspended:
        raise ClinicSuspended(phone=clinic.phone)
    _refuse_unbookable(
        clinic=clinic, treatment=treatment, professionals=[professional], start=start, now=now, staff=True
    )
    booking = _new_booking(
        tenant_id=tenant_id,
        what=_Occupancy.of(treatment=treatment, professional=professional, start=start),
        patient=patient,
        booking_id=booking_id,
        holder=None,
        actor=actor,
        now=now,
        channel=channel,
        patient_record_id=patient_record_id,
    )
    cells = _booking_cells(booking)

    def build(tx: dynamo.Transaction) -> None:
        _check_clinic_open(tx, tenant_id)
        for cell in cells:
            tx.put(cell, condition=_claim_condition(now=now))
        tx.put(booking)
        outbox.outbox_on_booked(tx, clinic=clinic, booking=booking, now=now)

    try:
        dynamo.transact(build, token=dynamo.request_token("book", tenant_id=tenant_id, item_id=booking_id))
    except dynamo.TransactionCancelled as exc:
        if exc.idempotency_mismatch or exc.failed(dynamo.key_of(booking)):
            existing = booking_find(tenant_id=tenant_id, booking_id=booking_id)
            if existing is not None:
                return existing
        if exc.failed(_clinic_key(tenant_id)):
            raise ClinicSuspended(phone=clinic.phone) from exc
        raise SlotTaken(start, professional_id=professional_id) from exc
    agenda_changed(tenant_id=tenant_id)
    return booking


# ---------------------------------------------------------------- changing a booking


@dataclass(frozen=True)
class _Standing:
    """How the actor stands towards a booking."""

    patient: bool  # their own booking, within the patients' rules
    staff: bool  # the clinic acting on it, allowed past the cutoff


def _standing(booking: Booking, actor: Actor, *, staff_action: Action) -> _Standing:
    """The actor's right to change this booking; a booking they may not touch does not exist for them."""
    staff = actor.allows(staff_action) and actor.manages_professional(booking.professional_id)
    patient = _patient_of(booking, actor) and actor.allows(Action.CHANGE_OWN_BOOKINGS)
    if not (staff or patient):
        if actor.is_member and actor.allows(staff_action):
            raise Forbidden(detail="another professional's booking")
        raise BookingNotFound(detail=f"booking {booking.booking_id} is not the actor's")
    return _Standing(patient=patient, staff=staff)


def _past_cutoff(clinic: Clinic, booking: Booking, now: dt.datetime) -> bool:
    return now > booking.start - dt.timedelta(hours=int(clinic.cancellation_cutoff_hours))


def booking_cancel(
    *, tenant_id: str, booking_id: str, actor: Actor, reason: str = "", now: dt.datetime | None = None
) -> Booking:
    """Free the cells and mark the booking cancelled, together or not at all.

    Patients may cancel their own booking until the clinic's cutoff; staff may cancel after it,
    and the override is recorded on the booking.
    """
    now = now or timezone.now()
    booking = booking_get(tenant_id=tenant_id, booking_id=booking_id)
    standing = _standing(booking, actor, staff_action=Action.MANAGE_BOOKINGS)
    if booking.status != BookingStatus.CONFIRMED:
        raise BookingNotChangeable(detail=booking.status)
    clinic = clinic_get(tenant_id=tenant_id)
    late = _past_cutoff(clinic, booking, now)
    if late and not standing.staff:
        raise CancellationCutoffPassed(hours=int(clinic.cancellation_cutoff_hours), phone=clinic.phone)
    cell_starts = cells_for(start=booking.blocked_start, end=booking.blocked_end)
    by_clinic = _acting_as(booking, actor) == "clinic"
    booking.status = BookingStatus.CANCELLED
    booking.updated_at = booking.cancelled_at = now
    booking.cancelled_by = "system" if SYSTEM in actor.roles else "clinic" if by_clinic else "patient"
    booking.cancel_reason = reason.strip()[:500]
    booking.cutoff_overridden = bool(late and by_clinic)
    _history(booking, action="cancelled", actor=actor, now=now, note=booking.cancel_reason)

    def build(tx: dynamo.Transaction) -> None:
        for cell_start in cell_starts:
            cell = _cell(tenant_id, booking.professional_id, cell_start, kind=CellKind.BOOKING)
            tx.delete(cell, condition=_release_condition(booking.booking_id))
        tx.put(booking)  # conditional on the version read above
        outbox.outbox_on_cancelled(tx, clinic=clinic, booking=booking, now=now)

    try:
        dynamo.transact(build)
    except dynamo.TransactionCancelled as exc:
        raise BookingChangedMeanwhile(detail=str(exc.reasons)) from exc
    agenda_changed(tenant_id=tenant_id)
    return booking


def booking_reschedule(
    *,
    tenant_id: str,
    booking_id: str,
    new_start: dt.datetime,
    actor: Actor,
    professional_id: str | None = None,
    treatment_id: str | None = None,
    hold_id: str | None = None,
    end: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Move a booking: free the old cells, claim the new ones, update it, in one transaction.

    The patient may move their own booking until the cutoff, keeping the treatment, and may
    use a hold of theirs on the new time; staff may also change the treatment. When the new
    time is taken the transaction is cancelled whole and the booking keeps its old time.
    Staff may also give it another length (``end``, the calendar's resize): on the 5-minute
    grid, buffers included within one transaction's cells, inside working hours.
    """
    now = now or timezone.now()
    new_start = new_start.astimezone(dt.UTC)
    booking = booking_get(tenant_id=tenant_id, booking_id=booking_id)
    standing = _standing(booking, actor, staff_action=Action.MANAGE_BOOKINGS)
    if booking.status != BookingStatus.CONFIRMED:
        raise BookingNotChangeable(detail=booking.status)
    treatment_id = treatment_id or booking.treatment_id
    professional_id = professional_id or booking.professional_id
    if treatment_id != booking.treatment_id and not standing.staff:
        raise TreatmentChangeNotAllowed()
    if professional_id != booking.professional_id and not (
        standing.patient or actor.manages_professional(professional_id)
    ):
        raise Forbidden(detail="moving to another professional's agenda")
    context = clinic_context(tenant_id=tenant_id, treatment_id=treatment_id, professional_id=professional_id)
    clinic, treatment, professional = context.clinic, context.treatment, context.professional
    assert treatment is not None and professional is not None
    if clinic.suspended:
        raise ClinicSuspended(phone=clinic.phone)
    if end is not None:
        if not standing.staff:
            raise Forbidden(_LENGTH_STAFF_ONLY)
        treatment = _with_length(treatment, start=new_start, end=end.astimezone(dt.UTC))
    late = _past_cutoff(clinic, booking, now)
    if late and not standing.staff:
        raise CancellationCutoffPassed(hours=int(clinic.cancellation_cutoff_hours), phone=clinic.phone)
    # Only the rules are checked here: the booking's own cells would make an overlapping move look taken.
    _refuse_unbookable(
        clinic=clinic, treatment=treatment, professionals=[professional], start=new_start, now=now, staff=standing.staff
    )
    hold: Hold | None = None
    if hold_id is not None:
        hold = hold_get(tenant_id=tenant_id, hold_id=hold_id)
        if not hold.holder or not actor.owns_hold(hold.holder):
            raise HoldNotYours(detail=f"hold {hold_id}")
        if (hold.start, hold.professional_id, hold.treatment_id) != (new_start, professional_id, treatment_id):
            raise HoldMismatch()
    new_blocked_start, new_blocked_end = blocked_interval(start=new_start, treatment=spec_for(treatment))
    old = {(booking.professional_id, c) for c in cells_for(start=booking.blocked_start, end=booking.blocked_end)}
    new = {(professional_id, c) for c in cells_for(start=new_blocked_start, end=new_blocked_end)}
    snapshot = booking.serialize()
    old_start, old_treatment_id = booking.start, booking.treatment_id
    booking.start = new_start
    booking.end = new_start + dt.timedelta(minutes=int(treatment.duration_minutes))
    booking.blocked_start, booking.blocked_end = new_blocked_start, new_blocked_end
    booking.professional_id, booking.professional_name = professional_id, professional.name
    booking.treatment_id, booking.treatment_name = treatment_id, treatment.name
    if treatment_id != old_treatment_id:
        booking.price = treatment.price
    booking.updated_at = now
    if late and _acting_as(booking, actor) == "clinic":
        booking.cutoff_overridden = True
    _agenda_keys(booking)
    moved_from = old_start.astimezone(clinic.zone).strftime("%Y-%m-%d %H:%M")
    note = f"from {moved_from}" if end is None else f"from {moved_from}, {int(treatment.duration_minutes)} min"
    _history(booking, action="rescheduled", actor=actor, now=now, note=note)
    hold_key = dynamo.key_of(hold) if hold else None

    def build(tx: dynamo.Transaction) -> None:
        _check_clinic_open(tx, tenant_id)
        # Cells in both sets are already mine and stay as they are.
        for pid, cell_start in sorted(old - new):
            tx.delete(
                _cell(tenant_id, pid, cell_start, kind=CellKind.BOOKING), condition=_release_condition(booking_id)
            )
        if hold is not None:
            tx.delete(Hold(*dynamo.key_of(hold)), condition=Hold.holder == hold.holder)
        for pid, cell_start in sorted(new - old):
            cell = _cell(tenant_id, pid, cell_start, kind=CellKind.BOOKING, booking_id=booking_id)
            tx.put(cell, condition=_claim_condition(now=now, hold_id=hold.hold_id if hold else None))
        tx.put(booking)  # conditional on the version read above
        outbox.outbox_on_rescheduled(tx, clinic=clinic, booking=booking, now=now)

    try:
        dynamo.transact(build)
    except dynamo.TransactionCancelled as exc:
        booking.deserialize(snapshot)
        if exc.failed(dynamo.key_of(booking)):
            raise BookingChangedMeanwhile() from exc
        if exc.failed(_clinic_key(tenant_id)):
            raise ClinicSuspended(phone=clinic.phone) from exc
        if hold_key is not None and exc.failed(hold_key):
            raise HoldNotFound(detail=f"hold {hold_id} gone") from exc
        raise SlotTaken(new_start, professional_id=professional_id) from exc
    agenda_changed(tenant_id=tenant_id)
    return booking


_LENGTH_STAFF_ONLY = gettext_lazy("Only the clinic can change the length of an appointment.")
_LENGTH_INVALID = gettext_lazy(
    "An appointment's length must be a multiple of %(step)s minutes, from %(step)s minutes up to %(longest)s "
    "minutes including its preparation time."
)


def _with_length(treatment: Treatment, *, start: dt.datetime, end: dt.datetime) -> Treatment:
    """A copy of ``treatment`` lasting [start, end), for the rules and the cells; the catalogue is untouched."""
    minutes, rest = divmod((end - start).total_seconds(), 60)
    buffers = int(treatment.buffer_before_minutes) + int(treatment.buffer_after_minutes)
    step = CELL_MINUTES
    if rest or minutes <= 0 or minutes % step or minutes + buffers > dynamo.MAX_BLOCK_MINUTES:
        raise Invalid(_LENGTH_INVALID % {"step": step, "longest": dynamo.MAX_BLOCK_MINUTES})
    copy = Treatment.from_raw_data(treatment.serialize())
    copy.duration_minutes = int(minutes)
    return copy


def booking_mark(
    *, tenant_id: str, booking_id: str, outcome: str, actor: Actor, now: dt.datetime | None = None
) -> Booking:
    """Staff mark a booking attended or a no-show, from the appointment's day on (and may correct it).

    One item changes, so its version attribute is the guard: two receptionists marking at once
    never overwrite each other silently.
    """
    now = now or timezone.now()
    if outcome not in BookingStatus.OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    booking = booking_get(tenant_id=tenant_id, booking_id=booking_id)
    if not (actor.allows(Action.MARK_ATTENDANCE) and actor.manages_professional(booking.professional_id)):
        if actor.is_member:
            raise Forbidden()
        raise BookingNotFound(detail=f"booking {booking_id}")
    if booking.status not in (BookingStatus.CONFIRMED, *BookingStatus.OUTCOMES):
        raise BookingNotChangeable(detail=booking.status)
    clinic = clinic_get(tenant_id=tenant_id)
    if booking.start.astimezone(clinic.zone).date() > now.astimezone(clinic.zone).date():
        raise AttendanceTooEarly()
    booking.status = outcome
    booking.updated_at = now
    _history(booking, action=outcome, actor=actor, now=now)
    try:
        booking.save()
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise BookingChangedMeanwhile() from exc
        raise
    agenda_changed(tenant_id=tenant_id)
    return booking


def booking_note_set(
    *, tenant_id: str, booking_id: str, note: str, version: int, actor: Actor, now: dt.datetime | None = None
) -> Booking:
    """Staff set a booking's internal note (never shown to the patient), at the version they read.

    Two people editing the note at once: the second is told (BookingChangedMeanwhile, 409) instead
    of silently overwriting the first; the booking's own version attribute guards the write too.
    """
    now = now or timezone.now()
    booking = booking_get(tenant_id=tenant_id, booking_id=booking_id)
    if not (actor.allows(Action.MANAGE_BOOKINGS) and actor.manages_professional(booking.professional_id)):
        if actor.is_member and actor.allows(Action.MANAGE_BOOKINGS):
            raise Forbidden(detail="another professional's booking")
        raise BookingNotFound(detail=f"booking {booking_id}")
    if booking.version != version:
        raise BookingChangedMeanwhile(detail=f"note at version {version}, booking at {booking.version}")
    cleaned = "".join(c for c in note if c.isprintable() or c == "\n").strip()[:2000]
    if cleaned == (booking.internal_note or ""):
        return booking
    booking.internal_note = cleaned or None
    booking.updated_at = now
    try:
        booking.save()
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise BookingChangedMeanwhile() from exc
        raise
    from booking.changes import agenda_changed

    agenda_changed(tenant_id=tenant_id)
    return booking
