"""Forms of the clinic admin pages; clinic_create / clinic_update validate the values again."""

from __future__ import annotations

import zoneinfo
from dataclasses import fields
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name, list_currencies
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinics import services
from clinics.clinic_settings import ClinicSettings


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

    def clinic_settings(self) -> ClinicSettings:
        """The cleaned data as the settings the services take (call after is_valid())."""
        return ClinicSettings(**{f.name: self.cleaned_data[f.name] for f in fields(ClinicSettings)})

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
