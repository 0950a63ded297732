"""The platform owner's view of one clinic's catalogue, for support: treatments and professionals,
listed and edited with the panel's forms and the same services (version-checked).

A change of hours that would leave future bookings outside the offered time is refused here with
the list of those bookings: the clinic's panel is where they are kept or cancelled with a reason.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from access import services as access_services
from booking.orphans import bookings_left_outside
from clinics import selectors, services
from clinics.admin.views import _clinic_or_404, _context
from clinics.models import Clinic, Professional, Treatment
from nexioq.errors import NotFound
from panel.forms_catalogue import ProfessionalForm, TreatmentForm

logger = logging.getLogger(__name__)


def _treatment_or_404(clinic: Clinic, treatment_id: str) -> Treatment:
    try:
        return selectors.treatment_get(tenant_id=clinic.tenant_id, treatment_id=treatment_id)
    except NotFound as exc:
        raise Http404("No such treatment") from exc


def _professional_or_404(clinic: Clinic, professional_id: str) -> Professional:
    try:
        return selectors.professional_get(tenant_id=clinic.tenant_id, professional_id=professional_id)
    except NotFound as exc:
        raise Http404("No such professional") from exc


def _page(request: HttpRequest, site: AdminSite, clinic: Clinic, title: str, **extra: Any) -> dict[str, Any]:
    return _context(request, site, title, clinic=clinic, subtitle=clinic.name, **extra)


@require_http_methods(["GET", "HEAD"])
def clinic_catalogue(request: HttpRequest, tenant_id: str, *, site: AdminSite) -> HttpResponse:
    clinic = _clinic_or_404(tenant_id)
    treatments = selectors.treatment_list(tenant_id=tenant_id, active_only=False)
    professionals = selectors.professional_list(tenant_id=tenant_id, active_only=False)
    context = _page(
        request,
        site,
        clinic,
        _("Catalogue of %(name)s") % {"name": clinic.name},
        treatments=treatments,
        professionals=professionals,
    )
    return render(request, "admin/clinics/catalogue.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def treatment_change(request: HttpRequest, tenant_id: str, treatment_id: str, *, site: AdminSite) -> HttpResponse:
    clinic = _clinic_or_404(tenant_id)
    treatment = _treatment_or_404(clinic, treatment_id)
    professionals = selectors.professional_list(tenant_id=tenant_id, active_only=False)
    options: dict[str, Any] = {"professionals": professionals, "grid_minutes": int(clinic.grid_minutes), "new": False}
    status, conflict = 200, False
    if request.method == "POST":
        form = TreatmentForm(request.POST, **options)
        status = 400
        if form.is_valid():
            try:
                treatment = services.treatment_update(
                    tenant_id=tenant_id,
                    treatment_id=treatment.treatment_id,
                    version=form.cleaned_data["version"],
                    values=form.values(),
                    professional_ids=form.cleaned_data["professional_ids"],
                    grid_minutes=int(clinic.grid_minutes),
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            except services.StaleTreatment:
                conflict, status = True, 409
                form.add_error(None, _("Not saved: the treatment changed meanwhile. Reload the current values."))
            else:
                logger.info("treatment %s of %s changed by user %s", treatment.treatment_id, tenant_id, request.user.pk)
                messages.success(request, _("The treatment “%(name)s” was changed.") % {"name": treatment.name})
                return HttpResponseRedirect(reverse("admin:clinics_clinic_catalogue", args=[tenant_id]))
    else:
        form = TreatmentForm(initial=TreatmentForm.initial_of(treatment, professionals), **options)
    context = _page(
        request, site, clinic, _("Change treatment"), form=form, item=treatment, conflict=conflict, kind="treatment"
    )
    return render(request, "admin/clinics/catalogue_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def professional_change(request: HttpRequest, tenant_id: str, professional_id: str, *, site: AdminSite) -> HttpResponse:
    clinic = _clinic_or_404(tenant_id)
    professional = _professional_or_404(clinic, professional_id)
    treatments = selectors.treatment_list(tenant_id=tenant_id, active_only=False)
    accounts = [(str(m.pk), m.user.email) for m in access_services.dentist_memberships(tenant_id=tenant_id)]
    status, conflict, left = 200, False, []
    if request.method == "POST":
        raw = request.POST.get("add_range", "")
        add_row_to = int(raw) if raw in {str(d) for d in range(7)} else None
        form = ProfessionalForm(
            request.POST, treatments=treatments, accounts=accounts, new=False, add_row_to=add_row_to
        )
        if add_row_to is None and "add_range" not in request.POST:
            status = 400
            if form.is_valid():
                try:
                    changed = services.professional_values_apply(professional, form.values())
                    left = bookings_left_outside(clinic=clinic, professionals=[changed])
                    if left:
                        form.add_error(
                            None,
                            _(
                                "Not saved: these hours leave booked appointments outside the times offered. "
                                "Make this change in the clinic's panel, where they can be kept or cancelled."
                            ),
                        )
                    else:
                        saved = services.professional_update(
                            tenant_id=tenant_id,
                            professional_id=professional_id,
                            version=form.cleaned_data["version"],
                            values=form.values(),
                        )
                        access_services.professional_account_set(
                            tenant_id=tenant_id, professional_id=professional_id, membership_id=form.account_id()
                        )
                        logger.info(
                            "professional %s of %s changed by user %s", professional_id, tenant_id, request.user.pk
                        )
                        messages.success(request, _("“%(name)s” was changed.") % {"name": saved.name})
                        return HttpResponseRedirect(reverse("admin:clinics_clinic_catalogue", args=[tenant_id]))
                except ValidationError as exc:
                    form.add_service_error(exc)
                except services.StaleProfessional:
                    conflict, status = True, 409
                    form.add_error(None, _("Not saved: the professional changed meanwhile. Reload the current values."))
    else:
        account = next(
            (
                str(m.pk)
                for m in access_services.dentist_memberships(tenant_id=tenant_id)
                if m.professional_id == professional_id
            ),
            "",
        )
        form = ProfessionalForm(
            initial=ProfessionalForm.initial_of(professional, account),
            treatments=treatments,
            accounts=accounts,
            new=False,
        )
    context = _page(
        request,
        site,
        clinic,
        _("Change professional"),
        form=form,
        item=professional,
        conflict=conflict,
        kind="professional",
        left=left,
    )
    with timezone.override(clinic.zone):
        return render(request, "admin/clinics/catalogue_form.html", context, status=status)
