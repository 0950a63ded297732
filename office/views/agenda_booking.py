"""A booking's details for the clinic's staff, and what they do from there.

One page (``office/booking.html``), also the fragment the calendar and the day view load into
``#agenda-panel``. Each action posts to its own view, calls the booking engine's service as the
signed-in staff member and answers the refreshed fragment with ``HX-Trigger: agenda-changed`` (htmx),
or a redirect back to the page (no JavaScript). A refusal the person can act on (a time taken
meanwhile, a note saved by someone else, attendance marked too early) is shown in place with its
status; every other domain error goes to the one error layer (``nexioq.middleware``).

Whole-clinic staff (Admin, Reception, Owner) open every booking; a Dentist only their own
professional's (403 for another's, like ``booking.services``); other clinics' staff get 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from access.permissions import Action, Actor, actor_access
from accounts.models import User
from booking import selectors, services
from booking.errors import AttendanceTooEarly, BookingChangedMeanwhile, NotOffered, SlotTaken
from booking.models import Booking, BookingStatus
from clinics.models import Clinic, Professional
from clinics.selectors import clinic_context, professional_list
from nexioq.errors import Forbidden, NotFound
from nexioq.http import HtmxHttpRequest
from notifications.tasks import kicks_outbox
from office.forms_booking import CancelForm, MarkForm, NoteForm, RescheduleForm
from office.nav import render_office
from scheduling.availability import Slot

TEMPLATE = "office/booking.html"
AGENDA_CHANGED = "agenda-changed"

ACTIONS = {
    "created": gettext_lazy("Booked"),
    "rescheduled": gettext_lazy("Moved"),
    "cancelled": gettext_lazy("Cancelled"),
    BookingStatus.ATTENDED: gettext_lazy("Marked attended"),
    BookingStatus.NO_SHOW: gettext_lazy("Marked no-show"),
}
ROLES = {
    "patient": gettext_lazy("the patient"),
    "clinic": gettext_lazy("the clinic"),
    "system": gettext_lazy("the system"),
}
CHANNELS = {
    "online": gettext_lazy("Online"),
    "phone": gettext_lazy("Phone"),
    "walk_in": gettext_lazy("Walk-in"),
    "staff": gettext_lazy("Clinic staff"),
}


# ---------------------------------------------------------------- reading


def _booking_for(actor: Actor, booking_id: str) -> tuple[Clinic, Booking]:
    """The booking and its clinic in one read; another professional's booking is refused for a Dentist (403)."""
    # Strongly consistent: the page right after a change (and the note's version) must be the new one.
    clinic, booking = selectors.booking_with_clinic(tenant_id=actor.tenant_id, booking_id=booking_id, consistent=True)
    if not actor.manages_professional(booking.professional_id):
        raise Forbidden(detail="another professional's booking")
    return clinic, booking


def _today(clinic: Clinic) -> dt.date:
    return timezone.now().astimezone(clinic.zone).date()


def history_rows(booking: Booking, zone: Any) -> list[dict[str, Any]]:
    """The booking's history, newest first, with who did it: every user id resolved in ONE SQL query."""
    entries = list(booking.history or [])
    ids = set()
    for entry in entries:
        try:
            ids.add(uuid.UUID(str(entry.by)))
        except ValueError:
            continue  # "patient", "system", or no one recorded
    users = {str(u["pk"]): u for u in User.objects.filter(pk__in=ids).values("pk", "full_name", "email")} if ids else {}
    rows = []
    for entry in reversed(entries):
        user = users.get(str(entry.by))
        if user is not None:
            who = user["full_name"] or user["email"]
            detail = user["email"] if user["full_name"] else ""
        else:
            who, detail = str(ROLES.get(entry.by_role or entry.by, entry.by_role or _("unknown"))), ""
        note = entry.note or ""
        if entry.action == "rescheduled" and note.startswith("from "):
            note = _("from %(time)s") % {"time": note.removeprefix("from ")}
        rows.append(
            {
                "action": ACTIONS.get(entry.action, entry.action),
                "code": entry.action,
                "at": entry.at.astimezone(zone),
                "who": who,
                "who_detail": detail,
                "note": note,
            }
        )
    return rows


def _movable_to(actor: Actor, booking: Booking, professionals: list[Professional]) -> list[tuple[str, str]]:
    """Professionals the booking may move to: who performs its treatment, within the actor's agenda."""
    choices = [
        (p.professional_id, p.name)
        for p in professionals
        if actor.manages_professional(p.professional_id)
        and (p.performs(booking.treatment_id) or p.professional_id == booking.professional_id)
    ]
    if booking.professional_id not in {pid for pid, _name in choices}:
        choices.insert(0, (booking.professional_id, booking.professional_name))
    return choices


def _reschedule_form(
    actor: Actor, clinic: Clinic, booking: Booking, professionals: list[Professional], data: Any = None
) -> RescheduleForm:
    local = booking.start.astimezone(clinic.zone)
    return RescheduleForm(
        data,
        initial={"date": local.date(), "time": local.time(), "professional": booking.professional_id},
        today=_today(clinic),
        zone=clinic.zone,
        professionals=_movable_to(actor, booking, professionals),
        grid_minutes=int(clinic.grid_minutes),
    )


def _panel(
    request: HtmxHttpRequest,
    actor: Actor,
    clinic: Clinic,
    booking: Booking,
    *,
    status: int = 200,
    changed: bool = False,
    professionals: list[Professional] | None = None,
    **context: Any,
) -> HttpResponse:
    """The details (a page, or with htmx the ``panel`` fragment), with whatever forms the actor may use."""
    if professionals is None:
        professionals = professional_list(tenant_id=actor.tenant_id)
    manages = actor.manages_professional(booking.professional_id)
    may_manage = manages and actor.allows(Action.MANAGE_BOOKINGS)
    may_mark = manages and actor.allows(Action.MARK_ATTENDANCE)
    day_has_come = booking.start.astimezone(clinic.zone).date() <= _today(clinic)
    confirmed = booking.status == BookingStatus.CONFIRMED
    page = {
        "booking": booking,
        "local_day": booking.start.astimezone(clinic.zone).date(),
        "duration": int((booking.end - booking.start).total_seconds() // 60),
        "channel": CHANNELS.get(booking.channel or "", booking.channel or ""),
        "history": history_rows(booking, clinic.zone),
        "may_manage": may_manage,
        "may_cancel": may_manage and confirmed,
        "may_reschedule": may_manage and confirmed,
        "may_mark": may_mark and booking.status in (BookingStatus.CONFIRMED, *BookingStatus.OUTCOMES),
        "day_has_come": day_has_come,
        "cancel_form": context.pop("cancel_form", None) or CancelForm(),
        "note_form": context.pop("note_form", None)
        or NoteForm(initial={"note": booking.internal_note or "", "version": booking.version}),
        "reschedule_form": context.pop("reschedule_form", None)
        or _reschedule_form(actor, clinic, booking, professionals),
        **context,
    }
    page["in_panel"] = bool(request.htmx) and urlsplit(request.htmx.current_url or "").path != reverse(
        "office-booking", args=[clinic.slug, booking.booking_id]
    )
    template = f"{TEMPLATE}#panel" if request.htmx else TEMPLATE
    return render_office(
        request,
        clinic,
        actor,
        template,
        page,
        status=status,
        headers={"HX-Trigger": AGENDA_CHANGED} if changed else None,
    )


@require_GET
def booking_detail(request: HtmxHttpRequest, clinic_slug: str, booking_id: str) -> HttpResponse:
    actor = actor_access(request, clinic_slug, Action.VIEW_AGENDA)
    clinic, booking = _booking_for(actor, booking_id)
    return _panel(request, actor, clinic, booking)


# ---------------------------------------------------------------- actions


def _done(request: HtmxHttpRequest, actor: Actor, clinic: Clinic, booking: Booking, message: str) -> HttpResponse:
    """After a change: the fresh fragment for htmx (and the calendar told), else back to the page."""
    messages.success(request, message)
    if request.htmx:
        return _panel(request, actor, clinic, booking, changed=True)
    return redirect("office-booking", clinic_slug=clinic.slug, booking_id=booking.booking_id)


@require_POST
@kicks_outbox
def booking_cancel(request: HtmxHttpRequest, clinic_slug: str, booking_id: str) -> HttpResponse:
    actor = actor_access(request, clinic_slug, Action.MANAGE_BOOKINGS)
    clinic, booking = _booking_for(actor, booking_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _panel(request, actor, clinic, booking, status=400, cancel_form=form, open="cancel")
    cancelled = services.booking_cancel(
        tenant_id=actor.tenant_id, booking_id=booking.booking_id, actor=actor, reason=form.cleaned_data["reason"]
    )
    return _done(request, actor, clinic, cancelled, _("The appointment is cancelled. Its time is free again."))


@require_POST
def booking_mark(request: HtmxHttpRequest, clinic_slug: str, booking_id: str) -> HttpResponse:
    actor = actor_access(request, clinic_slug, Action.MARK_ATTENDANCE)
    clinic, booking = _booking_for(actor, booking_id)
    form = MarkForm(request.POST)
    if not form.is_valid():
        return _panel(request, actor, clinic, booking, status=400, error=_("Choose attended or no-show."))
    outcome = form.cleaned_data["outcome"]
    try:
        marked = services.booking_mark(
            tenant_id=actor.tenant_id, booking_id=booking.booking_id, outcome=outcome, actor=actor
        )
    except AttendanceTooEarly as exc:
        when = booking.start.astimezone(clinic.zone).strftime("%d/%m/%Y")
        error = _("%(reason)s This one is on %(day)s.") % {"reason": exc.message, "day": when}
        return _panel(request, actor, clinic, booking, status=exc.status, error=error)
    except BookingChangedMeanwhile as exc:
        fresh = selectors.booking_get(tenant_id=actor.tenant_id, booking_id=booking.booking_id)
        return _panel(request, actor, clinic, fresh, status=exc.status, error=str(exc.message))
    message = _("Marked attended.") if outcome == BookingStatus.ATTENDED else _("Marked as a no-show.")
    return _done(request, actor, clinic, marked, message)


@require_POST
def booking_note(request: HtmxHttpRequest, clinic_slug: str, booking_id: str) -> HttpResponse:
    actor = actor_access(request, clinic_slug, Action.MANAGE_BOOKINGS)
    clinic, booking = _booking_for(actor, booking_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _panel(request, actor, clinic, booking, status=400, note_form=form, open="note")
    try:
        saved = services.booking_note_set(
            tenant_id=actor.tenant_id,
            booking_id=booking.booking_id,
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
            actor=actor,
        )
    except BookingChangedMeanwhile as exc:
        # Show the note as it is now, with the version to save over; what was typed is kept beside it.
        fresh = selectors.booking_get(tenant_id=actor.tenant_id, booking_id=booking.booking_id)
        stale = NoteForm(initial={"note": fresh.internal_note or "", "version": fresh.version})
        return _panel(
            request,
            actor,
            clinic,
            fresh,
            status=exc.status,
            note_form=stale,
            note_stale=True,
            note_typed=form.cleaned_data["note"],
            open="note",
        )
    return _done(request, actor, clinic, saved, _("Internal note saved."))


@require_POST
@kicks_outbox
def booking_reschedule(request: HtmxHttpRequest, clinic_slug: str, booking_id: str) -> HttpResponse:
    """Move to a date, time (the clinic's wall clock) and professional; the booking keeps its time on a refusal."""
    actor = actor_access(request, clinic_slug, Action.MANAGE_BOOKINGS)
    clinic, booking = _booking_for(actor, booking_id)
    professionals = professional_list(tenant_id=actor.tenant_id)
    form = _reschedule_form(actor, clinic, booking, professionals, request.POST)
    if not form.is_valid():
        return _panel(
            request, actor, clinic, booking, status=400, professionals=professionals, reschedule_form=form, open="move"
        )
    professional_id = form.cleaned_data["professional"]
    try:
        moved = services.booking_reschedule(
            tenant_id=actor.tenant_id,
            booking_id=booking.booking_id,
            new_start=form.start,
            professional_id=professional_id,
            actor=actor,
        )
    except NotOffered as exc:
        return _panel(
            request,
            actor,
            clinic,
            booking,
            status=exc.status,
            professionals=professionals,
            reschedule_form=form,
            move_error=str(exc.message),
            open="move",
        )
    except SlotTaken as exc:
        return _panel(
            request,
            actor,
            clinic,
            booking,
            status=exc.status,
            professionals=professionals,
            reschedule_form=form,
            move_error=_("That time is taken. The appointment keeps its time. The nearest free times:"),
            alternatives=_alternatives(actor, clinic, booking, professionals, form.start, professional_id),
            open="move",
        )
    with timezone.override(clinic.zone):
        when = timezone.localtime(moved.start).strftime("%d/%m/%Y %H:%M")
    return _done(
        request,
        actor,
        clinic,
        moved,
        _("Moved to %(when)s with %(professional)s.") % {"when": when, "professional": moved.professional_name},
    )


def _alternatives(
    actor: Actor,
    clinic: Clinic,
    booking: Booking,
    professionals: list[Professional],
    wanted: dt.datetime,
    professional_id: str,
) -> list[tuple[Slot, Professional]]:
    """The nearest free times that day for the booking's treatment, within the actor's agenda."""
    try:
        treatment = clinic_context(tenant_id=actor.tenant_id, treatment_id=booking.treatment_id).treatment
    except NotFound:
        return []  # the treatment is no longer offered: nothing to suggest
    assert treatment is not None
    mine = [p for p in professionals if actor.manages_professional(p.professional_id)]
    day = wanted.astimezone(clinic.zone).date()
    slots = selectors.availability(
        clinic=clinic,
        treatment=treatment,
        professionals=mine,
        first_day=day,
        last_day=day,
        now=timezone.now(),
        moving=booking,
    )
    return selectors.alternatives(slots=slots, professionals=mine, wanted_start=wanted, professional_id=professional_id)
