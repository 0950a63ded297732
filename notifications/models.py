"""The outbox: a message to send, written in the same transaction as the booking change it tells of."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from nexioq.dynamo import TableItem, UTCDateTimeAttribute


class MessageKind:
    CONFIRMED = "confirmed"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    REMINDER = "reminder"
    CLINIC_NEW = "clinic_new"
    CLINIC_CANCELLED = "clinic_cancelled"
    CLINIC_SUMMARY = "clinic_summary"
    ALL = (CONFIRMED, RESCHEDULED, CANCELLED, REMINDER, CLINIC_NEW, CLINIC_CANCELLED, CLINIC_SUMMARY)


class OutboxStatus:
    PENDING = "pending"  # waiting for its time, or for a worker (on the due index)
    SENT = "sent"
    FAILED = "failed"  # out of retries: shown in the back office with a resend button
    SKIPPED = "skipped"  # nothing to send any more (reminders turned off, booking gone)
    ALL = (PENDING, SENT, FAILED, SKIPPED)


class OutboxItem(TableItem, discriminator="outbox"):
    """One message. Its id is deterministic (booking and kind), so a retried transaction writes it once.

    Pending items carry the due index's keys (``due_pk``/``due_sk``); sending, failing or skipping
    removes them, so the sweep's Query reads only what may still go out.
    """

    tenant_id = UnicodeAttribute()
    item_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    booking_id = UnicodeAttribute(null=True)
    recipient = UnicodeAttribute(default="patient")  # "patient" or "clinic"
    # For reminders: minutes before the appointment (the clinic's offset it was made for).
    offset_minutes = NumberAttribute(null=True)
    due_at = UTCDateTimeAttribute()
    status = UnicodeAttribute(default=OutboxStatus.PENDING)
    attempts = NumberAttribute(default=0)
    # A worker's claim: who is sending it, until when (epoch seconds). An expired claim may be taken again.
    claimed_by = UnicodeAttribute(null=True)
    claimed_until = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    sent_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
