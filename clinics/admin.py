"""The platform admin (``/admin/``): memberships and invitations (ORM), and the clinics (DynamoDB).

Clinics are not ORM models, so they get plain function views instead of a ModelAdmin:
``admin.site.admin_view`` wraps each one (active staff only, CSRF, never cached), the
URLs are put in front of the site's own, and ``get_app_list`` lists them under "Clinics"
on the index and in the sidebar like any registered model.

Any active staff user may list, create, edit and suspend clinics; superuser status and
model permissions are not required for these pages (platform staff are the Owner role in
``clinics.permissions``). Memberships and invitations follow Django's model permissions.
"""

from __future__ import annotations

import functools
import logging
import zoneinfo
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name, list_currencies
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clinics import selectors, services
from clinics.models import Clinic

logger = logging.getLogger(__name__)

APP_LABEL = "clinics"
SEARCH_MAX = 100
# Sort keys are limited to 1024 bytes; a longer ``after`` could only come from a forged URL.
AFTER_MAX = 200

# ---------------------------------------------------------------- clinics (DynamoDB): forms


def _locale() -> Locale:
    try:
        return Locale.parse(translation.to_locale(translation.get_language() or "es"))
    except (UnknownLocaleError, ValueError):
        return Locale("en")


def _time_zone_choices(current: str | None = None) -> list[tuple[str, str]]:
    # Canonical Area/City names only; an older clinic's legacy alias stays selectable.
    names = {z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/"))}
    names.add("UTC")
    if current:
        names.add(current)
    return [(z, z) for z in sorted(names)]


def _country_choices() -> list[tuple[str, str]]:
    territories = _locale().territories
    codes = [code for code in Locale("en").territories if isinstance(code, str) and len(code) == 2 and code.isalpha()]
    return sorted(((code, f"{territories.get(code, code)} ({code})") for code in codes), key=lambda c: c[1])


def _currency_choices() -> list[tuple[str, str]]:
    locale = _locale()
    return [(code, f"{code} · {get_currency_name(code, locale=locale)}") for code in sorted(list_currencies())]


WIDE = {"class": "vTextField"}  # the admin's own width for text fields


class ClinicForm(forms.Form):
    """The settings staff may change; clinic_create / clinic_update validate them again."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=120, widget=forms.TextInput(attrs=WIDE))
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"))
    country = forms.ChoiceField(label=gettext_lazy("Country"))
    currency = forms.ChoiceField(label=gettext_lazy("Currency"))
    address = forms.CharField(
        label=gettext_lazy("Street address"), max_length=200, required=False, widget=forms.TextInput(attrs=WIDE)
    )
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False, widget=forms.EmailInput(attrs=WIDE))
    grid_minutes = forms.TypedChoiceField(
        label=gettext_lazy("Time grid (minutes)"),
        coerce=int,
        choices=[(m, str(m)) for m in services.GRID_CHOICES],
        help_text=gettext_lazy("Start times are offered on this grid."),
    )
    min_notice_minutes = forms.IntegerField(
        label=gettext_lazy("Minimum notice (minutes)"),
        min_value=0,
        max_value=60 * 24 * 30,
        help_text=gettext_lazy("How long before its start a time can still be booked online."),
    )
    max_advance_days = forms.IntegerField(
        label=gettext_lazy("Maximum advance (days)"),
        min_value=0,
        max_value=730,
        help_text=gettext_lazy("How many days ahead patients can book."),
    )
    cancellation_cutoff_hours = forms.IntegerField(
        label=gettext_lazy("Cancellation cutoff (hours)"),
        min_value=0,
        max_value=24 * 30,
        help_text=gettext_lazy("Patients can cancel online until this many hours before the appointment."),
    )

    def __init__(self, *args: Any, current_time_zone: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["time_zone"].choices = _time_zone_choices(current_time_zone)
        fields["country"].choices = _country_choices()
        fields["currency"].choices = _currency_choices()

    required_css_class = "required"  # admin CSS shows these labels in bold

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The visible fields in the groups the page shows them in."""
        groups = (
            (_("Clinic"), ("name", "slug", "address", "phone", "email")),
            (_("Region"), ("time_zone", "country", "currency")),
            (
                _("Online booking rules"),
                ("grid_minutes", "min_notice_minutes", "max_advance_days", "cancellation_cutoff_hours"),
            ),
        )
        return [(title, [self[name] for name in names if name in self.fields]) for title, names in groups]

    def add_service_error(self, exc: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names (or above the form)."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for field, errors in exc.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)


class ClinicAddForm(ClinicForm):
    slug = forms.SlugField(
        label=gettext_lazy("Web address (slug)"),
        max_length=50,
        help_text=gettext_lazy("The public booking page is /c/<slug>/. It cannot be changed later."),
    )

    field_order = ("name", "slug")

    def clean_slug(self) -> str:
        return str(self.cleaned_data["slug"]).lower()


class ClinicChangeForm(ClinicForm):
    # The version read with the page: saving over a newer one is refused (optimistic locking).
    version = forms.IntegerField(widget=forms.HiddenInput)


CLINIC_INITIAL = {
    "time_zone": "America/Bogota",
    "country": "CO",
    "currency": "COP",
    "grid_minutes": 15,
    "min_notice_minutes": 120,
    "max_advance_days": 60,
    "cancellation_cutoff_hours": 24,
}
SETTINGS_FIELDS = services.CLINIC_SETTINGS_FIELDS


# ---------------------------------------------------------------- clinics (DynamoDB): views


def _context(request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
    request.current_app = admin.site.name
    return {**admin.site.each_context(request), "title": title, "directory_title": _("Clinics (DynamoDB)"), **extra}


def _clinic_or_404(tenant_id: str) -> Clinic:
    try:
        return selectors.clinic_get(tenant_id=tenant_id)
    except selectors.NotFound as exc:
        raise Http404("No such clinic") from exc


def _changelist_url(search: str = "") -> str:
    url = reverse("admin:clinics_clinic_changelist")
    return f"{url}?{urlencode({'q': search})}" if search else url


@require_http_methods(["GET", "HEAD"])
def clinic_changelist(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:SEARCH_MAX]
    after = request.GET.get("after", "")[:AFTER_MAX]
    page = selectors.clinic_list(search=search, after=after)
    return render(
        request,
        "admin/clinics/clinic_list.html",
        _context(request, _("Clinics (DynamoDB)"), page=page, search=search, after=after),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def clinic_add(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ClinicAddForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                clinic = services.clinic_create(slug=data["slug"], **{f: data[f] for f in SETTINGS_FIELDS})
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                logger.info("clinic %s (%s) created by %s", clinic.tenant_id, clinic.slug, request.user)
                messages.success(request, _("The clinic “%(name)s” was added.") % {"name": clinic.name})
                return HttpResponseRedirect(_changelist_url(clinic.slug))
        status = 400
    else:
        form = ClinicAddForm(initial=CLINIC_INITIAL)
    context = _context(request, _("Add clinic"), form=form, clinic=None)
    return render(request, "admin/clinics/clinic_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def clinic_change(request: HttpRequest, tenant_id: str) -> HttpResponse:
    clinic = _clinic_or_404(tenant_id)
    status = 200
    conflict = False
    if request.method == "POST":
        form = ClinicChangeForm(request.POST, current_time_zone=clinic.time_zone)
        if form.is_valid():
            data = form.cleaned_data
            try:
                clinic = services.clinic_update(
                    tenant_id=tenant_id, version=data["version"], **{f: data[f] for f in SETTINGS_FIELDS}
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
                logger.info("clinic %s (%s) changed by %s", clinic.tenant_id, clinic.slug, request.user)
                messages.success(request, _("The clinic “%(name)s” was changed.") % {"name": clinic.name})
                return HttpResponseRedirect(_changelist_url(clinic.slug))
        else:
            status = 400
    else:
        initial = {f: getattr(clinic, f) for f in SETTINGS_FIELDS}
        form = ClinicChangeForm(
            initial={**initial, "version": clinic.version, "grid_minutes": int(clinic.grid_minutes)},
            current_time_zone=clinic.time_zone,
        )
    context = _context(request, _("Change clinic"), form=form, clinic=clinic, conflict=conflict, subtitle=clinic.name)
    return render(request, "admin/clinics/clinic_form.html", context, status=status)


@require_POST
def clinic_suspend(request: HttpRequest, tenant_id: str) -> HttpResponse:
    return _suspension_set(request, tenant_id, suspend=True)


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
        logger.info("clinic %s (%s) suspended=%s by %s", tenant_id, clinic.slug, suspend, request.user)
        if suspend:
            text = _("“%(name)s” is suspended: it accepts no bookings.")
        else:
            text = _("“%(name)s” accepts bookings again.")
        messages.success(request, text % {"name": clinic.name})
    # Back to the list the button was on (with its search), or to the clinic; never off-site.
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("admin:clinics_clinic_change", args=[tenant_id])
    return HttpResponseRedirect(back)


def clinic_admin_urls() -> list[URLPattern]:
    wrap = admin.site.admin_view
    return [
        path("clinics/clinic/", wrap(clinic_changelist), name="clinics_clinic_changelist"),
        path("clinics/clinic/add/", wrap(clinic_add), name="clinics_clinic_add"),
        path("clinics/clinic/<str:tenant_id>/change/", wrap(clinic_change), name="clinics_clinic_change"),
        path("clinics/clinic/<str:tenant_id>/suspend/", wrap(clinic_suspend), name="clinics_clinic_suspend"),
        path("clinics/clinic/<str:tenant_id>/unsuspend/", wrap(clinic_unsuspend), name="clinics_clinic_unsuspend"),
    ]


# ---------------------------------------------------------------- hooking into admin.site
# Wrapping the default site's two methods keeps ``admin.site`` (and nexioq/urls.py) as they
# are; a custom AdminSite subclass would have to replace the default site project-wide.

_site_get_urls = admin.site.get_urls
_site_get_app_list = admin.site.get_app_list


def _get_urls() -> list[URLPattern | URLResolver]:
    # In front: the site's own patterns end with a catch-all.
    # The clinics app registers no ORM model, so Django builds no app index for it: add one.
    app_index = admin.site.admin_view(functools.partial(admin.site.app_index, app_label=APP_LABEL))
    return [*clinic_admin_urls(), path("clinics/", app_index, name="clinics_app_index"), *_site_get_urls()]


def _get_app_list(request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
    app_list: list[dict[str, Any]] = _site_get_app_list(request, app_label)
    if app_label not in (None, APP_LABEL) or not admin.site.has_permission(request):
        return app_list
    entry = {
        "model": None,  # no ORM model behind it
        "name": _("Clinics (DynamoDB)"),
        "object_name": "Clinic",
        "perms": {"add": True, "change": True, "delete": False, "view": True},
        "admin_url": reverse("admin:clinics_clinic_changelist", current_app=admin.site.name),
        "add_url": reverse("admin:clinics_clinic_add", current_app=admin.site.name),
        "view_only": False,
    }
    app = next((a for a in app_list if a["app_label"] == APP_LABEL), None)
    if app is None:
        # A staff user without permissions on memberships still manages clinics.
        app = {
            "name": _("Clinics"),
            "app_label": APP_LABEL,
            "app_url": reverse("admin:clinics_app_index", current_app=admin.site.name),
            "has_module_perms": True,
            "models": [],
        }
        app_list.append(app)
        app_list.sort(key=lambda a: str(a["name"]).lower())
    app["models"].insert(0, entry)
    return app_list


admin.site.get_urls = _get_urls  # type: ignore[method-assign]
admin.site.get_app_list = _get_app_list  # type: ignore[method-assign]
