"""Walk-in: a patient at the desk, seen now by the first free professional.

"Now" is the first bookable start from this moment (the clinic's grid rounds it up) when it is
within one grid step; it goes to the first professional free then, in the clinic's order. When
nobody is free now, the page offers the day's next free times instead. Booking goes through
``booking.services.booking_create`` (channel "walk_in"), like every booking of the clinic.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from access.permissions import Action, Actor, clinic_access
from booking import selectors
from booking.errors import NotOffered, SlotTaken
from booking.models import ClinicPatient
from booking.patient_selectors import patient_record_find, patient_search
from clinics.models import Clinic, Professional, Treatment
from clinics.selectors import professional_list, treatment_list
from nexioq.errors import Invalid
from nexioq.http import HtmxHttpRequest
from notifications.tasks import kicks_outbox
from office.forms_patients import THEN_WALK_IN, NewPatientForm, PatientSearchForm, WalkInForm
from office.nav import render_office
from office.views.desk import (
    RESULTS_TARGET,
    book_first_free,
    booking_url,
    new_patient_form,
    today_of,
)
from scheduling.availability import Slot

CHANNEL_WALK_IN = "walk_in"
# The day's next free times offered when nobody is free now.
NEXT_TIMES = 8


@dataclass(frozen=True)
class Today:
    """The treatment's free times for the rest of today: now (if anyone is free), and the next ones."""

    now: tuple[Slot, Professional] | None
    next: list[tuple[Slot, Professional]]


def _today(clinic: Clinic, treatment: Treatment, professionals: list[Professional]) -> Today:
    """One availability read of today, with the staff's rules (no minimum notice)."""
    now = timezone.now()
    day = today_of(clinic)
    slots = selectors.availability(
        clinic=clinic,
        treatment=treatment,
        professionals=professionals,
        first_day=day,
        last_day=day,
        now=now,
        staff=True,
    )
    by_id = {p.professional_id: p for p in professionals}
    pairs = [
        (slot, by_id[pid])
        for slot in slots
        if (pid := next((p for p in slot.professional_ids if p in by_id), None)) is not None
    ]
    grid = dt.timedelta(minutes=int(clinic.grid_minutes))
    if pairs and pairs[0][0].start < now + grid:
        return Today(now=pairs[0], next=pairs[1 : NEXT_TIMES + 1])
    return Today(now=None, next=pairs[:NEXT_TIMES])


def _professionals(actor: Actor, clinic: Clinic, treatment_id: str) -> list[Professional]:
    return [
        p
        for p in professional_list(tenant_id=clinic.tenant_id, treatment_id=treatment_id)
        if actor.manages_professional(p.professional_id)
    ]


def walk_in_page(
    request: HtmxHttpRequest,
    clinic: Clinic,
    actor: Actor,
    *,
    record: ClinicPatient | None = None,
    treatment: Treatment | None = None,
    form: NewPatientForm | None = None,
    similar: list[Any] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """Step 1 without a patient (find or make one); step 2 with one (the treatment, then "now")."""
    search = PatientSearchForm(request.GET if record is None else None)
    query = search.query() if record is None else ""
    today = None
    if record is not None and treatment is not None:
        today = _today(clinic, treatment, _professionals(actor, clinic, treatment.treatment_id))
    page = {
        "record": record,
        "treatment": treatment,
        "treatments": treatment_list(tenant_id=clinic.tenant_id) if record is not None else [],
        "today": today,
        "error": error,
        "booking_key": uuid.uuid4().hex,
        "search": search,
        "query": query,
        "results": patient_search(tenant_id=clinic.tenant_id, query=query) if query else [],
        "search_url": reverse("office-walk-in", args=[clinic.slug]),
        "choose_url": reverse("office-walk-in", args=[clinic.slug]),
        "form": form or new_patient_form(then=THEN_WALK_IN),
        "similar": similar or [],
    }
    template = "office/reception_walk_in.html"
    if request.htmx and request.htmx.target == RESULTS_TARGET and record is None:
        template = "office/patients.html#results"
    elif request.htmx and request.htmx.target == "walk-in-now" and record is not None:
        template += "#now"
    return render_office(request, clinic, actor, template, page, status=status)


@require_http_methods(["GET", "POST"])
@kicks_outbox
def walk_in(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    context, actor = clinic_access(request, clinic_slug, Action.FIND_PATIENTS)
    clinic = context.clinic
    if request.method == "POST":
        return _walk_in_book(request, clinic, actor)
    record_id = request.GET.get("record") or ""
    record = patient_record_find(tenant_id=clinic.tenant_id, record_id=record_id) if record_id else None
    if record_id and record is None:
        # An unknown patient is no reason for an error page: choose one again.
        return walk_in_page(request, clinic, actor, error=_("That patient is not in the directory."), status=404)
    treatment = _treatment(clinic, request.GET.get("treatment") or "") if record is not None else None
    return walk_in_page(request, clinic, actor, record=record, treatment=treatment)


def _treatment(clinic: Clinic, treatment_id: str) -> Treatment | None:
    return next((t for t in treatment_list(tenant_id=clinic.tenant_id) if t.treatment_id == treatment_id), None)


def _walk_in_book(request: HtmxHttpRequest, clinic: Clinic, actor: Actor) -> HttpResponse:
    form = WalkInForm(request.POST)
    if not form.is_valid():
        raise Invalid(" ".join(str(e) for errs in form.errors.values() for e in errs))
    data = form.cleaned_data
    record = patient_record_find(tenant_id=clinic.tenant_id, record_id=data["record"])
    if record is None:
        return walk_in_page(request, clinic, actor, error=_("That patient is not in the directory."), status=404)
    treatment = _treatment(clinic, data["treatment"])
    if treatment is None:
        return walk_in_page(request, clinic, actor, record=record, error=_("Choose a treatment."), status=400)
    professionals = _professionals(actor, clinic, treatment.treatment_id)
    start: dt.datetime | None = data["start"]
    if start is not None:
        # A time picked from the next free ones: that professional, or any free then.
        chosen = [p for p in professionals if p.professional_id == data["professional"]]
        candidates = chosen or professionals
    else:
        today = _today(clinic, treatment, professionals)
        if today.now is None:
            return walk_in_page(
                request,
                clinic,
                actor,
                record=record,
                treatment=treatment,
                error=_("Nobody is free right now for this treatment. Pick one of the next free times:")
                if today.next
                else _("Nobody is free for this treatment for the rest of today."),
                status=409,
            )
        slot, first = today.now
        start = slot.start
        candidates = [first, *(p for p in professionals if p.professional_id in slot.professional_ids and p != first)]
    try:
        booking = book_first_free(
            actor=actor,
            record=record,
            treatment_id=treatment.treatment_id,
            candidates=candidates,
            start=start,
            booking_id=data["booking"],
            channel=CHANNEL_WALK_IN,
        )
    except (NotOffered, SlotTaken) as exc:
        message = (
            _("Sorry, someone has just taken that time. These are the next free times:")
            if isinstance(exc, SlotTaken)
            else str(exc.message)
        )
        status = 409 if isinstance(exc, SlotTaken) else 400
        return walk_in_page(request, clinic, actor, record=record, treatment=treatment, error=message, status=status)
    with timezone.override(clinic.zone):
        when = f"{timezone.localtime(booking.start):%H:%M}"
    messages.success(
        request,
        _("Walk-in booked: %(name)s, %(treatment)s with %(professional)s at %(when)s.")
        % {
            "name": record.name,
            "treatment": booking.treatment_name,
            "professional": booking.professional_name,
            "when": when,
        },
    )
    return redirect(booking_url(clinic, booking))
