"""The public booking wizard: treatment -> professional and time -> details -> confirmation.

The clinic comes from the URL only. Times are shown in the clinic's time zone.
Every step works without JavaScript; with htmx the times list reloads in place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.permissions import Action, require
from access.services import patient_membership_ensure
from accounts import services as accounts_services
from booking import selectors, services
from booking.forms import ANY_PROFESSIONAL, HoldForm, PatientForm, ScheduleForm
from booking.models import Hold
from clinics.models import Clinic, Professional, Treatment
from clinics.selectors import (
    BookingContext,
    NotFound,
    booking_context,
    clinic_get,
    professional_list,
    tenant_id_for_slug,
    treatment_list,
)
from nexioq.dynamo import iso_utc
from nexioq.http import HtmxHttpRequest
from scheduling.availability import Slot

SESSION_HOLDS = "holds"  # hold id -> tenant id: only the browser that held a time may use it
SESSION_BOOKINGS = "bookings"  # booking ids this browser confirmed
SESSION_CONFIRMED = "confirmed_holds"  # hold id -> booking id, so a repeated confirm lands on the booking


def _tenant_id(clinic_slug: str) -> str:
    try:
        return tenant_id_for_slug(slug=clinic_slug)
    except NotFound as exc:
        raise Http404("No such clinic") from exc


def _context(clinic_slug: str, treatment_id: str, professional_id: str | None = None) -> BookingContext:
    try:
        return booking_context(
            tenant_id=_tenant_id(clinic_slug), treatment_id=treatment_id, professional_id=professional_id
        )
    except NotFound as exc:
        raise Http404("No such treatment") from exc


def _render(
    request: HtmxHttpRequest, clinic: Clinic, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """Render with the clinic's time zone active, so every time on the page is the clinic's."""
    with timezone.override(clinic.zone):
        return render(request, template, {"clinic": clinic, **context}, status=status)


def _today(clinic: Clinic) -> dt.date:
    return timezone.now().astimezone(clinic.zone).date()


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "booking/home.html", {"demo_slug": settings.DEMO_CLINIC_SLUG})


@require_GET
def wizard_treatments(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    tenant_id = _tenant_id(clinic_slug)
    try:
        clinic = clinic_get(tenant_id=tenant_id)
    except NotFound as exc:
        raise Http404("No such clinic") from exc
    treatments = treatment_list(tenant_id=tenant_id)
    return _render(request, clinic, "booking/wizard_treatments.html", {"treatments": treatments, "step": 1})


def _group_by_period(slots: list[Slot], clinic: Clinic) -> list[tuple[str, list[Slot]]]:
    periods: dict[str, list[Slot]] = defaultdict(list)
    for slot in slots:
        hour = slot.start.astimezone(clinic.zone).hour
        periods[
            _("In the morning") if hour < 12 else _("In the afternoon") if hour < 18 else _("In the evening")
        ].append(slot)
    return list(periods.items())


def _schedule_page(
    request: HtmxHttpRequest,
    *,
    clinic: Clinic,
    treatment: Treatment,
    professionals: list[Professional],
    form: ScheduleForm,
    status: int = 200,
    error: str = "",
    alternatives: list[tuple[Slot, Professional]] | None = None,
    day_slots: list[Slot] | None = None,
) -> HttpResponse:
    """Step 2, whole page or (for htmx) just the times.

    ``day_slots``, when the caller already read the day for every professional, saves reading it again.
    """
    today = _today(clinic)
    slots: list[Slot] = []
    day = today
    professional_value = ANY_PROFESSIONAL
    if form.is_valid():
        day = form.cleaned_data["date"]
        professional_value = form.cleaned_data["professional"]
        chosen = (
            professionals
            if professional_value == ANY_PROFESSIONAL
            else [p for p in professionals if p.professional_id == professional_value]
        )
        if day_slots is None:
            slots = selectors.availability(
                clinic=clinic,
                treatment=treatment,
                professionals=chosen,
                first_day=day,
                last_day=day,
                now=timezone.now(),
            )
        else:
            wanted = {p.professional_id for p in chosen}
            slots = [
                Slot(start=s.start, end=s.end, professional_ids=ids)
                for s in day_slots
                if (ids := tuple(pid for pid in s.professional_ids if pid in wanted))
            ]
    elif status == 200:
        status = 400
    last_day = today + dt.timedelta(days=int(clinic.max_advance_days))
    days = [today + dt.timedelta(days=i) for i in range(min(14, (last_day - today).days + 1))]
    context = {
        "step": 2,
        "treatment": treatment,
        "professionals": professionals,
        "form": form,
        "day": day,
        "days": days,
        "previous_day": day - dt.timedelta(days=1) if day > today else None,
        "next_day": day + dt.timedelta(days=1) if day < last_day else None,
        "today": today,
        "last_day": last_day,
        "professional_value": professional_value,
        "periods": _group_by_period(slots, clinic),
        "error": error,
        "alternatives": alternatives or [],
        "hold_minutes": settings.HOLD_MINUTES,
    }
    template = "booking/wizard_schedule.html"
    if request.htmx and request.htmx.target == "times":
        template += "#times"
    return _render(request, clinic, template, context, status=status)


def _schedule_form(data: Any, clinic: Clinic, professionals: list[Professional]) -> ScheduleForm:
    today = _today(clinic)
    return ScheduleForm(
        data,
        today=today,
        last_day=today + dt.timedelta(days=int(clinic.max_advance_days)),
        professional_ids={p.professional_id for p in professionals},
    )


@require_GET
def wizard_schedule(request: HtmxHttpRequest, clinic_slug: str, treatment_id: str) -> HttpResponse:
    ctx = _context(clinic_slug, treatment_id)
    professionals = professional_list(tenant_id=ctx.clinic.tenant_id, treatment_id=treatment_id)
    form = _schedule_form(request.GET, ctx.clinic, professionals)
    return _schedule_page(request, clinic=ctx.clinic, treatment=ctx.treatment, professionals=professionals, form=form)


def _remember_hold(request: HtmxHttpRequest, hold: Hold) -> None:
    holds = dict(request.session.get(SESSION_HOLDS, {}))
    # One live hold per clinic and browser: picking again gives the previous time back.
    for hold_id, tenant_id in list(holds.items()):
        if tenant_id == hold.tenant_id:
            with contextlib.suppress(NotFound):
                services.hold_release(hold=selectors.hold_get(tenant_id=tenant_id, hold_id=hold_id))
            del holds[hold_id]
    holds[hold.hold_id] = hold.tenant_id
    request.session[SESSION_HOLDS] = holds


@require_POST
def wizard_hold(request: HtmxHttpRequest, clinic_slug: str, treatment_id: str) -> HttpResponse:
    ctx = _context(clinic_slug, treatment_id)
    clinic, treatment = ctx.clinic, ctx.treatment
    professionals = professional_list(tenant_id=clinic.tenant_id, treatment_id=treatment_id)
    hold_form = HoldForm(request.POST)
    day = None
    if hold_form.is_valid():
        day = hold_form.cleaned_data["start"].astimezone(clinic.zone).date()
    schedule_form = _schedule_form(
        {"professional": request.POST.get("professional", ""), "date": day.isoformat() if day else ""},
        clinic,
        professionals,
    )
    if not hold_form.is_valid() or not schedule_form.is_valid():
        errors = [e for f in (hold_form, schedule_form) for errs in f.errors.values() for e in errs]
        return _schedule_page(
            request,
            clinic=clinic,
            treatment=treatment,
            professionals=professionals,
            form=schedule_form,
            status=400,
            error=" ".join(str(e) for e in errors),
        )
    start = hold_form.cleaned_data["start"]
    chosen = schedule_form.cleaned_data["professional"]
    candidates = (
        professionals if chosen == ANY_PROFESSIONAL else [p for p in professionals if p.professional_id == chosen]
    )
    try:
        hold = services.hold_create(clinic=clinic, treatment=treatment, professionals=candidates, start=start)
    except services.NotOffered:
        return _schedule_page(
            request,
            clinic=clinic,
            treatment=treatment,
            professionals=professionals,
            form=schedule_form,
            status=400,
            error=_("That time is not offered. Choose one of the times listed."),
        )
    except services.SlotUnavailable:
        return _conflict_page(
            request,
            clinic=clinic,
            treatment=treatment,
            professionals=professionals,
            form=schedule_form,
            start=start,
            professional_id=None if chosen == ANY_PROFESSIONAL else chosen,
        )
    _remember_hold(request, hold)
    return redirect("booking-details", clinic_slug=clinic_slug, hold_id=hold.hold_id)


def _conflict_page(
    request: HtmxHttpRequest,
    *,
    clinic: Clinic,
    treatment: Treatment,
    professionals: list[Professional],
    form: ScheduleForm,
    start: dt.datetime,
    professional_id: str | None,
) -> HttpResponse:
    day = start.astimezone(clinic.zone).date()
    day_slots = selectors.availability(
        clinic=clinic, treatment=treatment, professionals=professionals, first_day=day, last_day=day, now=timezone.now()
    )
    alternatives = selectors.alternatives(
        slots=day_slots, professionals=professionals, wanted_start=start, professional_id=professional_id
    )
    return _schedule_page(
        request,
        clinic=clinic,
        treatment=treatment,
        professionals=professionals,
        form=form,
        status=409,
        error=_("Sorry, someone has just taken that time. These are the nearest free times:"),
        alternatives=alternatives,
        day_slots=day_slots,
    )


def _remember_booking(request: HtmxHttpRequest, *, hold_id: str, booking_id: str) -> None:
    bookings = [b for b in request.session.get(SESSION_BOOKINGS, []) if b != booking_id]
    request.session[SESSION_BOOKINGS] = [*bookings, booking_id][-20:]
    holds = dict(request.session.get(SESSION_HOLDS, {}))
    holds.pop(hold_id, None)  # used up: nothing left to release when the next time is picked
    request.session[SESSION_HOLDS] = holds
    confirmed = dict(request.session.get(SESSION_CONFIRMED, {}))
    confirmed[hold_id] = booking_id
    request.session[SESSION_CONFIRMED] = dict(list(confirmed.items())[-20:])


def _my_hold(request: HtmxHttpRequest, clinic_slug: str, hold_id: str) -> Hold:
    tenant_id = _tenant_id(clinic_slug)
    if request.session.get(SESSION_HOLDS, {}).get(hold_id) != tenant_id:
        raise Http404("Not your hold")
    try:
        return selectors.hold_get(tenant_id=tenant_id, hold_id=hold_id)
    except NotFound as exc:
        raise Http404("Hold gone") from exc


@require_http_methods(["GET", "POST"])
def wizard_details(request: HtmxHttpRequest, clinic_slug: str, hold_id: str) -> HttpResponse:
    tenant_id = _tenant_id(clinic_slug)
    confirmed = request.session.get(SESSION_CONFIRMED, {}).get(hold_id)
    if confirmed:
        return redirect("booking-done", clinic_slug=clinic_slug, booking_id=confirmed)
    hold = _my_hold(request, clinic_slug, hold_id)
    try:
        ctx = booking_context(tenant_id=tenant_id, treatment_id=hold.treatment_id, professional_id=hold.professional_id)
    except NotFound as exc:
        raise Http404("No such treatment") from exc
    clinic, treatment, professional = ctx.clinic, ctx.treatment, ctx.professional
    assert professional is not None
    user = request.user if request.user.is_authenticated else None
    if user is None and request.method == "POST":
        # The patient signs in (or up) first; the hold stays in the session meanwhile.
        return redirect_to_login(request.get_full_path())
    require(user=request.user, tenant_id=tenant_id, action=Action.CONFIRM_OWN_BOOKING if user else Action.BOOK_ONLINE)
    initial = {"name": user.full_name, "phone": user.phone} if user else {}
    form = PatientForm(request.POST or None, initial=initial, country=clinic.country)
    status = 200
    if user is not None and request.method == "POST":
        if form.is_valid():
            patient = services.PatientDetails(
                name=form.cleaned_data["name"],
                email=user.email,
                phone=form.cleaned_data["phone"],
                patient_id=str(user.id),
            )
            try:
                booking = services.booking_create(
                    clinic=clinic,
                    treatment=treatment,
                    professional=professional,
                    start=hold.start,
                    patient=patient,
                    hold=hold,
                )
            except (services.SlotUnavailable, services.NotOffered):
                professionals = professional_list(tenant_id=tenant_id, treatment_id=treatment.treatment_id)
                schedule_form = _schedule_form(
                    {
                        "professional": hold.professional_id,
                        "date": hold.start.astimezone(clinic.zone).date().isoformat(),
                    },
                    clinic,
                    professionals,
                )
                return _conflict_page(
                    request,
                    clinic=clinic,
                    treatment=treatment,
                    professionals=professionals,
                    form=schedule_form,
                    start=hold.start,
                    professional_id=hold.professional_id,
                )
            _remember_booking(request, hold_id=hold_id, booking_id=booking.booking_id)
            patient_membership_ensure(user=user, tenant_id=tenant_id)
            accounts_services.user_profile_fill(user=user, full_name=patient.name, phone=patient.phone)
            return redirect("booking-done", clinic_slug=clinic_slug, booking_id=booking.booking_id)
        status = 400
    locked_until = dt.datetime.fromtimestamp(int(hold.locked_until), tz=dt.UTC)
    context = {
        "step": 3,
        "hold": hold,
        "treatment": treatment,
        "professional": professional,
        "form": form,
        "locked_until": locked_until,
        "hold_expired": locked_until <= timezone.now(),
        "next_url": request.get_full_path(),
        "change_url": reverse("booking-schedule", args=[clinic_slug, treatment.treatment_id])
        + f"?professional={professional.professional_id}&date={hold.start.astimezone(clinic.zone).date():%Y-%m-%d}",
    }
    return _render(request, clinic, "booking/wizard_details.html", context, status=status)


@require_GET
def wizard_done(request: HtmxHttpRequest, clinic_slug: str, booking_id: str) -> HttpResponse:
    tenant_id = _tenant_id(clinic_slug)
    try:
        booking = selectors.booking_get(tenant_id=tenant_id, booking_id=booking_id)
        clinic = clinic_get(tenant_id=tenant_id)
    except NotFound as exc:
        raise Http404("No such booking") from exc
    # The confirmation shows patient data: only to the browser that booked it or to the patient.
    mine = request.user.is_authenticated and booking.patient_id == str(request.user.id)
    if not mine and booking_id not in request.session.get(SESSION_BOOKINGS, []):
        raise Http404("Not your booking")
    return _render(request, clinic, "booking/wizard_done.html", {"booking": booking, "step": 4})


@require_GET
def availability_week(request: HtmxHttpRequest, clinic_slug: str, treatment_id: str) -> HttpResponse:
    """Bookable starts of one professional (or any) for up to a week, as JSON.

    For the front end and integrations; costs one BatchGetItem and one Query for
    one professional (the benchmark reports the count from X-Dynamo-Requests).
    """
    professional_id = request.GET.get("professional") or None
    if professional_id == ANY_PROFESSIONAL:
        professional_id = None
    ctx = _context(clinic_slug, treatment_id, professional_id)
    clinic = ctx.clinic
    today = _today(clinic)
    try:
        first_day = dt.date.fromisoformat(request.GET.get("start") or today.isoformat())
        days = int(request.GET.get("days") or 7)
    except ValueError:
        return JsonResponse({"error": _("Enter a valid date (YYYY-MM-DD).")}, status=400)
    if not 1 <= days <= 7:
        return JsonResponse({"error": _("Ask for 1 to 7 days.")}, status=400)
    if first_day < today:
        return JsonResponse({"error": _("That date has already passed. Choose today or a later day.")}, status=400)
    if ctx.professional is not None:
        professionals = [ctx.professional]
    else:
        professionals = professional_list(tenant_id=clinic.tenant_id, treatment_id=treatment_id)
    slots = selectors.availability(
        clinic=clinic,
        treatment=ctx.treatment,
        professionals=professionals,
        first_day=first_day,
        last_day=first_day + dt.timedelta(days=days - 1),
        now=timezone.now(),
    )
    return JsonResponse(
        {
            "clinic": clinic.slug,
            "time_zone": clinic.time_zone,
            "treatment": ctx.treatment.treatment_id,
            "slots": [
                {
                    "start": iso_utc(slot.start),
                    "local_start": slot.start.astimezone(clinic.zone).isoformat(),
                    "end": iso_utc(slot.end),
                    "professionals": list(slot.professional_ids),
                }
                for slot in slots
            ],
        }
    )


@require_GET
def my_bookings(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    """The signed-in patient's bookings at this clinic: one GSI1 query, never a scan of the clinic."""
    tenant_id = _tenant_id(clinic_slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    require(user=request.user, tenant_id=tenant_id, action=Action.VIEW_OWN_BOOKINGS)
    try:
        clinic = clinic_get(tenant_id=tenant_id)
    except NotFound as exc:
        raise Http404("No such clinic") from exc
    bookings = selectors.bookings_for_patient(patient_id=str(request.user.id), tenant_id=tenant_id)
    now = timezone.now()
    context = {
        "upcoming": [b for b in bookings if b.end > now],
        "past": [b for b in reversed(bookings) if b.end <= now],
    }
    return _render(request, clinic, "booking/my_bookings.html", context)
