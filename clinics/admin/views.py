"""The clinic pages of the platform admin: clinics live in DynamoDB, so plain function views.

``NexioqAdminSite`` (clinics/admin/site.py) mounts them with ``admin_view`` (active staff
only, CSRF, never cached) and passes itself as ``site``, whose context every page shares.
Any active staff user may list, create, edit and suspend clinics; superuser status and
model permissions are not required (platform staff are the Owner role of
``access.permissions``).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access.models import Role
from access.services import invitation_create
from access.views import invitation_email_send
from accounts.models import User
from clinics import selectors, services
from clinics.admin.forms import ClinicAddForm, ClinicChangeForm
from clinics.clinic_settings import ClinicSettings
from clinics.models import Clinic

logger = logging.getLogger(__name__)

SEARCH_MAX = 100
# Sort keys are limited to 1024 bytes; a longer ``after`` could only come from a forged URL.
AFTER_MAX = 200


def _context(request: HttpRequest, site: AdminSite, title: str, **extra: Any) -> dict[str, Any]:
    request.current_app = site.name
    return {**site.each_context(request), "title": title, "directory_title": _("Clinics (DynamoDB)"), **extra}


def _clinic_or_404(tenant_id: str) -> Clinic:
    try:
        return selectors.clinic_get(tenant_id=tenant_id)
    except selectors.NotFound as exc:
        raise Http404("No such clinic") from exc


def _changelist_url(search: str = "") -> str:
    url = reverse("admin:clinics_clinic_changelist")
    return f"{url}?{urlencode({'q': search})}" if search else url


@require_http_methods(["GET", "HEAD"])
def clinic_changelist(request: HttpRequest, *, site: AdminSite) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:SEARCH_MAX]
    after = request.GET.get("after", "")[:AFTER_MAX]
    page = selectors.clinic_list(search=search, after=after)
    return render(
        request,
        "admin/clinics/clinic_list.html",
        _context(request, site, _("Clinics (DynamoDB)"), page=page, search=search, after=after),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def clinic_add(request: HttpRequest, *, site: AdminSite) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ClinicAddForm(request.POST)
        if form.is_valid():
            try:
                clinic = services.clinic_create(slug=form.cleaned_data["slug"], settings=form.clinic_settings())
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                logger.info("clinic %s (%s) created by user %s", clinic.tenant_id, clinic.slug, request.user.pk)
                messages.success(request, _("The clinic “%(name)s” was added.") % {"name": clinic.name})
                if form.cleaned_data.get("first_admin_email"):
                    _first_admin_invite(request, clinic, form.cleaned_data["first_admin_email"])
                return HttpResponseRedirect(_changelist_url(clinic.slug))
        status = 400
    else:
        form = ClinicAddForm(initial=asdict(ClinicSettings(name="")))  # a new clinic's defaults
    context = _context(request, site, _("Add clinic"), form=form, clinic=None)
    return render(request, "admin/clinics/clinic_form.html", context, status=status)


def _first_admin_invite(request: HttpRequest, clinic: Clinic, email: str) -> None:
    """Invite the new clinic's first Admin, with the e-mail the clinic's staff page sends."""
    assert isinstance(request.user, User)
    try:
        invitation = invitation_create(
            tenant_id=clinic.tenant_id, email=email, role=Role.ADMIN, invited_by=request.user
        )
    except ValidationError as exc:  # cannot happen for a clinic created a moment ago, but say so if it does
        messages.error(request, " ".join(exc.messages))
        return
    invitation_email_send(request, clinic, invitation)
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})


@require_http_methods(["GET", "HEAD", "POST"])
def clinic_change(request: HttpRequest, tenant_id: str, *, site: AdminSite) -> HttpResponse:
    clinic = _clinic_or_404(tenant_id)
    status = 200
    conflict = False
    if request.method == "POST":
        form = ClinicChangeForm(request.POST, current_time_zone=clinic.time_zone)
        if form.is_valid():
            try:
                clinic = services.clinic_update(
                    tenant_id=tenant_id, version=form.cleaned_data["version"], settings=form.clinic_settings()
                )
            except services.StaleClinic:
                conflict = True
                form.add_error(
                    None,
                    _(
                        "Someone else changed this clinic after you opened this page, so nothing was saved. "
                        "Reload the page to see the current values, then make your changes again."
                    ),
                )
                status = 409
            except ValidationError as exc:
                form.add_service_error(exc)
                status = 400
            else:
                logger.info("clinic %s (%s) changed by user %s", clinic.tenant_id, clinic.slug, request.user.pk)
                messages.success(request, _("The clinic “%(name)s” was changed.") % {"name": clinic.name})
                return HttpResponseRedirect(_changelist_url(clinic.slug))
        else:
            status = 400
    else:
        form = ClinicChangeForm(
            initial={**asdict(ClinicSettings.of(clinic)), "version": clinic.version},
            current_time_zone=clinic.time_zone,
        )
    context = _context(
        request, site, _("Change clinic"), form=form, clinic=clinic, conflict=conflict, subtitle=clinic.name
    )
    return render(request, "admin/clinics/clinic_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def clinic_suspend(request: HttpRequest, tenant_id: str, *, site: AdminSite) -> HttpResponse:
    """GET asks for confirmation (suspending stops every booking at once); POST suspends."""
    if request.method == "POST":
        return _suspension_set(request, tenant_id, suspend=True)
    clinic = _clinic_or_404(tenant_id)
    back = _safe_next(request, request.GET.get("next", ""), tenant_id)
    context = _context(request, site, _("Suspend online booking?"), clinic=clinic, back=back, subtitle=clinic.name)
    return render(request, "admin/clinics/clinic_suspend.html", context)


def _safe_next(request: HttpRequest, back: str, tenant_id: str) -> str:
    """Back to the page the button was on (the list with its search), or to the clinic; never off-site."""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return reverse("admin:clinics_clinic_change", args=[tenant_id])
    return back


@require_POST
def clinic_unsuspend(request: HttpRequest, tenant_id: str) -> HttpResponse:
    return _suspension_set(request, tenant_id, suspend=False)


def _suspension_set(request: HttpRequest, tenant_id: str, *, suspend: bool) -> HttpResponse:
    try:
        if suspend:
            clinic = services.clinic_suspend(tenant_id=tenant_id)
        else:
            clinic = services.clinic_unsuspend(tenant_id=tenant_id)
    except Clinic.DoesNotExist as exc:
        raise Http404("No such clinic") from exc
    except services.StaleClinic:
        messages.error(request, _("The clinic kept changing while we tried; please try again."))
    else:
        logger.info("clinic %s (%s) suspended=%s by user %s", tenant_id, clinic.slug, suspend, request.user.pk)
        if suspend:
            text = _("“%(name)s” is suspended: it accepts no bookings.")
        else:
            text = _("“%(name)s” accepts bookings again.")
        messages.success(request, text % {"name": clinic.name})
    return HttpResponseRedirect(_safe_next(request, request.POST.get("next", ""), tenant_id))
