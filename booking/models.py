"""Bookings, holds and occupied cells in the single DynamoDB table."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute

from nexioq.dynamo import DecimalAttribute, TableItem, UTCDateTimeAttribute


class BookingStatus:
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    ALL = (CONFIRMED, CANCELLED, COMPLETED, NO_SHOW)


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
    version = VersionAttribute()


class Hold(TableItem, discriminator="hold"):
    """A time picked in the wizard, kept for a few minutes while the patient types."""

    tenant_id = UnicodeAttribute()
    hold_id = UnicodeAttribute()
    booking_id = UnicodeAttribute()  # decided now, so a repeated confirm yields one booking
    treatment_id = UnicodeAttribute()
    professional_id = UnicodeAttribute()
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
