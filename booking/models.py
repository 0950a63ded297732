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
    # Staff only: never shown to the patient, never in their export.
    internal_note = UnicodeAttribute(null=True)
    # The clinic's patient record this booking belongs to (phone and walk-in patients have no user).
    patient_record_id = UnicodeAttribute(null=True)
    # How it was made: "online" (the wizard), "phone", "walk_in" (reception), "staff".
    channel = UnicodeAttribute(null=True)
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


class BlockReason:
    MEETING = "meeting"
    TRAINING = "training"
    REPAIR = "repair"
    OTHER = "other"
    ALL = (MEETING, TRAINING, REPAIR, OTHER)


class Block(TableItem, discriminator="block"):
    """A period a professional takes no bookings (a meeting, training, a repair): it claims its cells
    like a booking, and is an entry of the professional's and the clinic's agenda like one.

    A weekly block is one item per occurrence sharing ``series_id``; an occurrence longer than one
    transaction's cells is several items sharing ``occurrence_id``.
    """

    tenant_id = UnicodeAttribute()
    block_id = UnicodeAttribute()
    series_id = UnicodeAttribute()
    occurrence_id = UnicodeAttribute()
    professional_id = UnicodeAttribute()
    professional_name = UnicodeAttribute()
    reason = UnicodeAttribute(default=BlockReason.OTHER)
    note = UnicodeAttribute(default="")
    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    # Named like a booking's, so every reader of occupied time treats both alike.
    blocked_start = UTCDateTimeAttribute()
    blocked_end = UTCDateTimeAttribute()
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute(default="")


class ClinicPatient(TableItem, discriminator="clinic_patient"):
    """A clinic's patient: made by reception for a phone or walk-in patient, or when a user first books.

    ``user_id`` is set once the patient has an account here (booked online, or signed up with the
    record's e-mail and claimed it).
    """

    tenant_id = UnicodeAttribute()
    record_id = UnicodeAttribute()
    name = UnicodeAttribute()
    phone = UnicodeAttribute(default="")  # E.164
    email = UnicodeAttribute(default="")  # lowercased; optional for phone patients
    user_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute(default="")
    # The directory terms written for this record, so an edit deletes exactly the old entries.
    terms = ListAttribute(of=UnicodeAttribute, default=list)
    version = VersionAttribute()


class PatientDirectoryEntry(TableItem, discriminator="patient_directory"):
    """One search term of a clinic patient, with what a result line shows (no second read)."""

    tenant_id = UnicodeAttribute()
    record_id = UnicodeAttribute()
    name = UnicodeAttribute()
    phone = UnicodeAttribute(default="")
    email = UnicodeAttribute(default="")


class PatientClaim(TableItem, discriminator="patient_claim"):
    """A clinic record with this e-mail, found when its patient signs up (one Query, every clinic)."""

    tenant_id = UnicodeAttribute()
    record_id = UnicodeAttribute()
