"""Reception's patient directory and booking a phone patient in the wizard's own time picker.

The directory (``Action.FIND_PATIENTS``: Admin and Reception; a Dentist has none) finds a patient
by the start of a name, e-mail or phone with one Query, or makes one on the spot. Booking
(``Action.MANAGE_BOOKINGS``) shows the wizard's picker with the staff's rules (no minimum notice, a
far horizon) and books through ``booking.services.booking_create``, the same engine and invariant
as online: a time taken meanwhile answers 409 with the picker, the reason and the nearest free times.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.permissions import Action, Actor, clinic_access
from booking import selectors
from booking.errors import NotOffered, PatientDetailsInvalid, SlotTaken
from booking.forms import ANY_PROFESSIONAL, FROM_FIELD, HoldForm, ScheduleForm
from booking.models import ClinicPatient
from booking.patient_selectors import patient_record_get, patient_search
from booking.patients import patient_record_create
from booking.views.picker import strip_context
from clinics.models import Clinic, Professional, Treatment
from clinics.selectors import professional_list, treatment_list
from nexioq.errors import NotFound
from nexioq.http import HtmxHttpRequest
from notifications.tasks import kicks_outbox
from office.forms_patients import THEN_WALK_IN, BookingKeyForm, NewPatientForm, PatientSearchForm
from office.nav import render_office
from office.views.desk import (
    CHANNEL_PHONE,
    RESULTS_TARGET,
    book_first_free,
    booking_url,
    new_patient_form,
    staff_last_day,
    today_of,
)
from office.views.reception import walk_in_page
from scheduling.availability import Slot


def group_by_period(slots: list[Slot], clinic: Clinic) -> list[tuple[str, list[Slot]]]:
    periods: dict[str, list[Slot]] = defaultdict(list)
    for slot in slots:
        hour = slot.start.astimezone(clinic.zone).hour
        label = _("In the morning") if hour < 12 else _("In the afternoon") if hour < 18 else _("In the evening")
        periods[label].append(slot)
    return list(periods.items())


# ---------------------------------------------------------------- the directory


@require_GET
def patients(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    context, actor = clinic_access(request, clinic_slug, Action.FIND_PATIENTS)
    clinic = context.clinic
    search = PatientSearchForm(request.GET)
    query = search.query()
    page = {
        "search": search,
        "query": query,
        "results": patient_search(tenant_id=clinic.tenant_id, query=query) if query else [],
        "form": new_patient_form(),
        "search_url": reverse("office-patients", args=[clinic.slug]),
    }
    template = "office/patients.html"
    if request.htmx and request.htmx.target == RESULTS_TARGET:
        template += "#results"
    return render_office(request, clinic, actor, template, page, status=200 if search.is_valid() else 400)


@require_POST
def patient_new(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    """Make a patient at the desk, then book them (or see them now, for a walk-in).

    A phone or e-mail already on a record is a warning with that record offered, not a refusal:
    "Create anyway" sends the form again with ``confirm``.
    """
    context, actor = clinic_access(request, clinic_slug, Action.FIND_PATIENTS)
    clinic = context.clinic
    form = NewPatientForm(request.POST)
    similar: list[Any] = []
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = patient_record_create(
                tenant_id=clinic.tenant_id,
                name=data["name"],
                phone=data["phone"],
                email=data["email"],
                actor=actor,
                record_id=data["record_id"],
                if_no_similar=not data["confirm"],
            )
        except PatientDetailsInvalid as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            if created.record is not None:
                record = created.record
                messages.success(request, _("Patient “%(name)s” saved.") % {"name": record.name})
                if data["then"] == THEN_WALK_IN:
                    return redirect(reverse("office-walk-in", args=[clinic.slug]) + f"?record={record.record_id}")
                return redirect("office-patient-book", clinic_slug=clinic.slug, record_id=record.record_id)
            similar = created.similar
    then = str(form.data.get("then", "")) if form.data.get("then") == THEN_WALK_IN else ""
    page = {"form": form, "similar": similar, "search_url": reverse("office-patients", args=[clinic.slug])}
    status = 200 if similar else 400
    if then == THEN_WALK_IN:
        return walk_in_page(request, clinic, actor, form=form, similar=similar, status=status)
    page.update({"search": PatientSearchForm(), "query": "", "results": []})
    return render_office(request, clinic, actor, "office/patients.html", page, status=status)


# ---------------------------------------------------------------- booking a phone patient


def _record(actor: Actor, record_id: str) -> ClinicPatient:
    return patient_record_get(tenant_id=actor.tenant_id, record_id=record_id)


def _mine(actor: Actor, professionals: list[Professional]) -> list[Professional]:
    """The professionals whose agenda the actor books: all for reception, their own for a dentist."""
    return [p for p in professionals if actor.manages_professional(p.professional_id)]


@require_GET
def patient_book(request: HtmxHttpRequest, clinic_slug: str, record_id: str) -> HttpResponse:
    """Step 1 of booking a patient: the treatment."""
    context, actor = clinic_access(request, clinic_slug, Action.MANAGE_BOOKINGS)
    clinic = context.clinic
    record = _record(actor, record_id)
    professionals = _mine(actor, professional_list(tenant_id=clinic.tenant_id))
    treatments = [
        t
        for t in treatment_list(tenant_id=clinic.tenant_id)
        if any(t.treatment_id in p.treatment_ids for p in professionals)
    ]
    page = {"record": record, "treatments": treatments}
    return render_office(request, clinic, actor, "office/patient_book.html", page)


def _schedule_form(data: Any, clinic: Clinic, professionals: list[Professional]) -> ScheduleForm:
    return ScheduleForm(
        data,
        today=today_of(clinic),
        last_day=staff_last_day(clinic),
        professional_ids={p.professional_id for p in professionals},
    )


@dataclass(frozen=True)
class Desk:
    """What a booking page of one record and treatment works with."""

    clinic: Clinic
    actor: Actor
    record: ClinicPatient
    treatment: Treatment
    professionals: list[Professional]  # those the actor books: all, or a dentist's own


def _picker_page(
    request: HtmxHttpRequest,
    desk: Desk,
    *,
    form: ScheduleForm,
    status: int = 200,
    error: str = "",
    alternatives: list[tuple[Slot, Professional]] | None = None,
    day_slots: list[Slot] | None = None,
) -> HttpResponse:
    """The wizard's picker (booking/wizard_schedule.html's partials) with the staff's rules.

    Its times post here with the page's booking id in the query: a double click books once.
    """
    clinic, actor, record, treatment, professionals = (
        desk.clinic, desk.actor, desk.record, desk.treatment, desk.professionals
    )  # fmt: skip
    today, last_day = today_of(clinic), staff_last_day(clinic)
    now = timezone.now()
    strip: selectors.Strip | None = None
    day, professional_value, nothing_free = today, ANY_PROFESSIONAL, False
    chosen_ids: set[str] = set()
    if form.is_valid():
        professional_value = form.cleaned_data["professional"]
        chosen = [p for p in professionals if professional_value in (ANY_PROFESSIONAL, p.professional_id)]
        chosen_ids = {p.professional_id for p in chosen}
        if day_slots is not None or form.day_asked:
            day = form.cleaned_data["date"]
        if day_slots is not None:
            pass  # the day already read by the caller (after a conflict), shown as it is
        elif form.day_asked:
            strip = selectors.availability_strip(
                clinic=clinic, treatment=treatment, professionals=chosen, day=day, now=now, staff=True
            )
        else:
            strip, found = selectors.first_free_strip(
                clinic=clinic,
                treatment=treatment,
                professionals=chosen,
                from_day=form.cleaned_data[FROM_FIELD],
                now=now,
                staff=True,
            )
            nothing_free = found is None
            day = found or form.cleaned_data[FROM_FIELD]
    elif status == 200:
        status = 400
    slots = strip.slots_on(day, clinic.zone) if strip is not None else selectors.narrowed(day_slots or [], chosen_ids)
    pick_url = reverse("office-patient-book-time", args=[clinic.slug, record.record_id, treatment.treatment_id])
    page = {
        "record": record,
        "treatment": treatment,
        "professionals": professionals,
        "form": form,
        **strip_context(strip=strip, day=day, today=today, last_day=last_day),
        "nothing_free": nothing_free,
        "professional_value": professional_value,
        "periods": group_by_period(slots, clinic),
        "error": error,
        "alternatives": alternatives or [],
        # A new id for every page shown: its times book once however often they are clicked.
        "pick_url": f"{pick_url}?booking={uuid.uuid4().hex}",
        "pick_note": _(
            "Times in the clinic's time zone (%(tz)s). The appointment is booked as soon as you pick a time."
        )
        % {"tz": clinic.time_zone},
    }
    template = "office/patient_book_time.html"
    if request.htmx and request.htmx.target == "times":
        template = "booking/wizard_schedule.html#times"
    return render_office(request, clinic, actor, template, page, status=status)


@require_http_methods(["GET", "POST"])
@kicks_outbox
def patient_book_time(request: HtmxHttpRequest, clinic_slug: str, record_id: str, treatment_id: str) -> HttpResponse:
    """Step 2: professional (or any) and time, in the wizard's picker; a picked time is booked at once."""
    context, actor = clinic_access(request, clinic_slug, Action.MANAGE_BOOKINGS, treatment_id=treatment_id)
    clinic, treatment = context.clinic, context.treatment
    assert treatment is not None
    record = _record(actor, record_id)
    professionals = _mine(actor, professional_list(tenant_id=clinic.tenant_id, treatment_id=treatment_id))
    desk = Desk(clinic=clinic, actor=actor, record=record, treatment=treatment, professionals=professionals)
    if request.method == "GET":
        form = _schedule_form(request.GET, clinic, professionals)
        return _picker_page(request, desk, form=form)
    # The picker's forms carry it in their action's query; a client may post it as a field.
    key = BookingKeyForm({"booking": request.GET.get("booking") or request.POST.get("booking")})
    pick = HoldForm(request.POST)
    if not key.is_valid() or not pick.is_valid():
        errors = " ".join(str(e) for f in (key, pick) for errs in f.errors.values() for e in errs)
        form = _schedule_form({"professional": ANY_PROFESSIONAL}, clinic, professionals)
        return _picker_page(request, desk, form=form, status=400, error=errors)
    start: dt.datetime = pick.cleaned_data["start"]
    chosen = pick.cleaned_data["professional"]
    known = {p.professional_id: p for p in professionals}
    if chosen != ANY_PROFESSIONAL and chosen not in known:
        form = _schedule_form({"professional": ANY_PROFESSIONAL}, clinic, professionals)
        return _picker_page(request, desk, form=form, status=400, error=_("Choose a professional from the list."))
    candidates = [known[chosen]] if chosen in known else _free_at(clinic, treatment, professionals, start)
    try:
        booking = book_first_free(
            actor=actor,
            record=record,
            treatment_id=treatment.treatment_id,
            candidates=candidates or professionals[:1],
            start=start,
            booking_id=key.cleaned_data["booking"],
            channel=CHANNEL_PHONE,
        )
    except (NotOffered, SlotTaken) as exc:
        return _after_refusal(request, desk, exc=exc, start=start, chosen=chosen)
    if booking.patient_record_id != record.record_id or booking.start != start:
        # This page's id booked already (the browser's back button): that booking is the answer.
        messages.info(request, _("This page had already booked an appointment: here it is."))
        return redirect(booking_url(clinic, booking))
    with timezone.override(clinic.zone):
        when = f"{timezone.localtime(booking.start):%d/%m/%Y %H:%M}"
    messages.success(
        request,
        _("Booked: %(name)s, %(treatment)s with %(professional)s, %(when)s.")
        % {
            "name": record.name,
            "treatment": booking.treatment_name,
            "professional": booking.professional_name,
            "when": when,
        },
    )
    return redirect(booking_url(clinic, booking))


def _free_at(
    clinic: Clinic, treatment: Treatment, professionals: list[Professional], start: dt.datetime
) -> list[Professional]:
    """For "any": the professionals free at ``start`` a moment ago, in the list's order (one Query)."""
    if not professionals:
        return []
    try:
        day = start.astimezone(clinic.zone).date()
    except OverflowError:
        return []
    slots = selectors.availability(
        clinic=clinic, treatment=treatment, professionals=professionals, first_day=day, last_day=day,
        now=timezone.now(), staff=True,
    )  # fmt: skip
    free = next((set(s.professional_ids) for s in slots if s.start == start), set())
    return [p for p in professionals if p.professional_id in free]


def _after_refusal(
    request: HtmxHttpRequest, desk: Desk, *, exc: NotOffered | SlotTaken, start: dt.datetime, chosen: str
) -> HttpResponse:
    """The picker again on the refused day, in place: why, and after a conflict the nearest free times."""
    clinic, treatment, professionals = desk.clinic, desk.treatment, desk.professionals
    today, last_day = today_of(clinic), staff_last_day(clinic)
    try:
        day = min(max(start.astimezone(clinic.zone).date(), today), last_day)
    except OverflowError:
        day = today
    form = _schedule_form({"professional": chosen, "date": day.isoformat()}, clinic, professionals)
    if isinstance(exc, NotOffered):
        return _picker_page(request, desk, form=form, status=400, error=str(exc.message))
    day_slots = selectors.availability(
        clinic=clinic, treatment=treatment, professionals=professionals, first_day=day, last_day=day,
        now=timezone.now(), staff=True,
    )  # fmt: skip
    alternatives = selectors.alternatives(
        slots=day_slots,
        professionals=professionals,
        wanted_start=start,
        professional_id=None if chosen == ANY_PROFESSIONAL else chosen,
    )
    return _picker_page(
        request,
        desk,
        form=form,
        status=409,
        error=_("Sorry, someone has just taken that time. These are the nearest free times:")
        if alternatives
        else _("Sorry, someone has just taken that time, and nothing else is free that day. Try another day."),
        alternatives=alternatives,
        day_slots=day_slots,
    )


@require_GET
def patient_booked(request: HtmxHttpRequest, clinic_slug: str, record_id: str, booking_id: str) -> HttpResponse:
    """A booking made at the desk, when the agenda has no page of its own for it."""
    context, actor = clinic_access(request, clinic_slug, Action.MANAGE_BOOKINGS)
    clinic = context.clinic
    record = _record(actor, record_id)
    booking = selectors.booking_get(tenant_id=clinic.tenant_id, booking_id=booking_id)
    if booking.patient_record_id != record.record_id or not actor.manages_professional(booking.professional_id):
        raise NotFound(detail=f"booking {booking_id} of record {record_id}")
    page = {"record": record, "booking": booking}
    return render_office(request, clinic, actor, "office/patient_booked.html", page)
