"""Forms of the panel's settings and closures pages; the services validate the values again."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinics.forms import ClinicSettingsForm

# Django marks a field with errors aria-invalid="true": its border turns red.
INPUT = {"class": "field-input aria-[invalid=true]:border-red-500 aria-[invalid=true]:bg-red-50/40"}
CHECKBOX = {"class": "mt-0.5 h-4 w-4 shrink-0 rounded border-slate-300 text-brand-600 focus:ring-brand-500"}


class SettingsForm(ClinicSettingsForm):
    """Everything a clinic's admin may set on it (the slug is fixed at creation), in the panel's style."""

    # The version read with the page: saving over a newer one is refused (optimistic locking).
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.update(CHECKBOX)
            elif not field.widget.is_hidden:
                field.widget.attrs.update(INPUT)
        phone = self.fields["phone"]
        phone.widget.input_type = "tel"  # type: ignore[attr-defined]
        phone.widget.attrs["autocomplete"] = "tel"
        phone.help_text = gettext_lazy("A number of the clinic's country, or any number starting with +.")

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        groups = (
            (_("Clinic"), ("name", "address", "phone", "email")),
            (_("Region"), ("country", "time_zone", "language", "currency")),
            (
                _("Online booking rules"),
                ("grid_minutes", "min_notice_minutes", "max_advance_days", "cancellation_cutoff_hours"),
            ),
            (_("Reminders"), ("reminder_offsets", "notify_clinic")),
        )
        return [(title, [self[name] for name in names]) for title, names in groups]


class ClosureForm(forms.Form):
    """A closure in the clinic's wall-clock time: whole days, or from a date and time to another.

    Without times the closure covers the days from ``start_date`` to ``end_date`` inclusive;
    with both times, it runs from ``start_date start_time`` to ``end_date end_time`` (the same
    day when ``end_date`` is empty).
    """

    start_date = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=gettext_lazy("From (time)"), required=False, widget=forms.TimeInput(attrs={**INPUT, "type": "time"})
    )
    end_date = forms.DateField(
        label=gettext_lazy("Until"),
        required=False,
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d"),
    )
    end_time = forms.TimeField(
        label=gettext_lazy("Until (time)"), required=False, widget=forms.TimeInput(attrs={**INPUT, "type": "time"})
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": gettext_lazy("Holiday, renovation…")}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, zone: zoneinfo.ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start_date = cleaned.get("start_date")
        end_date = cleaned.get("end_date") or start_date
        start_time, end_time = cleaned.get("start_time"), cleaned.get("end_time")
        if start_date is None or self.errors:
            return cleaned
        if (start_time is None) != (end_time is None):
            missing = "end_time" if end_time is None else "start_time"
            self.add_error(missing, _("Give both times, or none for whole days."))
            return cleaned
        assert end_date is not None
        try:
            if start_time is None:
                start = _local(start_date, dt.time(0), self.zone)
                end = _local(end_date + dt.timedelta(days=1), dt.time(0), self.zone)
            else:
                assert end_time is not None
                start = _local(start_date, start_time, self.zone)
                end = _local(end_date, end_time, self.zone)
        except OverflowError:
            self.add_error("end_date", _("Enter a valid date."))
            return cleaned
        if end <= start:
            self.add_error(
                "end_date" if cleaned.get("end_date") else "end_time", _("The closure must end after it starts.")
            )
            return cleaned
        cleaned["start"], cleaned["end"] = start, end
        return cleaned


def _local(day: dt.date, time: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """A wall-clock time of the clinic as a UTC instant; a time skipped by a DST change moves past the gap."""
    local = dt.datetime.combine(day, time.replace(tzinfo=None, second=0, microsecond=0), tzinfo=zone)
    return local.astimezone(dt.UTC)


class ClosureDecisionForm(ClosureForm):
    """The second step when bookings fall inside the new closure: keep them, or cancel them with a reason."""

    decision = forms.ChoiceField(
        choices=[("keep", gettext_lazy("Keep them")), ("cancel", gettext_lazy("Cancel them"))],
        widget=forms.RadioSelect,
    )
    cancel_reason = forms.CharField(label=gettext_lazy("Reason given to the patients"), max_length=300, required=False)
    # The bookings the admin was shown: nothing else is cancelled.
    seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("decision") == "cancel" and not (cleaned.get("cancel_reason") or "").strip():
            self.add_error("cancel_reason", _("Tell the patients why their appointment is cancelled."))
        cleaned["seen_ids"] = frozenset(s for s in (cleaned.get("seen") or "").split(",") if s)
        return cleaned


class ClosureRemoveForm(forms.Form):
    start = forms.DateTimeField()
    end = forms.DateTimeField()
    version = forms.IntegerField()
