"""Which outbox items a booking change writes, inside that change's own transaction.

``booking.services`` calls one function per change while it builds its TransactWriteItems, so the
messages exist exactly when the change does: a refused transaction writes neither. Item ids are
deterministic (the booking's id and what the message is), so a transaction retried or repeated
writes the same items again instead of new ones, cancelling deletes a booking's reminders by key
without reading them, and rescheduling puts them again at their new times under the same keys.

Budget (``nexioq.dynamo.OUTBOX_ITEMS_RESERVED``): a reschedule writes its message and one item per
reminder (``clinics.services.MAX_REMINDERS``), four at most; a confirmation and a cancellation may
write one more (the clinic's notice), but their transactions are far from full.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from booking.models import Booking
from clinics.models import Clinic
from nexioq import dynamo
from notifications.models import MessageKind, OutboxItem, OutboxStatus

PATIENT = "patient"
CLINIC = "clinic"
# The suffixes an id may carry: "-clinic-cancelled" (17) is the longest, "-moved-999" below it.
_LONGEST_SUFFIX = 20


def item_id(booking_id: str, suffix: str) -> str:
    """``<booking id>-<suffix>``; a booking id too long for that (ids go up to 64) is hashed first."""
    candidate = f"{booking_id}-{suffix}"
    if len(candidate) <= 64:
        return candidate
    return f"{hashlib.sha256(booking_id.encode()).hexdigest()[: 64 - _LONGEST_SUFFIX - 1]}-{suffix}"


def confirmed_id(booking_id: str) -> str:
    return item_id(booking_id, "confirmed")


def reminder_id(booking_id: str, offset_minutes: int) -> str:
    return item_id(booking_id, f"r{int(offset_minutes)}")


def moved_id(booking_id: str, n: int) -> str:
    return item_id(booking_id, f"moved-{n}")


def cancelled_id(booking_id: str) -> str:
    return item_id(booking_id, "cancelled")


def clinic_new_id(booking_id: str) -> str:
    return item_id(booking_id, "clinic-new")


def clinic_cancelled_id(booking_id: str) -> str:
    return item_id(booking_id, "clinic-cancelled")


def summary_id(day: dt.date) -> str:
    """The clinic's agenda summary for ``day`` (its local date): one per clinic and day."""
    return f"summary-{day.isoformat()}"


def outbox_item(
    *,
    tenant_id: str,
    item_id: str,
    kind: str,
    due: dt.datetime,
    now: dt.datetime,
    booking_id: str | None = None,
    recipient: str = PATIENT,
    offset_minutes: int | None = None,
) -> OutboxItem:
    """A pending item, on the due index at ``due``."""
    return OutboxItem(
        dynamo.tenant_pk(tenant_id),
        dynamo.outbox_sk(item_id),
        tenant_id=tenant_id,
        item_id=item_id,
        kind=kind,
        booking_id=booking_id,
        recipient=recipient,
        offset_minutes=offset_minutes,
        due_at=due,
        status=OutboxStatus.PENDING,
        attempts=0,
        created_at=now,
        due_pk=dynamo.outbox_due_pk(item_id),
        due_sk=dynamo.outbox_due_sk(due, tenant_id, item_id),
    )


def _key_only(tenant_id: str, item_id: str) -> OutboxItem:
    return OutboxItem(dynamo.tenant_pk(tenant_id), dynamo.outbox_sk(item_id))


def _to_patient(booking: Booking) -> bool:
    """A phone patient without an e-mail address gets no messages (the clinic still may)."""
    return bool((booking.patient_email or "").strip())


def _to_clinic(clinic: Clinic) -> bool:
    return bool(clinic.notify_clinic) and bool((clinic.email or "").strip())


def reminder_offsets(clinic: Clinic) -> list[int]:
    offsets: list[Any] = clinic.reminder_offsets or []  # NumberAttribute items: numbers once read
    return [int(m) for m in offsets]


def _reminders(tx: dynamo.Transaction, *, clinic: Clinic, booking: Booking, now: dt.datetime, moving: bool) -> None:
    """One item per offset at ``start - offset``; a time already passed writes none (a reschedule
    deletes the one it may have had, so a reminder of the old time never goes out)."""
    for offset in reminder_offsets(clinic):
        due = booking.start - dt.timedelta(minutes=offset)
        rid = reminder_id(booking.booking_id, offset)
        if due > now:
            tx.put(
                outbox_item(
                    tenant_id=booking.tenant_id,
                    item_id=rid,
                    kind=MessageKind.REMINDER,
                    due=due,
                    now=now,
                    booking_id=booking.booking_id,
                    offset_minutes=offset,
                )
            )
        elif moving:
            tx.delete(_key_only(booking.tenant_id, rid))


def _message_now(
    tx: dynamo.Transaction, booking: Booking, *, item_id: str, kind: str, now: dt.datetime, recipient: str = PATIENT
) -> None:
    """Put one message about ``booking``, due at once, into the change's transaction."""
    tx.put(
        outbox_item(
            tenant_id=booking.tenant_id,
            item_id=item_id,
            kind=kind,
            due=now,
            now=now,
            booking_id=booking.booking_id,
            recipient=recipient,
        )
    )


_CLINIC_NOTICE_IDS = {MessageKind.CLINIC_NEW: clinic_new_id, MessageKind.CLINIC_CANCELLED: clinic_cancelled_id}


def _clinic_notice(tx: dynamo.Transaction, *, clinic: Clinic, booking: Booking, kind: str, now: dt.datetime) -> None:
    """The clinic's own message about the change, if it asked for them and has an address."""
    if _to_clinic(clinic):
        item_id = _CLINIC_NOTICE_IDS[kind](booking.booking_id)
        _message_now(tx, booking, item_id=item_id, kind=kind, now=now, recipient=CLINIC)


def outbox_on_booked(tx: dynamo.Transaction, *, clinic: Clinic, booking: Booking, now: dt.datetime) -> None:
    """A new booking (online confirmation or staff booking): the confirmation, its reminders, the clinic's notice."""
    if _to_patient(booking):
        _message_now(tx, booking, item_id=confirmed_id(booking.booking_id), kind=MessageKind.CONFIRMED, now=now)
        _reminders(tx, clinic=clinic, booking=booking, now=now, moving=False)
    _clinic_notice(tx, clinic=clinic, booking=booking, kind=MessageKind.CLINIC_NEW, now=now)


def outbox_on_cancelled(tx: dynamo.Transaction, *, clinic: Clinic, booking: Booking, now: dt.datetime) -> None:
    """A cancellation: its reminders deleted by key (unconditionally: a missing one is fine), the
    notice to the patient (it says who cancelled) and the clinic's."""
    if _to_patient(booking):
        for offset in reminder_offsets(clinic):
            tx.delete(_key_only(booking.tenant_id, reminder_id(booking.booking_id, offset)))
        _message_now(tx, booking, item_id=cancelled_id(booking.booking_id), kind=MessageKind.CANCELLED, now=now)
    _clinic_notice(tx, clinic=clinic, booking=booking, kind=MessageKind.CLINIC_CANCELLED, now=now)


def reschedule_count(booking: Booking) -> int:
    """How many times the booking was moved, this change included (its history has the entry already)."""
    return sum(1 for entry in booking.history or [] if entry.action == "rescheduled")


def outbox_on_rescheduled(tx: dynamo.Transaction, *, clinic: Clinic, booking: Booking, now: dt.datetime) -> None:
    """A move: one message (one per move: ``moved-<n>``) and the reminders put again at the new
    times under the same keys, so they move instead of adding up. At most 1 + MAX_REMINDERS items."""
    if not _to_patient(booking):
        return
    _message_now(
        tx,
        booking,
        item_id=moved_id(booking.booking_id, reschedule_count(booking)),
        kind=MessageKind.RESCHEDULED,
        now=now,
    )
    _reminders(tx, clinic=clinic, booking=booking, now=now, moving=True)
