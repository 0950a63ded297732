"""The admin panel's catalogue: overview, treatments, professionals (hours, time off).

Admins and the platform owner edit (``Action.CONFIGURE_CLINIC``); dentists and reception read
the lists (``Action.VIEW_CLINIC_SETUP``). Every write goes through a service of
``clinics.services`` with the version the page read, so an edit made meanwhile by someone else
is reported (409), never overwritten. A change that would leave future bookings outside the
offered time (new hours, time off, a deactivation) first lists them, and the admin keeps them or
cancels them with a reason (``booking.services.booking_cancel``, as the admin).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import services as access_services
from access.permissions import Action, Actor, clinic_access
from booking.models import Booking
from booking.orphans import bookings_left_outside
from booking.services import booking_cancel
from clinics import selectors, services
from clinics.models import Clinic, Professional, Treatment
from clinics.pages import clinic_render
from nexioq.errors import Conflict, DomainError, Invalid
from nexioq.http import HtmxHttpRequest
from panel.forms_catalogue import (
    ActiveForm,
    OrphanDecisionForm,
    ProfessionalForm,
    TimeOffForm,
    TimeOffRemoveForm,
    TreatmentForm,
)

log = logging.getLogger(__name__)

# Fields of the orphan step itself: everything else posted is replayed when the admin confirms.
ORPHAN_FIELDS = frozenset({"csrfmiddlewaretoken", "orphans", "cancel_reason", "seen"})


def _render(
    request: HtmxHttpRequest,
    clinic: Clinic,
    actor: Actor,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """A panel page: read-only for a role that may not configure the clinic."""
    page = {"read_only": not actor.allows(Action.CONFIGURE_CLINIC), **context}
    return clinic_render(request, clinic, template, page, status=status)


def _stale_message(kind: str) -> str:
    if kind == "treatment":
        return _(
            "Someone else changed this treatment after you opened the page, so nothing was saved. "
            "Reload the page to see the current values."
        )
    if kind == "professionals":
        return _("Someone else changed a professional while you were editing, so nothing was saved. Try again.")
    return _(
        "Someone else changed this professional after you opened the page, so nothing was saved. "
        "Reload the page to see the current values."
    )


# ---------------------------------------------------------------- overview


@require_GET
def panel_home(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    context, actor = clinic_access(request, clinic_slug, Action.VIEW_CLINIC_SETUP)
    clinic = context.clinic
    treatments = selectors.treatment_list(tenant_id=clinic.tenant_id, active_only=False)
    professionals = selectors.professional_list(tenant_id=clinic.tenant_id, active_only=False)
    active_treatments = {t.treatment_id for t in treatments if t.active}
    staffed = [p for p in professionals if p.active and p.treatment_ids & active_treatments]
    working = [p for p in staffed if p.weekly_hours]
    hours_url = (
        reverse("panel-professional-edit", args=[clinic.slug, staffed[0].professional_id]) + "#hours"
        if len(staffed) == 1
        else reverse("panel-professionals", args=[clinic.slug])
    )
    steps = [
        # A step with nothing yet leads straight to its form: one click less for a new clinic.
        (
            _("Add a treatment"),
            bool(active_treatments),
            reverse("panel-treatments" if treatments else "panel-treatment-add", args=[clinic.slug]),
        ),
        (
            _("Add a professional who performs it"),
            bool(staffed),
            reverse("panel-professionals" if professionals else "panel-professional-add", args=[clinic.slug]),
        ),
        (_("Set their weekly hours"), bool(working), hours_url),
    ]
    counts = {
        "treatments": len(active_treatments),
        "treatments_inactive": len(treatments) - len(active_treatments),
        "professionals": len([p for p in professionals if p.active]),
        "professionals_inactive": len([p for p in professionals if not p.active]),
    }
    return _render(
        request,
        clinic,
        actor,
        "panel/home.html",
        {"steps": steps, "bookable": all(done for _label, done, _url in steps), "counts": counts},
    )


# ---------------------------------------------------------------- treatments


@require_GET
def treatment_index(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    context, actor = clinic_access(request, clinic_slug, Action.VIEW_CLINIC_SETUP)
    clinic = context.clinic
    treatments = selectors.treatment_list(tenant_id=clinic.tenant_id, active_only=False)
    professionals = selectors.professional_list(tenant_id=clinic.tenant_id, active_only=False)
    rows = [(t, [p.name for p in professionals if p.active and t.treatment_id in p.treatment_ids]) for t in treatments]
    return _render(request, clinic, actor, "panel/treatments.html", {"rows": rows})


def _treatment_page(
    request: HtmxHttpRequest,
    clinic: Clinic,
    actor: Actor,
    form: TreatmentForm,
    treatment: Treatment | None,
    *,
    status: int = 200,
    stale: bool = False,
) -> HttpResponse:
    context = {"form": form, "treatment": treatment, "stale": stale}
    return _render(request, clinic, actor, "panel/treatment_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def treatment_add(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    context, actor = clinic_access(request, clinic_slug, Action.CONFIGURE_CLINIC)
    clinic = context.clinic
    professionals = selectors.professional_list(tenant_id=clinic.tenant_id, active_only=False)
    options: dict[str, Any] = {"professionals": professionals, "grid_minutes": int(clinic.grid_minutes), "new": True}
    if request.method != "POST":
        form = TreatmentForm(initial={"duration_minutes": max(30, int(clinic.grid_minutes))}, **options)
        return _treatment_page(request, clinic, actor, form, None)
    form = TreatmentForm(request.POST, **options)
    if form.is_valid():
        try:
            treatment = services.treatment_add(
                tenant_id=clinic.tenant_id,
                values=form.values(),
                professional_ids=form.cleaned_data["professional_ids"],
                grid_minutes=int(clinic.grid_minutes),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        except services.StaleTreatment:
            form.add_error(None, _stale_message("professionals"))
            return _treatment_page(request, clinic, actor, form, None, status=409)
        else:
            messages.success(request, _("Treatment “%(name)s” added.") % {"name": treatment.name})
            return redirect("panel-treatments", clinic_slug=clinic.slug)
    return _treatment_page(request, clinic, actor, form, None, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def treatment_edit(request: HtmxHttpRequest, clinic_slug: str, treatment_id: str) -> HttpResponse:
    context, actor = clinic_access(
        request, clinic_slug, Action.CONFIGURE_CLINIC, treatment_id=treatment_id, editing=True
    )
    clinic = context.clinic
    treatment = context.treatment
    assert treatment is not None
    professionals = selectors.professional_list(tenant_id=clinic.tenant_id, active_only=False)
    options: dict[str, Any] = {"professionals": professionals, "grid_minutes": int(clinic.grid_minutes), "new": False}
    if request.method != "POST":
        form = TreatmentForm(initial=TreatmentForm.initial_of(treatment, professionals), **options)
        return _treatment_page(request, clinic, actor, form, treatment)
    form = TreatmentForm(request.POST, **options)
    if form.is_valid():
        try:
            treatment = services.treatment_update(
                tenant_id=clinic.tenant_id,
                treatment_id=treatment.treatment_id,
                version=form.cleaned_data["version"],
                values=form.values(),
                professional_ids=form.cleaned_data["professional_ids"],
                grid_minutes=int(clinic.grid_minutes),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        except services.StaleTreatment:
            current = selectors.treatment_get(tenant_id=clinic.tenant_id, treatment_id=treatment.treatment_id)
            professionals = selectors.professional_list(tenant_id=clinic.tenant_id, active_only=False)
            options["professionals"] = professionals
            fresh = TreatmentForm(initial=TreatmentForm.initial_of(current, professionals), **options)
            return _treatment_page(request, clinic, actor, fresh, current, status=409, stale=True)
        else:
            messages.success(request, _("Treatment “%(name)s” saved.") % {"name": treatment.name})
            return redirect("panel-treatments", clinic_slug=clinic.slug)
    return _treatment_page(request, clinic, actor, form, treatment, status=400)


def _active_form(request: HtmxHttpRequest) -> ActiveForm:
    form = ActiveForm(request.POST)
    if not form.is_valid():
        raise Invalid(_("Reload the page and try again."), detail=str(form.errors))
    return form


@require_POST
def treatment_active(request: HtmxHttpRequest, clinic_slug: str, treatment_id: str) -> HttpResponse:
    context, _actor = clinic_access(
        request, clinic_slug, Action.CONFIGURE_CLINIC, treatment_id=treatment_id, editing=True
    )
    clinic = context.clinic
    treatment = context.treatment
    assert treatment is not None
    form = _active_form(request)
    active = form.cleaned_data["active"]
    try:
        services.treatment_set_active(
            tenant_id=clinic.tenant_id,
            treatment_id=treatment.treatment_id,
            version=form.cleaned_data["version"],
            active=active,
        )
    except services.StaleTreatment as exc:
        raise Conflict(_stale_message("treatment"), detail=treatment.treatment_id) from exc
    if active:
        text = _("“%(name)s” is offered online again.")
    else:
        text = _("“%(name)s” is no longer offered online. Its booked appointments stay as they are.")
    messages.success(request, text % {"name": treatment.name})
    return redirect("panel-treatments", clinic_slug=clinic.slug)


# ---------------------------------------------------------------- professionals


@require_GET
def professional_index(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    context, actor = clinic_access(request, clinic_slug, Action.VIEW_CLINIC_SETUP)
    clinic = context.clinic
    professionals = selectors.professional_list(tenant_id=clinic.tenant_id, active_only=False)
    treatments = {t.treatment_id: t for t in selectors.treatment_list(tenant_id=clinic.tenant_id, active_only=False)}
    rows = [
        (
            p,
            sorted(treatments[t].name for t in p.treatment_ids if t in treatments and treatments[t].active),
            _hours_summary(p),
        )
        for p in professionals
    ]
    return _render(request, clinic, actor, "panel/professionals.html", {"rows": rows})


def _hours_summary(professional: Professional) -> list[tuple[str, str]]:
    by_day: dict[int, list[str]] = {}
    for work in sorted(professional.weekly_hours, key=lambda r: (r.weekday, r.start)):
        by_day.setdefault(work.weekday, []).append(f"{work.start}\N{EN DASH}{work.end}")
    return [(str(WEEKDAYS_ABBR[day]), ", ".join(ranges)) for day, ranges in sorted(by_day.items())]


def _accounts(tenant_id: str) -> list[tuple[str, str]]:
    return [
        (str(m.pk), f"{m.user.full_name} ({m.user.email})" if m.user.full_name else m.user.email)
        for m in access_services.dentist_memberships(tenant_id=tenant_id)
    ]


def _account_of(tenant_id: str, professional_id: str) -> str:
    for membership in access_services.dentist_memberships(tenant_id=tenant_id):
        if membership.professional_id == professional_id:
            return str(membership.pk)
    return ""


def _professional_form(request: HtmxHttpRequest, clinic: Clinic, *, new: bool, **kwargs: Any) -> ProfessionalForm:
    add_row_to = None
    if request.method == "POST":
        raw = request.POST.get("add_range", "")
        add_row_to = int(raw) if raw in {str(d) for d in range(7)} else None
    return ProfessionalForm(
        *([request.POST] if request.method == "POST" else []),
        treatments=selectors.treatment_list(tenant_id=clinic.tenant_id, active_only=False),
        accounts=_accounts(clinic.tenant_id),
        new=new,
        add_row_to=add_row_to,
        **kwargs,
    )


def _professional_page(
    request: HtmxHttpRequest,
    clinic: Clinic,
    actor: Actor,
    form: ProfessionalForm,
    professional: Professional | None,
    *,
    status: int = 200,
    stale: bool = False,
    time_off_form: TimeOffForm | None = None,
) -> HttpResponse:
    if request.method == "POST" and "add_range" in request.POST and request.htmx:
        # "Add a range" swapped in place: just that day's rows.
        raw = request.POST.get("add_range", "")
        if raw in {str(d) for d in range(7)}:
            return _render(
                request,
                clinic,
                actor,
                "panel/professional_form.html#hours_day",
                {"form": form, "day": form.day(int(raw))},
            )
    if professional is not None and time_off_form is None:
        time_off_form = TimeOffForm(
            initial={"version": professional.version, "kind": TimeOffForm.DAYS}, zone=clinic.zone
        )
    context = {
        "form": form,
        "professional": professional,
        "stale": stale,
        "time_off_form": time_off_form,
        "time_off": sorted(professional.time_off, key=lambda r: r.start) if professional else [],
        "now": timezone.now(),
    }
    return _render(request, clinic, actor, "panel/professional_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def professional_add(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    context, actor = clinic_access(request, clinic_slug, Action.CONFIGURE_CLINIC)
    clinic = context.clinic
    if request.method != "POST":
        form = _professional_form(request, clinic, new=True)
        return _professional_page(request, clinic, actor, form, None)
    form = _professional_form(request, clinic, new=True)
    if "add_range" in request.POST:
        return _professional_page(request, clinic, actor, form, None)
    if form.is_valid():
        try:
            professional = services.professional_add(tenant_id=clinic.tenant_id, values=form.values())
            access_services.professional_account_set(
                tenant_id=clinic.tenant_id,
                professional_id=professional.professional_id,
                membership_id=form.account_id(),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("“%(name)s” added.") % {"name": professional.name})
            return redirect("panel-professionals", clinic_slug=clinic.slug)
    return _professional_page(request, clinic, actor, form, None, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def professional_edit(request: HtmxHttpRequest, clinic_slug: str, professional_id: str) -> HttpResponse:
    context, actor = clinic_access(
        request, clinic_slug, Action.CONFIGURE_CLINIC, professional_id=professional_id, editing=True
    )
    clinic = context.clinic
    professional = context.professional
    assert professional is not None
    if request.method != "POST":
        initial = ProfessionalForm.initial_of(professional, _account_of(clinic.tenant_id, professional_id))
        form = _professional_form(request, clinic, new=False, initial=initial)
        return _professional_page(request, clinic, actor, form, professional)
    form = _professional_form(request, clinic, new=False)
    if "add_range" in request.POST:
        return _professional_page(request, clinic, actor, form, professional)
    if not form.is_valid():
        return _professional_page(request, clinic, actor, form, professional, status=400)
    if form.cleaned_data["version"] != professional.version:
        return _professional_stale(request, clinic, actor, professional_id)
    try:
        changed = services.professional_values_apply(professional, form.values())
    except ValidationError as exc:
        form.add_service_error(exc)
        return _professional_page(request, clinic, actor, form, professional, status=400)
    gate = _orphan_gate(request, clinic, actor, changed, what=_("New hours for %(name)s") % {"name": professional.name})
    if isinstance(gate, HttpResponse):
        return gate
    try:
        saved = services.professional_update(
            tenant_id=clinic.tenant_id,
            professional_id=professional.professional_id,
            version=form.cleaned_data["version"],
            values=form.values(),
        )
        access_services.professional_account_set(
            tenant_id=clinic.tenant_id, professional_id=saved.professional_id, membership_id=form.account_id()
        )
    except ValidationError as exc:
        form.add_service_error(exc)
        return _professional_page(request, clinic, actor, form, professional, status=400)
    except services.StaleProfessional:
        return _professional_stale(request, clinic, actor, professional_id)
    messages.success(request, _("“%(name)s” saved.") % {"name": saved.name})
    _cancel_left(request, clinic=clinic, actor=actor, decision=gate)
    return redirect("panel-professionals", clinic_slug=clinic.slug)


def _professional_stale(request: HtmxHttpRequest, clinic: Clinic, actor: Actor, professional_id: str) -> HttpResponse:
    current = selectors.professional_get(tenant_id=clinic.tenant_id, professional_id=professional_id)
    initial = ProfessionalForm.initial_of(current, _account_of(clinic.tenant_id, professional_id))
    fresh = ProfessionalForm(
        initial=initial,
        treatments=selectors.treatment_list(tenant_id=clinic.tenant_id, active_only=False),
        accounts=_accounts(clinic.tenant_id),
        new=False,
    )
    return _professional_page(request, clinic, actor, fresh, current, status=409, stale=True)


@require_POST
def professional_active(request: HtmxHttpRequest, clinic_slug: str, professional_id: str) -> HttpResponse:
    context, actor = clinic_access(
        request, clinic_slug, Action.CONFIGURE_CLINIC, professional_id=professional_id, editing=True
    )
    clinic = context.clinic
    professional = context.professional
    assert professional is not None
    form = _active_form(request)
    active = form.cleaned_data["active"]
    if form.cleaned_data["version"] != professional.version:
        raise Conflict(_stale_message("professional"), detail=professional_id)
    gate: _Decision | None = None
    if not active:
        changed = services.professional_copy(professional)
        changed.active = False
        result = _orphan_gate(
            request, clinic, actor, changed, what=_("Deactivate %(name)s") % {"name": professional.name}
        )
        if isinstance(result, HttpResponse):
            return result
        gate = result
    try:
        services.professional_set_active(
            tenant_id=clinic.tenant_id,
            professional_id=professional.professional_id,
            version=form.cleaned_data["version"],
            active=active,
        )
    except services.StaleProfessional as exc:
        raise Conflict(_stale_message("professional"), detail=professional_id) from exc
    text = _("%(name)s is offered online again.") if active else _("%(name)s is no longer offered online.")
    messages.success(request, text % {"name": professional.name})
    if gate is not None:
        _cancel_left(request, clinic=clinic, actor=actor, decision=gate)
    return redirect("panel-professionals", clinic_slug=clinic.slug)


@require_POST
def time_off_add(request: HtmxHttpRequest, clinic_slug: str, professional_id: str) -> HttpResponse:
    context, actor = clinic_access(
        request, clinic_slug, Action.CONFIGURE_CLINIC, professional_id=professional_id, editing=True
    )
    clinic = context.clinic
    professional = context.professional
    assert professional is not None
    time_off_form = TimeOffForm(request.POST, zone=clinic.zone)

    def page(status: int) -> HttpResponse:
        initial = ProfessionalForm.initial_of(professional, _account_of(clinic.tenant_id, professional_id))
        form = ProfessionalForm(
            initial=initial,
            treatments=selectors.treatment_list(tenant_id=clinic.tenant_id, active_only=False),
            accounts=_accounts(clinic.tenant_id),
            new=False,
        )
        return _professional_page(
            request, clinic, actor, form, professional, status=status, time_off_form=time_off_form
        )

    if not time_off_form.is_valid():
        return page(400)
    data = time_off_form.cleaned_data
    if data["version"] != professional.version:
        return _professional_stale(request, clinic, actor, professional_id)
    try:
        time_off = services.time_off_range(start=data["start"], end=data["end"], reason=data.get("reason") or "")
    except ValidationError as exc:
        time_off_form.add_service_error(exc)
        return page(400)
    changed = services.professional_time_off_with(professional, time_off)
    gate = _orphan_gate(request, clinic, actor, changed, what=_("Time off for %(name)s") % {"name": professional.name})
    if isinstance(gate, HttpResponse):
        return gate
    try:
        services.professional_time_off_put(
            tenant_id=clinic.tenant_id,
            professional_id=professional_id,
            version=data["version"],
            start=data["start"],
            end=data["end"],
            reason=data.get("reason") or "",
        )
    except services.StaleProfessional:
        return _professional_stale(request, clinic, actor, professional_id)
    messages.success(request, _("Time off added."))
    _cancel_left(request, clinic=clinic, actor=actor, decision=gate)
    return redirect(reverse("panel-professional-edit", args=[clinic.slug, professional_id]) + "#time-off")


@require_POST
def time_off_remove(request: HtmxHttpRequest, clinic_slug: str, professional_id: str) -> HttpResponse:
    context, _actor = clinic_access(
        request, clinic_slug, Action.CONFIGURE_CLINIC, professional_id=professional_id, editing=True
    )
    clinic = context.clinic
    professional = context.professional
    assert professional is not None
    form = TimeOffRemoveForm(request.POST)
    if not form.is_valid():
        raise Invalid(_("Reload the page and try again."), detail=str(form.errors))
    try:
        services.professional_time_off_remove(
            tenant_id=clinic.tenant_id,
            professional_id=professional.professional_id,
            version=form.cleaned_data["version"],
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
        )
    except services.StaleProfessional as exc:
        raise Conflict(_stale_message("professional"), detail=professional_id) from exc
    messages.success(request, _("Time off removed."))
    return redirect(reverse("panel-professional-edit", args=[clinic.slug, professional_id]) + "#time-off")


# ---------------------------------------------------------------- never orphan a booking silently


class _Decision:
    """The admin's answer for the bookings a change leaves outside: what to cancel, and why."""

    def __init__(self, cancel: list[Booking], reason: str = "") -> None:
        self.cancel = cancel
        self.reason = reason


def _orphan_gate(
    request: HtmxHttpRequest, clinic: Clinic, actor: Actor, changed: Professional, *, what: str
) -> _Decision | HttpResponse:
    back = reverse("panel-professional-edit", args=[clinic.slug, changed.professional_id])
    """Go ahead (with what to cancel afterwards), or the page that lists the bookings left outside.

    Asked again on every submission: the confirmation carries the ids the admin saw, and if the
    list now holds a booking they did not see, it is shown again instead of saving. So nothing is
    cancelled that the admin did not see; bookings of the list gone meanwhile are simply skipped.
    """
    left = bookings_left_outside(clinic=clinic, professionals=[changed])
    if not left:
        return _Decision([])
    answered = "orphans" in request.POST
    seen = set(request.POST.getlist("seen"))
    grown = answered and not {b.booking_id for b in left} <= seen
    decision = OrphanDecisionForm(request.POST if answered and not grown else None)
    if answered and not grown and decision.is_valid():
        if decision.cleaned_data["orphans"] == OrphanDecisionForm.CANCEL:
            return _Decision(left, decision.cleaned_data["cancel_reason"].strip())
        return _Decision([])
    replay = [(key, value) for key in request.POST if key not in ORPHAN_FIELDS for value in request.POST.getlist(key)]
    context = {"what": what, "bookings": left, "decision": decision, "replay": replay, "grown": grown, "back": back}
    status = 409 if grown else 400 if answered else 200
    return _render(request, clinic, actor, "panel/orphans.html", context, status=status)


def _cancel_left(request: HtmxHttpRequest, *, clinic: Clinic, actor: Actor, decision: _Decision) -> None:
    """Cancel what the admin chose to cancel, after the change is saved (a separate write per booking)."""
    cancelled = 0
    for booking in decision.cancel:
        try:
            booking_cancel(
                tenant_id=clinic.tenant_id, booking_id=booking.booking_id, actor=actor, reason=decision.reason
            )
        except DomainError as exc:
            # Changed meanwhile (cancelled by the patient, moved...): say so, cancel the rest.
            log.info("panel: booking %s not cancelled: %s", booking.booking_id, exc.detail)
            messages.error(
                request,
                _("The appointment of %(patient)s was not cancelled: it changed meanwhile.")
                % {"patient": booking.patient_name},
            )
        else:
            cancelled += 1
    if cancelled:
        messages.success(request, _("Appointments cancelled: %(count)s.") % {"count": cancelled})
