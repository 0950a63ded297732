"""The public booking wizard: treatment -> professional and time -> details -> confirmation.

The clinic comes from the URL only; every view passes through ``access.permissions`` first.
Times are shown in the clinic's time zone. Every step works without JavaScript; with htmx the
times list reloads in place. Refusals the page can explain in place (a time not offered, a time
just taken) are rendered here; every other domain error is answered by the error layer.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pynamodb.exceptions import PynamoDBException

from access.permissions import Action, Actor, actor_access, browser_key_ensure, clinic_access
from booking import selectors, services
from booking.errors import (
    ClinicSuspended,
    HoldExpired,
    HoldNotFound,
    NotOffered,
    PatientDetailsInvalid,
    SlotTaken,
)
from booking.forms import ANY_PROFESSIONAL, FROM_FIELD, HoldForm, PatientForm, ScheduleForm
from booking.limits import SESSION_HOLDS, hold_allowance_consume, live_holds
from booking.models import Booking, Hold
from booking.views.picker import strip_context
from booking.views.portal import just_booked_remember
from clinics.models import Clinic, Professional, Treatment
from clinics.pages import clinic_render
from clinics.selectors import clinic_context, professional_list, treatment_list
from nexioq.dynamo import iso_utc
from nexioq.errors import Invalid, SignInRequired
from nexioq.http import HtmxHttpRequest
from notifications.tasks import kicks_outbox
from scheduling.availability import Slot

log = logging.getLogger(__name__)


def _render(
    request: HtmxHttpRequest, clinic: Clinic, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    return clinic_render(request, clinic, template, context, status=status)


def _today(clinic: Clinic) -> dt.date:
    return timezone.now().astimezone(clinic.zone).date()


def _last_day(clinic: Clinic) -> dt.date:
    return _today(clinic) + dt.timedelta(days=int(clinic.max_advance_days))


@require_GET
def wizard_treatments(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    context, actor = clinic_access(request, clinic_slug, Action.BOOK_ONLINE)
    treatments = treatment_list(tenant_id=actor.tenant_id)
    return _render(request, context.clinic, "booking/wizard_treatments.html", {"treatments": treatments, "step": 1})


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

    The day strip and the day's times come from one availability read of the strip's week; without
    a ``date`` the page opens on the first day with a free time (README, "Step 2 of the wizard").
    ``day_slots``, the day's times already read by the caller (a refused hold), are shown as they
    are, with a strip of plain days: a refusal must stay cheap when many are refused at once.
    """
    today, last_day = _today(clinic), _last_day(clinic)
    now = timezone.now()
    strip: selectors.Strip | None = None
    day = today
    nothing_free = False
    professional_value = ANY_PROFESSIONAL
    chosen_ids: set[str] = set()
    if clinic.suspended:
        pass  # The page says online booking is paused (booking/_clinic_base.html): no times to read.
    elif form.is_valid():
        professional_value = form.cleaned_data["professional"]
        chosen = (
            professionals
            if professional_value == ANY_PROFESSIONAL
            else [p for p in professionals if p.professional_id == professional_value]
        )
        chosen_ids = {p.professional_id for p in chosen}
        if day_slots is not None:
            day = form.cleaned_data["date"]
        elif form.day_asked:
            day = form.cleaned_data["date"]
            strip = selectors.availability_strip(
                clinic=clinic, treatment=treatment, professionals=chosen, day=day, now=now
            )
        else:
            strip, found = selectors.first_free_strip(
                clinic=clinic,
                treatment=treatment,
                professionals=chosen,
                from_day=form.cleaned_data[FROM_FIELD],
                now=now,
            )
            nothing_free = found is None
            day = found or form.cleaned_data[FROM_FIELD]
    elif status == 200:
        status = 400
    slots = strip.slots_on(day, clinic.zone) if strip is not None else selectors.narrowed(day_slots or [], chosen_ids)
    context = {
        "step": 2,
        "treatment": treatment,
        "professionals": professionals,
        "form": form,
        **strip_context(strip=strip, day=day, today=today, last_day=last_day),
        "nothing_free": nothing_free,
        "professional_value": professional_value,
        "periods": _group_by_period(slots, clinic),
        "error": error,
        "alternatives": alternatives or [],
        "hold_minutes": settings.HOLD_MINUTES,
    }
    template = "booking/wizard_schedule.html"
    response: HttpResponse
    if request.htmx and request.htmx.target == "times":
        if clinic.suspended:
            # The times fragment has no room to say why: the browser reloads the whole page, which does.
            response = _render(request, clinic, template, context, status=status)
            response["HX-Refresh"] = "true"
            return response
        template += "#times"
    return _render(request, clinic, template, context, status=status)


def _schedule_form(data: Any, clinic: Clinic, professionals: list[Professional]) -> ScheduleForm:
    return ScheduleForm(
        data,
        today=_today(clinic),
        last_day=_last_day(clinic),
        professional_ids={p.professional_id for p in professionals},
    )


@require_GET
def wizard_schedule(request: HtmxHttpRequest, clinic_slug: str, treatment_id: str) -> HttpResponse:
    context, actor = clinic_access(request, clinic_slug, Action.BOOK_ONLINE, treatment_id=treatment_id)
    assert context.treatment is not None
    professionals = professional_list(tenant_id=actor.tenant_id, treatment_id=treatment_id)
    form = _schedule_form(request.GET, context.clinic, professionals)
    return _schedule_page(
        request, clinic=context.clinic, treatment=context.treatment, professionals=professionals, form=form
    )


def _step_two_after_refusal(
    request: HtmxHttpRequest,
    *,
    actor: Actor,
    treatment_id: str,
    start: dt.datetime | None,
    professional_id: str | None,
    error: str = "",
    status: int,
    form_errors: list[str] | None = None,
) -> HttpResponse:
    """Step 2 again, for the day of the refused time, saying why; on a conflict, with the nearest free times."""
    context = clinic_context(tenant_id=actor.tenant_id, treatment_id=treatment_id)
    clinic, treatment = context.clinic, context.treatment
    assert treatment is not None
    professionals = professional_list(tenant_id=actor.tenant_id, treatment_id=treatment_id)
    today, last_day = _today(clinic), _last_day(clinic)
    day = start.astimezone(clinic.zone).date() if start else today
    day = min(max(day, today), last_day)
    known = {p.professional_id for p in professionals}
    form = _schedule_form(
        {"professional": professional_id if professional_id in known else ANY_PROFESSIONAL, "date": day.isoformat()},
        clinic,
        professionals,
    )
    alternatives: list[tuple[Slot, Professional]] = []
    day_slots: list[Slot] | None = None
    if status == 409 and start is not None:
        # The day for every professional, one Query: the alternatives and the page's times both come
        # from it. Only the day: 200 patients refused at once each pay for this page (README, table 5).
        day_slots = selectors.availability(
            clinic=clinic,
            treatment=treatment,
            professionals=professionals,
            first_day=day,
            last_day=day,
            now=timezone.now(),
        )
        alternatives = selectors.alternatives(
            slots=day_slots, professionals=professionals, wanted_start=start, professional_id=professional_id
        )
    if form_errors:
        error = " ".join([error, *form_errors]).strip()
    return _schedule_page(
        request,
        clinic=clinic,
        treatment=treatment,
        professionals=professionals,
        form=form,
        status=status,
        error=error,
        alternatives=alternatives,
        day_slots=day_slots,
    )


@require_POST
def wizard_hold(request: HtmxHttpRequest, clinic_slug: str, treatment_id: str) -> HttpResponse:
    actor = actor_access(request, clinic_slug, Action.BOOK_ONLINE)
    form = HoldForm(request.POST)
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        return _step_two_after_refusal(
            request,
            actor=actor,
            treatment_id=treatment_id,
            start=None,
            professional_id=None,
            status=400,
            form_errors=errors,
        )
    start = form.cleaned_data["start"]
    chosen = form.cleaned_data["professional"]
    professional_id = None if chosen == ANY_PROFESSIONAL else chosen
    if actor.user is None:
        actor = Actor(tenant_id=actor.tenant_id, roles=actor.roles, browser_key=browser_key_ensure(request))
    hold_allowance_consume(request, actor)
    try:
        hold = services.hold_create(
            tenant_id=actor.tenant_id,
            treatment_id=treatment_id,
            professional_id=professional_id,
            start=start,
            actor=actor,
        )
    except NotOffered as exc:
        return _step_two_after_refusal(
            request,
            actor=actor,
            treatment_id=treatment_id,
            start=start,
            professional_id=professional_id,
            error=str(exc.message),
            status=400,
        )
    except SlotTaken:
        return _step_two_after_refusal(
            request,
            actor=actor,
            treatment_id=treatment_id,
            start=start,
            professional_id=professional_id,
            error=_("Sorry, someone has just taken that time. These are the nearest free times:"),
            status=409,
        )
    _remember_hold(request, actor, hold)
    return redirect("booking-details", clinic_slug=clinic_slug, hold_id=hold.hold_id)


def _remember_hold(request: HtmxHttpRequest, actor: Actor, hold: Hold) -> None:
    """One live hold per clinic and browser: the new one is kept, the previous time is given back."""
    holds = live_holds(request)
    for hold_id, entry in list(holds.items()):
        if entry["tenant"] == hold.tenant_id:
            try:
                services.hold_release(tenant_id=hold.tenant_id, hold_id=hold_id, actor=actor)
            except PynamoDBException:
                # The new time is held and answered; the old one expires in minutes by itself.
                log.warning("could not release hold %s; it will expire", hold_id, exc_info=True)
            del holds[hold_id]
    holds[hold.hold_id] = {"tenant": hold.tenant_id, "until": int(hold.locked_until)}
    request.session[SESSION_HOLDS] = holds


def _forget_hold(request: HtmxHttpRequest, hold_id: str) -> None:
    holds = live_holds(request)
    if holds.pop(hold_id, None) is not None:
        request.session[SESSION_HOLDS] = holds


def _done_if_booked(actor: Actor, clinic_slug: str, hold_id: str) -> HttpResponse | None:
    """A hold that became this visitor's booking (its id is the booking's) leads to the booking."""
    booking = selectors.booking_find(tenant_id=actor.tenant_id, booking_id=hold_id)
    if booking is not None and _visible_to(booking, actor):
        return redirect("booking-done", clinic_slug=clinic_slug, booking_id=booking.booking_id)
    return None


def _visible_to(booking: Booking, actor: Actor) -> bool:
    """The confirmation shows patient data: only to the patient, or to the browser that booked it."""
    if booking.patient_id and booking.patient_id == actor.user_id:
        return True
    return bool(booking.holder and actor.owns_hold(booking.holder))


@require_http_methods(["GET", "POST"])
@kicks_outbox
def wizard_details(request: HtmxHttpRequest, clinic_slug: str, hold_id: str) -> HttpResponse:
    actor = actor_access(request, clinic_slug, Action.BOOK_ONLINE)
    if request.method == "POST":
        if actor.user is None:
            # The patient signs in (or up) first, then comes back; the hold stays theirs (browser key).
            raise SignInRequired()
        return _confirm(request, actor, clinic_slug, hold_id)
    hold = _my_hold(actor, clinic_slug, hold_id)
    if isinstance(hold, HttpResponse):
        return hold
    return _details_page(request, actor, hold, PatientForm(initial=_initial(actor)))


def _my_hold(actor: Actor, clinic_slug: str, hold_id: str) -> Hold | HttpResponse:
    """The visitor's own live hold; the booking it already became (a redirect); or not found."""
    try:
        hold = selectors.hold_get(tenant_id=actor.tenant_id, hold_id=hold_id)
    except HoldNotFound:
        done = _done_if_booked(actor, clinic_slug, hold_id)
        if done is not None:
            return done
        raise
    if not hold.holder or not actor.owns_hold(hold.holder):
        raise HoldNotFound(detail=f"hold {hold_id} is someone else's")
    return hold


def _initial(actor: Actor) -> dict[str, str]:
    return {"name": actor.user.full_name, "phone": actor.user.phone} if actor.user else {}


def _details_page(
    request: HtmxHttpRequest, actor: Actor, hold: Hold, form: PatientForm, *, status: int = 200
) -> HttpResponse:
    context = clinic_context(
        tenant_id=actor.tenant_id, treatment_id=hold.treatment_id, professional_id=hold.professional_id
    )
    clinic, treatment, professional = context.clinic, context.treatment, context.professional
    assert treatment is not None and professional is not None
    locked_until = dt.datetime.fromtimestamp(int(hold.locked_until), tz=dt.UTC)
    page = {
        "step": 3,
        "hold": hold,
        "treatment": treatment,
        "professional": professional,
        "form": form,
        "locked_until": locked_until,
        "hold_expired": locked_until <= timezone.now(),
        "next_url": request.get_full_path(),
        "change_url": reverse("booking-schedule", args=[clinic.slug, treatment.treatment_id])
        + f"?professional={professional.professional_id}&date={hold.start.astimezone(clinic.zone).date():%Y-%m-%d}",
    }
    return _render(request, clinic, "booking/wizard_details.html", page, status=status)


def _confirm(request: HtmxHttpRequest, actor: Actor, clinic_slug: str, hold_id: str) -> HttpResponse:
    form = PatientForm(request.POST)
    if form.is_valid():
        patient = services.PatientDetails(name=form.cleaned_data["name"], email="", phone=form.cleaned_data["phone"])
        try:
            booking = services.booking_confirm(tenant_id=actor.tenant_id, hold_id=hold_id, actor=actor, patient=patient)
        except PatientDetailsInvalid as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        except (SlotTaken, HoldExpired) as exc:
            hold = _hold_or_none(actor, hold_id)
            _forget_hold(request, hold_id)
            message = str(exc.message) if isinstance(exc, HoldExpired) else ""
            return _step_two_after_refusal(
                request,
                actor=actor,
                treatment_id=hold.treatment_id if hold else "",
                start=hold.start if hold else None,
                professional_id=hold.professional_id if hold else None,
                error=message or _("Sorry, someone has just taken that time. These are the nearest free times:"),
                status=409,
            )
        else:
            _forget_hold(request, hold_id)
            return just_booked_remember(
                redirect("booking-done", clinic_slug=clinic_slug, booking_id=booking.booking_id), booking.booking_id
            )
    mine = _my_hold(actor, clinic_slug, hold_id)
    if isinstance(mine, HttpResponse):
        return mine
    return _details_page(request, actor, mine, form, status=400)


def _hold_or_none(actor: Actor, hold_id: str) -> Hold | None:
    try:
        return selectors.hold_get(tenant_id=actor.tenant_id, hold_id=hold_id)
    except HoldNotFound:
        return None


def _week_request(request: HtmxHttpRequest, clinic: Clinic) -> tuple[dt.date, int]:
    """``start`` (YYYY-MM-DD, default today) and ``days`` (1-7) of an availability request."""
    today = _today(clinic)
    try:
        first_day = dt.date.fromisoformat(request.GET.get("start") or today.isoformat())
        days = int(request.GET.get("days") or 7)
    except ValueError as exc:
        raise Invalid(_("Enter a valid date (YYYY-MM-DD) and a number of days.")) from exc
    if not 1 <= days <= 7:
        raise Invalid(_("Ask for 1 to 7 days."))
    if first_day < today:
        raise Invalid(_("That date has already passed. Choose today or a later day."))
    if first_day > _last_day(clinic):
        raise Invalid(
            _("Bookings open up to %(date)s. Choose an earlier day.") % {"date": _last_day(clinic).strftime("%d/%m/%Y")}
        )
    return first_day, days


@require_GET
def availability_week(request: HtmxHttpRequest, clinic_slug: str, treatment_id: str) -> HttpResponse:
    """Bookable starts of one professional (or any) for up to a week, as JSON.

    For the front end and integrations. One professional costs one BatchGetItem (clinic,
    treatment, professional) and one Query of that professional's cells; the benchmark
    reports the count from X-Dynamo-Requests. A suspended clinic answers 409 with
    ``{"error": ..., "title": ...}`` (``ClinicSuspended``) and reads no times.
    """
    professional_id = request.GET.get("professional") or None
    if professional_id == ANY_PROFESSIONAL:
        professional_id = None
    context, actor = clinic_access(
        request, clinic_slug, Action.BOOK_ONLINE, treatment_id=treatment_id, professional_id=professional_id
    )
    clinic, treatment = context.clinic, context.treatment
    assert treatment is not None
    if clinic.suspended:
        # The same refusal a hold gets there (409, through the error layer): no list of times to pick from.
        raise ClinicSuspended(phone=clinic.phone)
    first_day, days = _week_request(request, clinic)
    if context.professional is not None:
        professionals = [context.professional]
    else:
        professionals = professional_list(tenant_id=actor.tenant_id, treatment_id=treatment_id)
    slots = selectors.availability(
        clinic=clinic,
        treatment=treatment,
        professionals=professionals,
        first_day=first_day,
        last_day=first_day + dt.timedelta(days=days - 1),
        now=timezone.now(),
    )
    zone = clinic.zone
    return JsonResponse(
        {
            "clinic": clinic.slug,
            "time_zone": clinic.time_zone,
            "treatment": treatment.treatment_id,
            "slots": [
                {
                    "start": iso_utc(slot.start),
                    "local_start": slot.start.astimezone(zone).isoformat(),
                    "end": iso_utc(slot.end),
                    "professionals": list(slot.professional_ids),
                }
                for slot in slots
            ],
        }
    )
