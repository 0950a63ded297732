"""The patient's own data: what we hold about them (export) and deleting their account.

Deleting an account does not delete the clinics' records: each of the patient's bookings is
anonymised in place (name, e-mail, phone, patient id and the patient-index keys removed), and
their future confirmed bookings are cancelled by the system first, so their times are free
again. Services take ids, never requests.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pynamodb.exceptions import PutError

from access.models import Membership, Role
from access.permissions import Actor
from accounts.models import User
from booking import services
from booking.errors import BookingChangedMeanwhile, BookingNotChangeable
from booking.models import Booking, BookingStatus
from booking.selectors import booking_get, bookings_for_patient, clinics_by_id
from clinics.models import Clinic
from nexioq.dynamo import iso_utc
from nexioq.errors import Conflict

log = logging.getLogger(__name__)

ACCOUNT_DELETED = "account deleted"
# What an anonymised booking says instead of the patient's name: not a person, not translated
# (the record belongs to the clinic, whatever language its staff read it in).
ANONYMOUS_NAME = "—"


class LastAdminAccount(Conflict):
    title = _("This account cannot be deleted yet")
    message = _(
        "You are the only administrator of a clinic. Make someone else an administrator there first, then delete your account."
    )


class PlatformStaffAccount(Conflict):
    title = _("This account cannot be deleted here")
    message = _("Platform staff accounts are removed by another platform owner in the administration site.")


def patient_data_export(*, user_id: str) -> dict[str, Any]:
    """Everything NexioQ holds about the user: account, profile, memberships, bookings at every clinic."""
    user = User.objects.get(pk=user_id)
    memberships = list(Membership.objects.filter(user=user).order_by("tenant_id", "role"))
    bookings = bookings_for_patient(patient_id=str(user.pk))
    # A booking at a clinic that no longer exists is still the patient's data: exported without its name.
    clinics = clinics_by_id(tenant_ids=[b.tenant_id for b in bookings])
    return {
        "account": {
            "id": str(user.pk),
            "email": user.email,
            "date_joined": iso_utc(user.date_joined),
            "last_login": iso_utc(user.last_login) if user.last_login else None,
        },
        "profile": {"full_name": user.full_name, "phone": user.phone, "language": user.language},
        "memberships": [{"clinic_id": m.tenant_id, "role": m.role} for m in memberships],
        "bookings": [_booking_export(booking, clinics.get(booking.tenant_id)) for booking in bookings],
    }


def _booking_export(booking: Booking, clinic: Clinic | None) -> dict[str, Any]:
    return {
        "clinic": {
            "id": booking.tenant_id,
            "name": clinic.name if clinic else None,
            "slug": clinic.slug if clinic else None,
        },
        "booking_id": booking.booking_id,
        "reference": booking.reference,
        "status": booking.status,
        "treatment": booking.treatment_name,
        "professional": booking.professional_name,
        "price": str(booking.price),
        "start": iso_utc(booking.start),
        "end": iso_utc(booking.end),
        "patient": {"name": booking.patient_name, "email": booking.patient_email, "phone": booking.patient_phone},
        "created_at": iso_utc(booking.created_at),
        "cancelled_at": iso_utc(booking.cancelled_at) if booking.cancelled_at else None,
        "cancelled_by": booking.cancelled_by,
        "history": [
            {"at": iso_utc(entry.at), "action": entry.action, "by_role": entry.by_role} for entry in booking.history
        ],
    }


@dataclass(frozen=True)
class AccountDeleted:
    cancelled: int  # future bookings cancelled, their times freed
    anonymised: int  # bookings kept by the clinics without the patient's identity


def account_delete_refusal(*, user_id: str) -> Conflict | None:
    """Why this account cannot be deleted now, if it cannot (shown before asking for the password)."""
    user = User.objects.get(pk=user_id)
    if user.is_staff:
        return PlatformStaffAccount()
    for tenant_id in Membership.objects.filter(user=user, role=Role.ADMIN).values_list("tenant_id", flat=True):
        if not Membership.objects.filter(tenant_id=tenant_id, role=Role.ADMIN).exclude(user=user).exists():
            return LastAdminAccount()
    return None


def account_delete(*, user_id: str, now: dt.datetime | None = None) -> AccountDeleted:
    """Delete the user: future bookings cancelled by the system, every booking anonymised, then the account.

    Refused (nothing changed) for platform staff and for the last Admin of a clinic. Cancelling
    ignores the clinic's cutoff: the patient will not come. A failure halfway leaves the account
    in place with some bookings already anonymised, and deleting again finishes the work.
    """
    now = now or timezone.now()
    refusal = account_delete_refusal(user_id=user_id)
    if refusal is not None:
        raise refusal
    cancelled = anonymised = 0
    for booking in bookings_for_patient(patient_id=user_id):
        if booking.status == BookingStatus.CONFIRMED and booking.start > now:
            try:
                services.booking_cancel(
                    tenant_id=booking.tenant_id,
                    booking_id=booking.booking_id,
                    actor=Actor.system(tenant_id=booking.tenant_id),
                    reason=ACCOUNT_DELETED,
                    now=now,
                )
                cancelled += 1
            except BookingNotChangeable:
                pass  # cancelled or closed meanwhile: nothing to free
        _anonymise(tenant_id=booking.tenant_id, booking_id=booking.booking_id, user_id=user_id)
        anonymised += 1
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        # Checked again under the lock: an admin may have been demoted meanwhile.
        refusal = account_delete_refusal(user_id=user_id)
        if refusal is not None:
            raise refusal
        user.delete()  # memberships, e-mail addresses and sessions' owner go with it
    return AccountDeleted(cancelled=cancelled, anonymised=anonymised)


def _anonymise(*, tenant_id: str, booking_id: str, user_id: str, attempts: int = 3) -> None:
    """The clinic keeps the booking (its agenda, its figures); the patient's identity leaves it."""
    for _attempt in range(attempts):
        booking = booking_get(tenant_id=tenant_id, booking_id=booking_id)
        booking.patient_name = ANONYMOUS_NAME
        booking.patient_email = ""
        booking.patient_phone = ""
        booking.patient_id = None
        booking.holder = None
        # Off the patient index: the account's list no longer exists.
        booking.patient_pk = None
        booking.patient_sk = None
        for entry in booking.history or []:
            if entry.by == user_id:
                entry.by = ""
        try:
            booking.save()  # conditional on the version just read
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                continue  # changed meanwhile (staff marking it): read again
            raise
        return
    raise BookingChangedMeanwhile(detail=f"booking {booking_id} kept changing while anonymising")
