"""Building each e-mail of the outbox: who it goes to, in their language, what it says.

Built when it is sent, not when the item was written: a reminder reads the booking as it is at
its time (cancelled meanwhile: nothing to send), and every message the recipient's language and
reminder preference as they are then. ``None`` means there is nothing to send any more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from booking.calendar import booking_ics
from booking.errors import BookingNotFound
from booking.models import Booking, BookingStatus
from booking.selectors import booking_with_clinic, bookings_in_range, local_day_bounds
from clinics.choices import phone_display
from clinics.models import Clinic
from clinics.selectors import clinic_get
from nexioq.errors import NotFound
from notifications.models import MessageKind, OutboxItem
from notifications.outbox import moved_id, reschedule_count

# Messages to a clinic are in Spanish, the language of the clinics NexioQ serves.
CLINIC_LANGUAGE = "es"
DEFAULT_LANGUAGE = "es"
UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# Kinds that carry the booking's calendar file: the event to add, or to update in place.
WITH_CALENDAR = (MessageKind.CONFIRMED, MessageKind.RESCHEDULED)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# ---------------------------------------------------------------- unsubscribe tokens


def unsubscribe_token(*, booking: Booking) -> str:
    """A signed token that turns reminders off without signing in.

    For a patient with an account it names the user (every clinic, every booking); a phone
    patient without one has no preference to keep, so it names the booking: its reminders stop.
    """
    payload: dict[str, str] = (
        {"u": booking.patient_id} if booking.patient_id else {"t": booking.tenant_id, "b": booking.booking_id}
    )
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT, compress=False)


@dataclass(frozen=True)
class UnsubscribeTarget:
    user_id: str | None = None
    tenant_id: str | None = None
    booking_id: str | None = None


def unsubscribe_token_read(token: str) -> UnsubscribeTarget:
    """What a token names; a forged, truncated or foreign token is not found (404)."""
    try:
        payload: Any = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise NotFound(detail="unsubscribe token") from exc
    if isinstance(payload, dict):
        user_id, tenant_id, booking_id = payload.get("u"), payload.get("t"), payload.get("b")
        if isinstance(user_id, str) and user_id:
            return UnsubscribeTarget(user_id=user_id)
        if isinstance(tenant_id, str) and isinstance(booking_id, str) and tenant_id and booking_id:
            return UnsubscribeTarget(tenant_id=tenant_id, booking_id=booking_id)
    raise NotFound(detail="unsubscribe token payload")


# ---------------------------------------------------------------- the messages


def message_for(*, item: OutboxItem, now: dt.datetime) -> EmailMultiAlternatives | None:
    """The e-mail ``item`` stands for, or None when there is nothing to send any more."""
    if item.kind == MessageKind.CLINIC_SUMMARY:
        return _clinic_summary(item=item, now=now)
    if not item.booking_id:
        return None
    try:
        clinic, booking = booking_with_clinic(tenant_id=item.tenant_id, booking_id=item.booking_id, consistent=True)
    except BookingNotFound:
        return None
    if item.recipient == "clinic":
        return _to_clinic(item=item, clinic=clinic, booking=booking, now=now)
    return _to_patient(item=item, clinic=clinic, booking=booking, now=now)


def _patient_user(booking: Booking) -> User | None:
    if not booking.patient_id:
        return None
    try:
        return User.objects.filter(pk=booking.patient_id, is_active=True).first()
    except ValidationError:
        return None  # not an id of ours (imported or test data): nobody to look up


def _to_patient(
    *, item: OutboxItem, clinic: Clinic, booking: Booking, now: dt.datetime
) -> EmailMultiAlternatives | None:
    user = _patient_user(booking)
    if booking.patient_id and user is None:
        return None  # the account is gone (deleted): nobody to write to
    address = user.email if user is not None else (booking.patient_email or "").strip()
    if not address:
        return None
    if item.kind == MessageKind.REMINDER:
        if booking.status != BookingStatus.CONFIRMED or booking.start <= now:
            return None
        if user is not None and not user.reminders:
            return None
    if item.kind in WITH_CALENDAR and booking.status == BookingStatus.CANCELLED:
        return None  # cancelled before this went out: the cancellation says all there is
    if item.kind == MessageKind.RESCHEDULED and item.item_id != moved_id(booking.booking_id, reschedule_count(booking)):
        return None  # moved again since: the latest move's message tells the time
    language = (user.language if user is not None else "") or clinic.language or DEFAULT_LANGUAGE
    if language not in dict(settings.LANGUAGES):
        language = DEFAULT_LANGUAGE
    with translation.override(language), timezone.override(clinic.zone):
        context = _context(clinic=clinic, booking=booking, item=item, language=language)
        subject = _patient_subject(item.kind, context)
        message = _render(item.kind, subject=subject, to=address, context=context, reply_to=clinic.email)
        if item.kind in WITH_CALENDAR:
            message.attach("cita.ics", booking_ics(booking=booking, clinic=clinic, now=now), "text/calendar")
    message.extra_headers["Content-Language"] = language
    return message


def _to_clinic(
    *, item: OutboxItem, clinic: Clinic, booking: Booking, now: dt.datetime
) -> EmailMultiAlternatives | None:
    address = (clinic.email or "").strip()
    if not address or not clinic.notify_clinic:
        return None
    with translation.override(CLINIC_LANGUAGE), timezone.override(clinic.zone):
        context = _context(clinic=clinic, booking=booking, item=item, language=CLINIC_LANGUAGE)
        context["agenda_url"] = (
            absolute(reverse("office-agenda", args=[clinic.slug])) if _has_url("office-agenda") else ""
        )
        values = {"patient": booking.patient_name, "when": context["when"]}
        if item.kind == MessageKind.CLINIC_NEW:
            subject = _("New booking: %(patient)s, %(when)s") % values
        else:
            subject = _("Cancelled: %(patient)s, %(when)s") % values
        message = _render(item.kind, subject=subject, to=address, context=context)
    message.extra_headers["Content-Language"] = CLINIC_LANGUAGE
    return message


def _has_url(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name, args=["x"])
    except NoReverseMatch:
        return False
    return True


def _when(booking: Booking) -> str:
    """'martes, 1 de diciembre de 2026, 09:00' in the active language and time zone."""
    from booking.templatetags.nexioq import long_date

    return f"{long_date(booking.start)}, {timezone.localtime(booking.start):%H:%M}"


def _context(*, clinic: Clinic, booking: Booking, item: OutboxItem, language: str) -> dict[str, Any]:
    links: dict[str, str] = {}
    if booking.patient_id:
        # The portal's pages are the patient's own (signed in); a phone patient calls the clinic instead.
        links = {
            "booking_url": absolute(reverse("booking-done", args=[clinic.slug, booking.booking_id])),
            "reschedule_url": absolute(reverse("booking-reschedule", args=[clinic.slug, booking.booking_id])),
            "cancel_url": absolute(reverse("booking-done", args=[clinic.slug, booking.booking_id])) + "#actions-title",
        }
    return {
        "kind": item.kind,
        "clinic": clinic,
        "clinic_phone": phone_display(clinic.phone) if clinic.phone else "",
        "booking": booking,
        "when": _when(booking),
        "start_time": f"{timezone.localtime(booking.start):%H:%M}",
        "end_time": f"{timezone.localtime(booking.end):%H:%M}",
        "offset_minutes": int(item.offset_minutes or 0),
        "cancelled_by_clinic": booking.cancelled_by in ("clinic", "system"),
        "unsubscribe_url": absolute(reverse("notifications-unsubscribe", args=[unsubscribe_token(booking=booking)])),
        "language": language,
        "site_url": settings.SITE_URL,
        **links,
    }


def _patient_subject(kind: str, context: dict[str, Any]) -> str:
    values = {"clinic": context["clinic"].name, "when": context["when"]}
    if kind == MessageKind.CONFIRMED:
        return _("Your appointment at %(clinic)s is confirmed") % values
    if kind == MessageKind.RESCHEDULED:
        return _("Your appointment at %(clinic)s has been moved to %(when)s") % values
    if kind == MessageKind.CANCELLED:
        return _("Your appointment at %(clinic)s has been cancelled") % values
    return _("Reminder: your appointment at %(clinic)s, %(when)s") % values


def _render(kind: str, *, subject: str, to: str, context: dict[str, Any], reply_to: str = "") -> EmailMultiAlternatives:
    context = {**context, "subject": subject}
    text = render_to_string(f"notifications/email/{kind}.txt", context)
    html = render_to_string(f"notifications/email/{kind}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
    )
    message.attach_alternative(html, "text/html")
    return message


# ---------------------------------------------------------------- the clinic's daily summary


def summary_day(item: OutboxItem) -> dt.date | None:
    """The local date a summary item is for (its id is ``summary-YYYY-MM-DD``)."""
    try:
        return dt.date.fromisoformat(item.item_id.removeprefix("summary-"))
    except ValueError:
        return None


def _clinic_summary(*, item: OutboxItem, now: dt.datetime) -> EmailMultiAlternatives | None:
    day = summary_day(item)
    if day is None:
        return None
    try:
        clinic = clinic_get(tenant_id=item.tenant_id)
    except NotFound:
        return None
    address = (clinic.email or "").strip()
    if not address or not clinic.notify_clinic:
        return None
    start, end = local_day_bounds(clinic, day, day)
    bookings = [
        b
        for b in bookings_in_range(tenant_id=clinic.tenant_id, start=start, end=end)
        if b.status == BookingStatus.CONFIRMED and b.start >= start
    ]
    with translation.override(CLINIC_LANGUAGE), timezone.override(clinic.zone):
        from booking.templatetags.nexioq import long_date

        rows = [
            {
                "time": f"{timezone.localtime(b.start):%H:%M}",
                "end": f"{timezone.localtime(b.end):%H:%M}",
                "patient": b.patient_name,
                "treatment": b.treatment_name,
                "professional": b.professional_name,
                "reference": b.reference,
            }
            for b in sorted(bookings, key=lambda b: (b.start, b.professional_name))
        ]
        day_text = long_date(day)
        subject = ngettext(
            "Agenda for %(day)s: %(count)s appointment",
            "Agenda for %(day)s: %(count)s appointments",
            len(rows),
        ) % {"day": day_text, "count": len(rows)}
        context = {
            "clinic": clinic,
            "clinic_phone": phone_display(clinic.phone) if clinic.phone else "",
            "day": day_text,
            "rows": rows,
            "language": CLINIC_LANGUAGE,
            "agenda_url": absolute(reverse("office-agenda", args=[clinic.slug])) if _has_url("office-agenda") else "",
        }
        message = _render(MessageKind.CLINIC_SUMMARY, subject=subject, to=address, context=context)
    message.extra_headers["Content-Language"] = CLINIC_LANGUAGE
    return message
