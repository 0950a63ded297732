"""Future bookings that a change of hours, time off, closures or a deactivation would leave
outside the offered time ("never orphan a booking silently").

The admin panel calls ``bookings_left_outside`` with the clinic and professionals *as they
would be after the change* (unsaved copies), lists what it returns before saving, and lets the
admin keep those bookings (they stay valid: a booking is never cancelled by a setting) or cancel
them with a reason through ``booking_cancel``.

Only the appointment itself, [start, end), must fit: buffers may run outside working hours
(README, "Decisions"), but never into time off or a closure, which [start, end) is checked against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from booking.models import Booking, BookingStatus
from booking.selectors import bookings_in_range
from clinics.models import Clinic, Professional, TimeRange

# Bookings are never taken further ahead than max_advance_days, but that setting may have been
# larger when they were made: look this far ahead at least.
HORIZON_DAYS = 400


def _overlaps(start: dt.datetime, end: dt.datetime, ranges: Sequence[TimeRange]) -> bool:
    return any(r.start < end and start < r.end for r in ranges)


def _within_hours(booking: Booking, professional: Professional, clinic: Clinic) -> bool:
    local_start = booking.start.astimezone(clinic.zone)
    local_end = booking.end.astimezone(clinic.zone)
    if local_end.date() != local_start.date():
        return False
    start, end = f"{local_start:%H:%M}", f"{local_end:%H:%M}"
    return any(
        r.weekday == local_start.weekday() and r.start <= start and end <= r.end for r in professional.weekly_hours
    )


def outside_offer(booking: Booking, *, clinic: Clinic, professional: Professional | None) -> bool:
    """Whether this booking's time is no longer offered by the clinic and its professional."""
    if professional is None or not professional.active:
        return True
    if _overlaps(booking.start, booking.end, clinic.closures):
        return True
    if _overlaps(booking.start, booking.end, professional.time_off):
        return True
    return not _within_hours(booking, professional, clinic)


def bookings_left_outside(
    *,
    clinic: Clinic,
    professionals: Sequence[Professional],
    whole_clinic: bool = False,
    now: dt.datetime | None = None,
) -> list[Booking]:
    """Confirmed future bookings of ``professionals`` that ``clinic`` and ``professionals`` (as they
    would be after a change) no longer offer, by start.

    One Query: a professional's agenda when one professional changes, the clinic's agenda when
    ``whole_clinic`` (a closure, or several professionals): pass every active professional then.
    A booking of a professional not passed (one deactivated earlier) is judged on closures alone.
    """
    now = now or timezone.now()
    end = now + dt.timedelta(days=max(HORIZON_DAYS, int(clinic.max_advance_days) + 1))
    by_id = {p.professional_id: p for p in professionals}
    if whole_clinic or len(professionals) != 1:
        bookings = bookings_in_range(tenant_id=clinic.tenant_id, start=now, end=end)
    else:
        bookings = bookings_in_range(
            tenant_id=clinic.tenant_id, start=now, end=end, professional_id=professionals[0].professional_id
        )
    left = []
    for booking in bookings:
        if booking.status != BookingStatus.CONFIRMED or booking.start < now:
            continue
        if booking.professional_id not in by_id:
            if not whole_clinic:
                continue
            # A professional the caller did not pass (inactive or deleted): only closures are judged.
            if not _overlaps(booking.start, booking.end, clinic.closures):
                continue
            left.append(booking)
            continue
        if outside_offer(booking, clinic=clinic, professional=by_id[booking.professional_id]):
            left.append(booking)
    return left
