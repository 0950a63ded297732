"""The form of a clinic's settings, one for Django admin and the clinic's panel."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinics import choices, services
from clinics.clinic_settings import ClinicSettings
from clinics.fields import RemindersField


class ClinicSettingsForm(forms.Form):
    """A clinic's settings, for Django admin and the clinic's panel alike (each styles its widgets);
    clinic_create / clinic_update validate the values again."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"))
    country = forms.ChoiceField(label=gettext_lazy("Country"))
    currency = forms.ChoiceField(label=gettext_lazy("Currency"))
    language = forms.ChoiceField(label=gettext_lazy("Language of messages to patients"), choices=settings.LANGUAGES)
    address = forms.CharField(label=gettext_lazy("Street address"), max_length=200, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    grid_minutes = forms.TypedChoiceField(
        label=gettext_lazy("Time grid (minutes)"),
        coerce=int,
        choices=[(m, str(m)) for m in services.GRID_CHOICES],
        help_text=gettext_lazy("Start times are offered on this grid."),
    )
    min_notice_minutes = forms.IntegerField(
        label=gettext_lazy("Minimum notice (minutes)"),
        min_value=0,
        max_value=services.MAX_NOTICE_MINUTES,
        help_text=gettext_lazy("How long before its start a time can still be booked online."),
    )
    max_advance_days = forms.IntegerField(
        label=gettext_lazy("Maximum advance (days)"),
        min_value=0,
        max_value=services.MAX_ADVANCE_DAYS,
        help_text=gettext_lazy("How many days ahead patients can book."),
    )
    cancellation_cutoff_hours = forms.IntegerField(
        label=gettext_lazy("Cancellation cutoff (hours)"),
        min_value=0,
        max_value=services.MAX_CUTOFF_HOURS,
        help_text=gettext_lazy("Patients can cancel online until this many hours before the appointment."),
    )
    reminder_offsets = RemindersField(
        label=gettext_lazy("Reminders before the appointment"),
        required=False,
        max_length=100,
        help_text=gettext_lazy(
            "Up to three, separated by commas, such as “24 h, 2 h” or “30 min”. Empty: no reminders."
        ),
    )
    notify_clinic = forms.BooleanField(
        label=gettext_lazy("E-mail the clinic about new bookings and cancellations, and the next day's agenda"),
        required=False,
        help_text=gettext_lazy("Sent to the clinic's e-mail address above."),
    )

    def __init__(self, *args: Any, current_time_zone: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["time_zone"].choices = choices.time_zone_choices(current_time_zone)
        fields["country"].choices = choices.country_choices()
        fields["currency"].choices = choices.currency_choices()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        phone, country = cleaned.get("phone"), cleaned.get("country")
        if phone and country:
            try:
                cleaned["phone"] = choices.phone_normalize(phone, country=country)
            except choices.InvalidPhone:
                self.add_error("phone", _("Enter a phone number that can be dialled, such as +57 601 555 0100."))
        return cleaned

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The visible fields in the groups the page shows them in."""
        groups = (
            (_("Clinic"), ("name", "slug", "address", "phone", "email", "first_admin_email")),
            (_("Region"), ("time_zone", "country", "currency", "language")),
            (
                _("Online booking rules"),
                ("grid_minutes", "min_notice_minutes", "max_advance_days", "cancellation_cutoff_hours"),
            ),
            (_("Reminders"), ("reminder_offsets", "notify_clinic")),
        )
        return [(title, [self[name] for name in names if name in self.fields]) for title, names in groups]

    def clinic_settings(self, current: ClinicSettings | None = None) -> ClinicSettings:
        """The cleaned data as the settings the services take (call after is_valid()).

        Settings this form does not show keep their ``current`` values, or a new clinic's defaults.
        """
        base = current or ClinicSettings(name="")
        shown = {name: value for name, value in self.cleaned_data.items() if hasattr(base, name)}
        return replace(base, **shown)

    def add_service_error(self, exc: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names (or above the form)."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for field, errors in exc.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)
