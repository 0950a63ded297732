"""Use cases of the clinic admin panel that span the catalogue and the bookings.

Adding a closure never orphans a booking silently: ``closure_preview`` lists the future
bookings the closure would leave outside the offered time, the admin decides to keep them or
cancel them, and ``closure_add`` checks again before saving, so nothing is cancelled that the
admin did not see, and no booking that appeared meanwhile goes unmentioned.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass, field

from access.permissions import Action, Actor
from booking import errors as booking_errors
from booking.models import Booking
from booking.orphans import bookings_left_outside
from booking.services import booking_cancel
from clinics import choices
from clinics import services as clinic_services
from clinics.clinic_settings import ClinicSettings
from clinics.models import Clinic
from clinics.selectors import clinic_get, professional_list
from nexioq.errors import Forbidden

logger = logging.getLogger(__name__)


class UnseenBookings(Exception):
    """The closure now covers bookings the admin was not shown: show them and ask again."""

    def __init__(self, bookings: list[Booking]) -> None:
        super().__init__(f"{len(bookings)} booking(s) not shown")
        self.bookings = bookings


@dataclass(frozen=True)
class ClosureResult:
    kept: list[Booking] = field(default_factory=list)
    cancelled: list[Booking] = field(default_factory=list)
    # Cancelled or moved by someone else meanwhile: no longer inside the closure as confirmed bookings.
    skipped: list[Booking] = field(default_factory=list)


def closure_preview(*, tenant_id: str, start: dt.datetime, end: dt.datetime, reason: str = "") -> list[Booking]:
    """Confirmed future bookings the clinic would no longer offer with this closure, by start.

    Only what this closure changes: a booking already outside the offer before it (hours
    changed earlier, a professional deactivated) is not listed as its doing.
    Raises ValidationError (keys ``end``, ``reason``) for a range that cannot be a closure.
    """
    clinic = clinic_get(tenant_id=tenant_id)
    after = clinic_services.clinic_with_closure(clinic=clinic, start=start, end=end, reason=reason)
    professionals = professional_list(tenant_id=tenant_id)
    left_after = bookings_left_outside(clinic=after, professionals=professionals, whole_clinic=True)
    if not left_after:
        return []
    left_before = bookings_left_outside(clinic=clinic, professionals=professionals, whole_clinic=True)
    already = {b.booking_id for b in left_before}
    return [b for b in left_after if b.booking_id not in already]


def time_zone_change_preview(*, clinic: Clinic, time_zone: str) -> list[Booking]:
    """Confirmed future bookings a new time zone would put outside their professional's hours.

    Weekly hours are wall-clock times of the clinic, so the same hours move when the zone
    changes; bookings are instants and stay where they are.
    """
    if time_zone == clinic.time_zone or time_zone not in choices.time_zone_names():
        return []
    after = Clinic.from_raw_data(clinic.serialize())
    after.time_zone = time_zone
    professionals = professional_list(tenant_id=clinic.tenant_id)
    left_after = bookings_left_outside(clinic=after, professionals=professionals, whole_clinic=True)
    if not left_after:
        return []
    already = {
        b.booking_id for b in bookings_left_outside(clinic=clinic, professionals=professionals, whole_clinic=True)
    }
    return [b for b in left_after if b.booking_id not in already]


def settings_save(
    *, tenant_id: str, version: int, settings: ClinicSettings, seen_booking_ids: Collection[str] = ()
) -> Clinic:
    """Replace the clinic's settings (``clinic_update``), unless a change of time zone would put
    bookings outside the offered time that the admin was not shown: ``UnseenBookings`` then,
    and nothing is saved. The bookings shown stay valid.
    """
    clinic = clinic_get(tenant_id=tenant_id)
    if clinic.version != version:
        raise clinic_services.StaleClinic(tenant_id)
    affected = time_zone_change_preview(clinic=clinic, time_zone=settings.time_zone)
    if [b for b in affected if b.booking_id not in seen_booking_ids]:
        raise UnseenBookings(affected)
    return clinic_services.clinic_update(tenant_id=tenant_id, version=version, settings=settings)


def closure_add(
    *,
    tenant_id: str,
    version: int,
    start: dt.datetime,
    end: dt.datetime,
    actor: Actor,
    reason: str = "",
    seen_booking_ids: Collection[str] = (),
    cancel: bool = False,
    cancel_reason: str = "",
) -> ClosureResult:
    """Save the closure, then keep or cancel the bookings it covers, as the admin decided.

    Raises ``UnseenBookings`` (and saves nothing) when the closure covers a booking not in
    ``seen_booking_ids``; ``StaleClinic`` when the clinic changed since ``version``.
    """
    if not actor.allows(Action.CONFIGURE_CLINIC) or actor.tenant_id != tenant_id:
        raise Forbidden(detail="configure_clinic")
    affected = closure_preview(tenant_id=tenant_id, start=start, end=end, reason=reason)
    unseen = [b for b in affected if b.booking_id not in seen_booking_ids]
    if unseen:
        raise UnseenBookings(affected)
    clinic_services.clinic_closure_add(tenant_id=tenant_id, version=version, start=start, end=end, reason=reason)
    if not cancel:
        return ClosureResult(kept=affected)
    cancelled, skipped = [], []
    for booking in affected:
        try:
            cancelled.append(
                booking_cancel(tenant_id=tenant_id, booking_id=booking.booking_id, actor=actor, reason=cancel_reason)
            )
        except (booking_errors.BookingNotChangeable, booking_errors.BookingChangedMeanwhile):
            skipped.append(booking)
    logger.info("closure at %s: %s cancelled, %s skipped", tenant_id, len(cancelled), len(skipped))
    return ClosureResult(cancelled=cancelled, skipped=skipped)
