"""A booking as an iCalendar file ("Add to calendar"): one event per booking, updated in place.

The UID derives from the booking id and SEQUENCE grows with every change of the booking (its
history), so a calendar that imports the file again after a reschedule or a cancellation updates
the event it already has instead of adding a second one.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from icalendar import Calendar, Event

from booking.models import Booking, BookingStatus
from clinics.models import Clinic

PRODID = "-//NexioQ//Citas//ES"


def booking_uid(booking_id: str) -> str:
    return f"{booking_id}@nexioq"


def booking_sequence(booking: Booking) -> int:
    """0 when booked, one more with every later change (rescheduled, cancelled, attended)."""
    return max(len(booking.history or []) - 1, 0)


def booking_ics(*, booking: Booking, clinic: Clinic, now: dt.datetime | None = None) -> bytes:
    """The booking as a VCALENDAR with one VEVENT; times in UTC."""
    now = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    # PUBLISH, not iTIP's CANCEL (which needs an organizer): STATUS and SEQUENCE carry the change.
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", booking_uid(booking.booking_id))
    event.add("sequence", booking_sequence(booking))
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", booking.start.astimezone(dt.UTC))
    event.add("dtend", booking.end.astimezone(dt.UTC))
    event.add("summary", f"{booking.treatment_name} · {clinic.name}")
    event.add("location", clinic.address or clinic.name)
    lines = [booking.professional_name, booking.reference]
    if clinic.phone:
        lines.append(clinic.phone)
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if booking.status == BookingStatus.CANCELLED else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
