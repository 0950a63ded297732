"""The panel's clinic settings and closures (Admin and Owner: ``Action.CONFIGURE_CLINIC``).

Each form posts to its own view; with htmx the answer is the page's fragment (errors
included, with their 4xx status), without JavaScript a redirect after success or the whole
page with the errors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from access.permissions import Action, Actor, clinic_access
from booking.models import Booking
from clinics import choices
from clinics import services as clinic_services
from clinics.clinic_settings import ClinicSettings
from clinics.models import Clinic
from nexioq.http import HtmxHttpRequest
from panel import services
from panel.forms_settings import ClosureDecisionForm, ClosureForm, ClosureRemoveForm, SettingsForm

STALE = "stale"


def _configure(request: HtmxHttpRequest, clinic_slug: str) -> tuple[Clinic, Actor]:
    context, actor = clinic_access(request, clinic_slug, Action.CONFIGURE_CLINIC)
    return context.clinic, actor


def _stale_message() -> str:
    return _(
        "Someone else changed this clinic after you opened this page, so nothing was saved. "
        "Reload the page to see the current values, then make your changes again."
    )


# ---------------------------------------------------------------- settings


def _settings_page(
    request: HtmxHttpRequest,
    clinic: Clinic,
    form: SettingsForm,
    *,
    status: int = 200,
    saved: bool = False,
    affected: list[Booking] | None = None,
) -> HttpResponse:
    template = "panel/settings.html#settings_form" if request.htmx else "panel/settings.html"
    context = {
        "clinic": clinic,
        "form": form,
        "saved": saved,
        "conflict": status == 409 and not affected,
        "affected": affected,
        "seen": ",".join(b.booking_id for b in affected or []),
    }
    return render(request, template, context, status=status)


def _settings_form_for(clinic: Clinic) -> SettingsForm:
    initial = {**asdict(ClinicSettings.of(clinic)), "version": clinic.version}
    initial["phone"] = choices.phone_display(clinic.phone)  # stored in E.164, edited as people write it
    return SettingsForm(initial=initial, current_time_zone=clinic.time_zone)


@require_GET
def settings_page(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    clinic, _actor = _configure(request, clinic_slug)
    return _settings_page(request, clinic, _settings_form_for(clinic))


@require_POST
def settings_save(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    """Save; a new time zone that moves professionals' hours away from booked times lists those
    bookings first, and saves once the admin confirms with them in view."""
    clinic, _actor = _configure(request, clinic_slug)
    form = SettingsForm(request.POST, current_time_zone=clinic.time_zone)
    if not form.is_valid():
        return _settings_page(request, clinic, form, status=400)
    seen = frozenset(s for s in request.POST.get("seen", "").split(",") if s)
    try:
        clinic = services.settings_save(
            tenant_id=clinic.tenant_id,
            version=form.cleaned_data["version"],
            settings=form.clinic_settings(),
            seen_booking_ids=seen,
        )
    except services.UnseenBookings as exc:
        # First time: a question, not a refusal (200); bookings appeared since they were shown: 409.
        return _settings_page(request, clinic, form, affected=exc.bookings, status=409 if seen else 200)
    except clinic_services.StaleClinic:
        form.add_error(None, _stale_message())
        return _settings_page(request, clinic, form, status=409)
    except ValidationError as exc:
        form.add_service_error(exc)
        return _settings_page(request, clinic, form, status=400)
    if request.htmx:
        return _settings_page(request, clinic, _settings_form_for(clinic), saved=True)
    messages.success(request, _("Settings saved."))
    return redirect("panel-settings", clinic_slug=clinic.slug)


# ---------------------------------------------------------------- closures


@dataclass(frozen=True)
class ClosureRow:
    """A closure as the page shows it: in the clinic's wall-clock time, whole days told apart."""

    start: dt.datetime  # local
    end: dt.datetime  # local
    reason: str
    start_iso: str  # UTC, names the closure for removal
    end_iso: str

    @property
    def whole_days(self) -> bool:
        return self.start.time() == dt.time(0) and self.end.time() == dt.time(0)

    @property
    def last_day(self) -> dt.date:
        return (self.end - dt.timedelta(days=1)).date() if self.whole_days else self.end.date()


def _future_closures(clinic: Clinic) -> list[ClosureRow]:
    now = timezone.now()
    zone = clinic.zone
    return [
        ClosureRow(
            start=r.start.astimezone(zone),
            end=r.end.astimezone(zone),
            reason=r.reason,
            start_iso=r.start.astimezone(dt.UTC).isoformat(),
            end_iso=r.end.astimezone(dt.UTC).isoformat(),
        )
        for r in sorted((r for r in clinic.closures if r.end > now), key=lambda r: r.start)
    ]


def _closures_page(
    request: HtmxHttpRequest,
    clinic: Clinic,
    *,
    form: ClosureForm | None = None,
    affected: list[Booking] | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    if form is None:
        form = ClosureForm(initial={"version": clinic.version}, zone=clinic.zone)
    context = {
        "clinic": clinic,
        "closures": _future_closures(clinic),
        "form": form,
        "affected": affected,
        "seen": ",".join(b.booking_id for b in affected or []),
        "problem": problem,
        "today": timezone.now().astimezone(clinic.zone).date(),
    }
    template = "panel/closures.html#closures_main" if request.htmx else "panel/closures.html"
    return render(request, template, context, status=status)


@require_GET
def closures_page(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    clinic, _actor = _configure(request, clinic_slug)
    return _closures_page(request, clinic)


@require_POST
def closures_add(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    """First step: save at once when no booking is affected, else list them and ask; second step: do as decided."""
    clinic, actor = _configure(request, clinic_slug)
    deciding = "decision" in request.POST
    form: ClosureForm = (ClosureDecisionForm if deciding else ClosureForm)(request.POST, zone=clinic.zone)
    if not form.is_valid():
        # A decision form that fails (no reason given) still shows the bookings it is about.
        affected = _affected_or_none(clinic, form) if deciding else None
        return _closures_page(request, clinic, form=form, affected=affected, status=400)
    data = form.cleaned_data
    if data["version"] != clinic.version:
        return _closures_page(request, clinic, form=form, problem=_stale_message(), status=409)
    try:
        if not deciding:
            affected = services.closure_preview(
                tenant_id=clinic.tenant_id, start=data["start"], end=data["end"], reason=data["reason"]
            )
            if affected:
                return _closures_page(request, clinic, form=form, affected=affected)
        result = services.closure_add(
            tenant_id=clinic.tenant_id,
            version=data["version"],
            start=data["start"],
            end=data["end"],
            reason=data["reason"],
            actor=actor,
            seen_booking_ids=data.get("seen_ids", frozenset()),
            cancel=data.get("decision") == "cancel",
            cancel_reason=data.get("cancel_reason", ""),
        )
    except services.UnseenBookings as exc:
        problem = _("More appointments fall in this closure than were listed: check them and decide again.")
        return _closures_page(request, clinic, form=form, affected=exc.bookings, problem=problem, status=409)
    except clinic_services.StaleClinic:
        return _closures_page(request, clinic, form=form, problem=_stale_message(), status=409)
    except ValidationError as exc:
        _add_errors(form, exc)
        return _closures_page(request, clinic, form=form, status=400)
    messages.success(request, _closure_added_message(result))
    return _after_closure_change(request, clinic_slug)


def _affected_or_none(clinic: Clinic, form: ClosureForm) -> list[Booking] | None:
    data = form.cleaned_data
    if "start" not in data or "end" not in data:
        return None
    try:
        return services.closure_preview(
            tenant_id=clinic.tenant_id, start=data["start"], end=data["end"], reason=data.get("reason", "")
        )
    except ValidationError:
        return None


def _closure_added_message(result: services.ClosureResult) -> str:
    text = _("Closure added.")
    if result.kept:
        text += " " + ngettext(
            "%(count)s appointment inside it was kept.", "%(count)s appointments inside it were kept.", len(result.kept)
        ) % {"count": len(result.kept)}
    if result.cancelled:
        text += " " + ngettext(
            "%(count)s appointment was cancelled.", "%(count)s appointments were cancelled.", len(result.cancelled)
        ) % {"count": len(result.cancelled)}
    if result.skipped:
        text += " " + ngettext(
            "%(count)s appointment had already changed and was left alone.",
            "%(count)s appointments had already changed and were left alone.",
            len(result.skipped),
        ) % {"count": len(result.skipped)}
    return text


def _add_errors(form: ClosureForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = {"end": "end_date", "start": "start_date"}.get(field, field)
        form.add_error(target if target in form.fields else None, errors)


@require_POST
def closures_remove(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    clinic, _actor = _configure(request, clinic_slug)
    form = ClosureRemoveForm(request.POST)
    if not form.is_valid():
        return _closures_page(request, clinic, problem=_("That closure could not be read."), status=400)
    data = form.cleaned_data
    try:
        clinic_services.clinic_closure_remove(
            tenant_id=clinic.tenant_id,
            version=data["version"],
            start=data["start"].astimezone(dt.UTC),
            end=data["end"].astimezone(dt.UTC),
        )
    except clinic_services.StaleClinic:
        return _closures_page(request, clinic, problem=_stale_message(), status=409)
    except ValidationError:
        return _closures_page(request, clinic, problem=_("That closure no longer exists."), status=409)
    messages.success(request, _("Closure removed: those times can be booked again."))
    return _after_closure_change(request, clinic_slug)


def _after_closure_change(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    if request.htmx:
        clinic, _actor = _configure(request, clinic_slug)
        return _closures_page(request, clinic)
    return redirect("panel-closures", clinic_slug=clinic_slug)
