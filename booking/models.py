"""Bookings, holds and occupied cells in the single DynamoDB table."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)

from nexioq.dynamo import DecimalAttribute, TableItem, UTCDateTimeAttribute


class BookingStatus:
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    ALL = (CONFIRMED, CANCELLED, ATTENDED, NO_SHOW)
    # What staff may mark once the appointment's day has come.
    OUTCOMES = (ATTENDED, NO_SHOW)


class HistoryEntry(MapAttribute[str, object]):
    """One change of a booking: what, when, by whom (a user id, "patient", "system"), and why."""

    at = UTCDateTimeAttribute()
    action = UnicodeAttribute()  # created, rescheduled, cancelled, attended, no_show
    by = UnicodeAttribute(default="")
    by_role = UnicodeAttribute(default="")
    note = UnicodeAttribute(default="")


class CellKind:
    BOOKING = "booking"
    HOLD = "hold"
    BLOCK = "block"


class Booking(TableItem, discriminator="booking"):
    tenant_id = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    reference = UnicodeAttribute()
    patient_id = UnicodeAttribute(null=True)
    patient_name = UnicodeAttribute()
    patient_email = UnicodeAttribute()
    patient_phone = UnicodeAttribute()
    treatment_id = UnicodeAttribute()
    treatment_name = UnicodeAttribute()
    price = DecimalAttribute()
    professional_id = UnicodeAttribute()
    professional_name = UnicodeAttribute()
    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    # The occupied range, buffers included: exactly the cells this booking owns.
    blocked_start = UTCDateTimeAttribute()
    blocked_end = UTCDateTimeAttribute()
    status = UnicodeAttribute(default=BookingStatus.CONFIRMED)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    # Who made it: the hold's holder (a user or an anonymous browser), or staff.
    holder = UnicodeAttribute(null=True)
    cancelled_at = UTCDateTimeAttribute(null=True)
    cancelled_by = UnicodeAttribute(null=True)  # "patient", "clinic" or "system"
    cancel_reason = UnicodeAttribute(null=True)
    # Staff cancelled or moved it after the clinic's cutoff for patients.
    cutoff_overridden = BooleanAttribute(default=False)
    history = ListAttribute(of=HistoryEntry, default=list)
    version = VersionAttribute()


class Hold(TableItem, discriminator="hold"):
    """A time picked in the wizard, kept for a few minutes while the patient types."""

    tenant_id = UnicodeAttribute()
    hold_id = UnicodeAttribute()
    # The booking's id, decided now so a repeated confirm yields one booking: the hold's own id,
    # so a confirm that finds the hold already consumed still finds its booking.
    booking_id = UnicodeAttribute()
    holder = UnicodeAttribute(null=True)  # "user:<id>" or "browser:<key>"
    treatment_id = UnicodeAttribute()
    professional_id = UnicodeAttribute()
    # What the patient saw when picking the time, so confirming needs no catalogue read
    # (holds made before these were stored have none: confirm then reads the catalogue).
    treatment_name = UnicodeAttribute(null=True)
    price = DecimalAttribute(null=True)
    professional_name = UnicodeAttribute(null=True)
    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    blocked_start = UTCDateTimeAttribute()
    blocked_end = UTCDateTimeAttribute()
    locked_until = NumberAttribute()  # epoch seconds


class Cell(TableItem, discriminator="cell"):
    """Five minutes of one professional's time, taken by a booking, a hold or a block."""

    professional_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    booking_id = UnicodeAttribute(null=True)
    hold_id = UnicodeAttribute(null=True)
    locked_until = NumberAttribute(null=True)  # epoch seconds; holds only
