"""What the reception desk's pages share: the directory and phone bookings (``patients``) and the
walk-in (``reception``) render, name and book through these, so neither imports the other's view.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from access.permissions import Actor
from booking import selectors, services
from booking.errors import SlotTaken
from booking.models import Booking, ClinicPatient
from clinics.models import Clinic, Professional
from office.forms_patients import NewPatientForm

RESULTS_TARGET = "patient-results"
CHANNEL_PHONE = "phone"


def new_patient_form(*, then: str = "") -> NewPatientForm:
    return NewPatientForm(initial={"record_id": uuid.uuid4().hex, "then": then})


def today_of(clinic: Clinic) -> dt.date:
    return timezone.now().astimezone(clinic.zone).date()


def staff_last_day(clinic: Clinic) -> dt.date:
    return today_of(clinic) + dt.timedelta(days=selectors.STAFF_HORIZON_DAYS)


def booking_url(clinic: Clinic, booking: Booking) -> str:
    """Where a booking made at the desk is shown: its page in the agenda when the agenda has one."""
    try:
        return reverse("office-booking", args=[clinic.slug, booking.booking_id])
    except NoReverseMatch:
        pass
    try:
        day = booking.start.astimezone(clinic.zone).date()
        return reverse("office-agenda", args=[clinic.slug]) + f"?date={day:%Y-%m-%d}"
    except NoReverseMatch:
        return reverse("office-patient-booked", args=[clinic.slug, booking.patient_record_id, booking.booking_id])


def patient_details(record: ClinicPatient) -> services.PatientDetails:
    """The booking's patient: the record's account when it has one, so it shows in their "Mis citas"."""
    return services.PatientDetails(
        name=record.name, email=record.email, phone=record.phone, patient_id=record.user_id or None
    )


def book_first_free(
    *,
    actor: Actor,
    record: ClinicPatient,
    treatment_id: str,
    candidates: list[Professional],
    start: dt.datetime,
    booking_id: str,
    channel: str,
) -> Booking:
    """Book ``start`` with the first of ``candidates`` still free: a professional taken meanwhile
    (SlotTaken) passes to the next; the last refusal is the answer when none is left."""
    refusal: SlotTaken | None = None
    for professional in candidates:
        try:
            return services.booking_create(
                tenant_id=actor.tenant_id,
                treatment_id=treatment_id,
                professional_id=professional.professional_id,
                start=start,
                patient=patient_details(record),
                actor=actor,
                booking_id=booking_id,
                channel=channel,
                patient_record_id=record.record_id,
            )
        except SlotTaken as exc:
            refusal = exc
    raise refusal or SlotTaken(start)
