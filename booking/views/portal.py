"""The patient portal ("Mis citas"): the patient's bookings at every clinic, one booking's page with
its actions (cancel, reschedule, add to calendar), the profile, and the patient's own data.

``/me/`` pages belong to the signed-in user, not to a clinic; a booking's pages live under its
clinic (``/c/<slug>/bookings/<id>/``) and pass through ``access.permissions`` first. A booking
that is not the visitor's own is not found (404), whoever asks, staff included: the clinic's staff
work on bookings in the back office, not here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.permissions import Action, Actor, actor_access, clinic_access
from accounts import services as accounts_services
from accounts.models import User
from booking import calendar, patient_data, selectors, services
from booking.errors import BookingNotChangeable, BookingNotFound, CancellationCutoffPassed, NotOffered, SlotTaken
from booking.forms import ANY_PROFESSIONAL, FROM_FIELD, HoldForm, ScheduleForm
from booking.limits import hold_allowance_consume
from booking.models import Booking, BookingStatus
from booking.portal_forms import DeleteAccountForm, ProfileForm
from booking.selectors import STRIP_DAYS
from booking.templatetags.nexioq import long_date
from booking.views.picker import strip_context
from clinics.models import Clinic, Professional, Treatment
from clinics.pages import clinic_render
from clinics.selectors import clinic_context, professional_list
from nexioq.errors import SignInRequired
from nexioq.http import HtmxHttpRequest
from notifications.tasks import kicks_outbox
from scheduling.availability import Slot

# The booking the wizard has just confirmed in this browser: its page says "booked, thank you" once.
JUST_BOOKED = "just_booked"


# The mark lives in a signed cookie, not the session: a confirm submitted several times at once
# would otherwise write the one session row concurrently, and SQLite refuses some of those writes
# (SessionInterrupted, a 400) where every submission must lead to the booking.
JUST_BOOKED_SECONDS = 600


def just_booked_remember(response: HttpResponse, booking_id: str) -> HttpResponse:
    """Called by the wizard's confirm on its redirect: the next view of this booking is the success page."""
    response.set_signed_cookie(
        JUST_BOOKED,
        booking_id,
        salt=JUST_BOOKED,
        max_age=JUST_BOOKED_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _signed_in_user(request: HtmxHttpRequest) -> User:
    """The ``/me/`` pages are the signed-in user's own: anonymous visitors sign in first."""
    if not request.user.is_authenticated or not isinstance(request.user, User):
        raise SignInRequired()
    return request.user


def _render(
    request: HtmxHttpRequest, clinic: Clinic, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """A clinic's page, shown even when the clinic is suspended."""
    return clinic_render(request, clinic, template, {"open_when_suspended": True, **context}, status=status)


def _own(booking: Booking, actor: Actor) -> bool:
    """The patient's own booking, or the one this browser made (before its user signed in)."""
    if booking.patient_id and booking.patient_id == actor.user_id:
        return True
    return bool(booking.holder and actor.owns_hold(booking.holder))


def _own_booking(actor: Actor, booking_id: str) -> tuple[Clinic, Booking]:
    """The booking and its clinic in one read; someone else's booking does not exist (404)."""
    clinic, booking = selectors.booking_with_clinic(tenant_id=actor.tenant_id, booking_id=booking_id)
    if not _own(booking, actor):
        raise BookingNotFound(detail=f"booking {booking_id} is someone else's")
    return clinic, booking


def _cutoff(clinic: Clinic, booking: Booking) -> dt.datetime:
    return booking.start - dt.timedelta(hours=int(clinic.cancellation_cutoff_hours))


def _changeable(clinic: Clinic, booking: Booking, now: dt.datetime) -> bool:
    return booking.status == BookingStatus.CONFIRMED and now <= _cutoff(clinic, booking)


def _refuse_after_cutoff(clinic: Clinic, booking: Booking, now: dt.datetime) -> None:
    """The portal keeps the patients' cutoff for everyone, staff booked as patients included."""
    if booking.status == BookingStatus.CONFIRMED and now > _cutoff(clinic, booking):
        raise CancellationCutoffPassed(hours=int(clinic.cancellation_cutoff_hours), phone=clinic.phone)


# ---------------------------------------------------------------- the lists


@require_GET
def portal_bookings(request: HtmxHttpRequest) -> HttpResponse:
    """Upcoming and past bookings at every clinic: one Query of the patient index and one BatchGetItem."""
    user = _signed_in_user(request)
    pairs = selectors.patient_bookings_with_clinics(patient_id=str(user.pk))
    now = timezone.now()
    page = {
        "upcoming": [(b, c) for b, c in pairs if b.end > now],
        "past": [(b, c) for b, c in reversed(pairs) if b.end <= now],
        "clinic_count": len({c.tenant_id for _b, c in pairs}),
    }
    return render(request, "booking/portal_bookings.html", page)


@require_GET
def my_bookings(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    """The patient's bookings at this clinic (one Query of their index); "Mis citas" has every clinic's."""
    context, actor = clinic_access(request, clinic_slug, Action.VIEW_OWN_BOOKINGS)
    assert actor.user_id is not None
    bookings = selectors.bookings_for_patient(patient_id=actor.user_id, tenant_id=actor.tenant_id)
    now = timezone.now()
    page = {
        "upcoming": [b for b in bookings if b.end > now],
        "past": [b for b in reversed(bookings) if b.end <= now],
    }
    return _render(request, context.clinic, "booking/my_bookings.html", page)


# ---------------------------------------------------------------- one booking


@require_GET
def booking_page(request: HtmxHttpRequest, clinic_slug: str, booking_id: str) -> HttpResponse:
    """The booking and what the patient can do with it; "booked, thank you" only right after booking."""
    actor = actor_access(request, clinic_slug, Action.BOOK_ONLINE)
    clinic, booking = _own_booking(actor, booking_id)
    mark = request.get_signed_cookie(JUST_BOOKED, default=None, salt=JUST_BOOKED, max_age=JUST_BOOKED_SECONDS)
    just_booked = mark == booking.booking_id
    now = timezone.now()
    upcoming = booking.status == BookingStatus.CONFIRMED and booking.start > now
    # Changing online is for the clinic's patients (a booking made online makes one); a booking
    # the clinic made for someone who never booked online there is changed by phone.
    may_change = upcoming and actor.allows(Action.CHANGE_OWN_BOOKINGS)
    page = {
        "booking": booking,
        "just_booked": just_booked,
        "upcoming": upcoming,
        "changeable": may_change and _changeable(clinic, booking, now),
        "past_cutoff": may_change and not _changeable(clinic, booking, now),
        "cutoff_at": _cutoff(clinic, booking),
        "cutoff_hours": int(clinic.cancellation_cutoff_hours),
    }
    response = _render(request, clinic, "booking/booking_page.html", page)
    if mark is not None:
        response.delete_cookie(JUST_BOOKED, samesite="Lax")  # shown once; reopened, it is the booking's page
    return response


@require_POST
@kicks_outbox
def booking_cancel(request: HtmxHttpRequest, clinic_slug: str, booking_id: str) -> HttpResponse:
    actor = actor_access(request, clinic_slug, Action.CHANGE_OWN_BOOKINGS)
    clinic, booking = _own_booking(actor, booking_id)
    _refuse_after_cutoff(clinic, booking, timezone.now())
    services.booking_cancel(
        tenant_id=actor.tenant_id, booking_id=booking.booking_id, actor=actor, reason=_cancel_reason(request)
    )
    messages.success(request, _("Your appointment is cancelled. Its time is free for someone else."))
    return redirect("booking-done", clinic_slug=clinic_slug, booking_id=booking.booking_id)


def _cancel_reason(request: HtmxHttpRequest) -> str:
    reason = request.POST.get("reason", "")
    return "".join(c for c in reason if c.isprintable())[:500]


@require_GET
def booking_calendar(request: HtmxHttpRequest, clinic_slug: str, booking_id: str) -> HttpResponse:
    """The booking as an .ics file: same UID every time, SEQUENCE up with every change."""
    actor = actor_access(request, clinic_slug, Action.BOOK_ONLINE)
    clinic, booking = _own_booking(actor, booking_id)
    response = HttpResponse(
        calendar.booking_ics(booking=booking, clinic=clinic), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="cita-{booking.reference}.ics"'
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- reschedule


@require_http_methods(["GET", "POST"])
@kicks_outbox
def booking_reschedule(request: HtmxHttpRequest, clinic_slug: str, booking_id: str) -> HttpResponse:
    """Pick a new time for the same treatment (the wizard's picker); the move is one transaction.

    The new time is held for the patient first (``hold_create``), then the booking moves onto that
    hold (``booking_reschedule``): a time someone else took answers 409 with the nearest free
    times, and the booking keeps its old time.
    """
    actor = actor_access(request, clinic_slug, Action.CHANGE_OWN_BOOKINGS)
    clinic, booking = _own_booking(actor, booking_id)
    if booking.status != BookingStatus.CONFIRMED:
        raise BookingNotChangeable(detail=booking.status)
    _refuse_after_cutoff(clinic, booking, timezone.now())
    context = clinic_context(tenant_id=actor.tenant_id, treatment_id=booking.treatment_id)
    treatment = context.treatment
    assert treatment is not None
    professionals = professional_list(tenant_id=actor.tenant_id, treatment_id=booking.treatment_id)
    if request.method == "GET":
        data = request.GET.copy()
        data.setdefault("professional", booking.professional_id)
        # The strip's "later days" links ask for a first day ("from"): show that day.
        data.setdefault("date", data.get(FROM_FIELD) or _first_day(clinic, booking).isoformat())
        form = _schedule_form(data, clinic, professionals)
        return _reschedule_page(request, clinic, booking, treatment, professionals, form)
    return _reschedule_to(request, actor, clinic, booking, treatment, professionals)


def _today(clinic: Clinic) -> dt.date:
    return timezone.now().astimezone(clinic.zone).date()


def _last_day(clinic: Clinic) -> dt.date:
    return _today(clinic) + dt.timedelta(days=int(clinic.max_advance_days))


def _first_day(clinic: Clinic, booking: Booking) -> dt.date:
    day = booking.start.astimezone(clinic.zone).date()
    return min(max(day, _today(clinic)), _last_day(clinic))


def _schedule_form(data: Any, clinic: Clinic, professionals: list[Professional]) -> ScheduleForm:
    return ScheduleForm(
        data,
        today=_today(clinic),
        last_day=_last_day(clinic),
        professional_ids={p.professional_id for p in professionals},
    )


def _periods(slots: list[Slot], clinic: Clinic) -> list[tuple[str, list[Slot]]]:
    periods: dict[str, list[Slot]] = defaultdict(list)
    for slot in slots:
        hour = slot.start.astimezone(clinic.zone).hour
        label = _("In the morning") if hour < 12 else _("In the afternoon") if hour < 18 else _("In the evening")
        periods[label].append(slot)
    return list(periods.items())


def _without_its_own_time(slots: list[Slot], booking: Booking) -> list[Slot]:
    """The booking's current time with its professional is where it is already, not a new time."""
    kept = []
    for slot in slots:
        if slot.start == booking.start:
            ids = tuple(pid for pid in slot.professional_ids if pid != booking.professional_id)
            if not ids:
                continue
            slot = Slot(start=slot.start, end=slot.end, professional_ids=ids)
        kept.append(slot)
    return kept


def _reschedule_page(
    request: HtmxHttpRequest,
    clinic: Clinic,
    booking: Booking,
    treatment: Treatment,
    professionals: list[Professional],
    form: ScheduleForm,
    *,
    status: int = 200,
    error: str = "",
    alternatives: list[tuple[Slot, Professional]] | None = None,
) -> HttpResponse:
    """The wizard's time picker for the booking's treatment, whole page or (htmx) just the times."""
    today, last_day = _today(clinic), _last_day(clinic)
    now = timezone.now()
    day, professional_value, slots = today, ANY_PROFESSIONAL, []
    strip: selectors.Strip | None = None
    if form.is_valid():
        day = form.cleaned_data["date"]
        professional_value = form.cleaned_data["professional"]
        chosen = [p for p in professionals if professional_value in (ANY_PROFESSIONAL, p.professional_id)]
        # The strip's week, read once with the booking's own time counted as free; the strip's
        # states (closed, full) and the day's times both come from it.
        first = selectors.strip_first_day(today=today, day=day)
        week = selectors.availability(
            clinic=clinic,
            treatment=treatment,
            professionals=chosen,
            first_day=first,
            last_day=first + dt.timedelta(days=STRIP_DAYS - 1),
            now=now,
            moving=booking,
        )
        strip = selectors.availability_strip(
            clinic=clinic, treatment=treatment, professionals=chosen, day=day, now=now, slots=week
        )
        slots = _without_its_own_time(strip.slots_on(day, clinic.zone), booking)
    elif status == 200:
        status = 400
    page = {
        "booking": booking,
        "treatment": treatment,
        "professionals": professionals,
        "form": form,
        **strip_context(strip=strip, day=day, today=today, last_day=last_day),
        "professional_value": professional_value,
        "periods": _periods(slots, clinic),
        "error": error,
        "alternatives": alternatives or [],
        "hold_minutes": settings.HOLD_MINUTES,
        "pick_url": reverse("booking-reschedule", args=[clinic.slug, booking.booking_id]),
        "pick_note": _("Times in the clinic's time zone (%(tz)s). Your appointment moves as soon as you pick a time.")
        % {"tz": clinic.time_zone},
    }
    template = "booking/booking_reschedule.html"
    if request.htmx and request.htmx.target == "times":
        template = "booking/wizard_schedule.html#times"
    return _render(request, clinic, template, page, status=status)


def _reschedule_to(
    request: HtmxHttpRequest,
    actor: Actor,
    clinic: Clinic,
    booking: Booking,
    treatment: Treatment,
    professionals: list[Professional],
) -> HttpResponse:
    pick = HoldForm(request.POST)
    if not pick.is_valid():
        form = _schedule_form({"professional": booking.professional_id}, clinic, professionals)
        errors = " ".join(str(e) for errs in pick.errors.values() for e in errs)
        return _reschedule_page(request, clinic, booking, treatment, professionals, form, status=400, error=errors)
    start: dt.datetime = pick.cleaned_data["start"]
    chosen = pick.cleaned_data["professional"]
    professional_id = None if chosen == ANY_PROFESSIONAL else chosen
    if professional_id is not None and professional_id not in {p.professional_id for p in professionals}:
        professional_id = booking.professional_id
    hold_allowance_consume(request, actor)
    try:
        moved = _move(actor, booking, start, professional_id)
    except NotOffered as exc:
        return _after_refusal(request, clinic, booking, treatment, professionals, start, professional_id, exc, 400)
    except SlotTaken as exc:
        return _after_refusal(request, clinic, booking, treatment, professionals, start, professional_id, exc, 409)
    with timezone.override(clinic.zone):
        when = f"{long_date(moved.start)}, {timezone.localtime(moved.start):%H:%M}"
    messages.success(request, _("Your appointment has moved to %(when)s.") % {"when": when})
    return redirect("booking-done", clinic_slug=clinic.slug, booking_id=booking.booking_id)


def _move(actor: Actor, booking: Booking, start: dt.datetime, professional_id: str | None) -> Booking:
    """Hold the new time as the patient, then move the booking onto the hold, in one transaction.

    A new time that overlaps the booking's own time (same professional, a quarter later) cannot be
    held (the booking's cells are taken, by itself): that move claims the missing cells directly.
    """
    try:
        hold = services.hold_create(
            tenant_id=actor.tenant_id,
            treatment_id=booking.treatment_id,
            professional_id=professional_id,
            start=start,
            actor=actor,
        )
    except SlotTaken:
        new_blocked_start = start - (booking.start - booking.blocked_start)
        new_blocked_end = new_blocked_start + (booking.blocked_end - booking.blocked_start)
        overlaps_itself = professional_id in (None, booking.professional_id) and (
            new_blocked_start < booking.blocked_end and booking.blocked_start < new_blocked_end
        )
        if not overlaps_itself:
            raise
        return services.booking_reschedule(
            tenant_id=actor.tenant_id,
            booking_id=booking.booking_id,
            new_start=start,
            professional_id=booking.professional_id,
            actor=actor,
        )
    try:
        return services.booking_reschedule(
            tenant_id=actor.tenant_id,
            booking_id=booking.booking_id,
            new_start=start,
            professional_id=hold.professional_id,
            hold_id=hold.hold_id,
            actor=actor,
        )
    except Exception:
        # The booking kept its old time; the new time goes back to everyone.
        services.hold_release(tenant_id=actor.tenant_id, hold_id=hold.hold_id, actor=actor)
        raise


def _after_refusal(
    request: HtmxHttpRequest,
    clinic: Clinic,
    booking: Booking,
    treatment: Treatment,
    professionals: list[Professional],
    start: dt.datetime,
    professional_id: str | None,
    exc: NotOffered | SlotTaken,
    status: int,
) -> HttpResponse:
    """The picker again for the refused day, saying why; after a conflict with the nearest free times."""
    day = min(max(start.astimezone(clinic.zone).date(), _today(clinic)), _last_day(clinic))
    form = _schedule_form(
        {"professional": professional_id or ANY_PROFESSIONAL, "date": day.isoformat()}, clinic, professionals
    )
    alternatives: list[tuple[Slot, Professional]] = []
    error = str(exc.message)
    if status == 409:
        slots = selectors.availability(
            clinic=clinic,
            treatment=treatment,
            professionals=professionals,
            first_day=day,
            last_day=day,
            now=timezone.now(),
            moving=booking,
        )
        alternatives = selectors.alternatives(
            slots=_without_its_own_time(slots, booking),
            professionals=professionals,
            wanted_start=start,
            professional_id=professional_id,
        )
        error = _(
            "Sorry, someone has just taken that time. Your appointment keeps its time. These are the nearest free times:"
        )
    return _reschedule_page(
        request,
        clinic,
        booking,
        treatment,
        professionals,
        form,
        status=status,
        error=error,
        alternatives=alternatives,
    )


# ---------------------------------------------------------------- profile and data


@require_http_methods(["GET", "POST"])
def portal_profile(request: HtmxHttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            accounts_services.user_profile_update(
                user_id=str(user.pk),
                full_name=form.cleaned_data["full_name"],
                phone=form.cleaned_data["phone"],
                language=form.cleaned_data["language"],
                reminders=form.cleaned_data["reminders"],
            )
            language = form.cleaned_data["language"]
            response = redirect("portal-profile")
            # The choice applies at once in this browser too (the language cookie wins over the profile).
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
            with translation.override(language):
                messages.success(request, _("Your profile is saved."))
            return response
        return render(request, "booking/portal_profile.html", {"form": form}, status=400)
    form = ProfileForm(
        initial={
            "full_name": user.full_name,
            "phone": user.phone,
            "language": user.language or request.LANGUAGE_CODE,
            "reminders": user.reminders,
        }
    )
    return render(request, "booking/portal_profile.html", {"form": form})


@require_GET
def portal_export(request: HtmxHttpRequest) -> HttpResponse:
    """Everything we hold about the signed-in user, as a JSON download."""
    user = _signed_in_user(request)
    data = patient_data.patient_data_export(user_id=str(user.pk))
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="nexioq-mis-datos.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def portal_delete(request: HtmxHttpRequest) -> HttpResponse:
    """Delete the account, after the password (or the e-mail address for accounts without one)."""
    user = _signed_in_user(request)
    refusal = patient_data.account_delete_refusal(user_id=str(user.pk))
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST":
        if refusal is not None:
            raise refusal
        if form.is_valid():
            done = patient_data.account_delete(user_id=str(user.pk))
            logout(request)
            messages.success(request, _("Your account is deleted."))
            if done.cancelled:
                cancelled = ngettext(
                    "%(count)s upcoming appointment was cancelled.",
                    "%(count)s upcoming appointments were cancelled.",
                    done.cancelled,
                )
                messages.info(request, cancelled % {"count": done.cancelled})
            return redirect("home")
        return render(request, "booking/portal_delete.html", {"form": form, "refusal": refusal}, status=400)
    return render(request, "booking/portal_delete.html", {"form": form, "refusal": refusal})
