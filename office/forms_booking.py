"""Input of a booking's details panel (cancel, reschedule, attendance, internal note) and of the day view.

Forms validate what arrives; the services decide (and check again) what may be done.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.models import BookingStatus
from booking.services import STAFF_HORIZON_DAYS

# Django marks a field with errors aria-invalid="true": its border turns red.
INPUT = {"class": "field-input aria-[invalid=true]:border-red-500 aria-[invalid=true]:bg-red-50/40"}
# How far back the day view and a reschedule's date may go: older agendas are for reports.
PAST_DAYS = 5 * 366
REASON_MAX = 500
NOTE_MAX = 2000


def _printable(value: str, *, newlines: bool = False) -> str:
    """Control and bidirectional-override characters never reach a booking (they would garble the agenda)."""
    return "".join(c for c in value if c.isprintable() or (newlines and c == "\n")).strip()


def date_in_range(value: dt.date, *, today: dt.date) -> dt.date:
    """A day the back office can show: a few years back, up to the staff's booking horizon ahead."""
    if value < today - dt.timedelta(days=PAST_DAYS):
        raise forms.ValidationError(_("That date is too far in the past. Choose a date within the last five years."))
    if value > today + dt.timedelta(days=STAFF_HORIZON_DAYS):
        raise forms.ValidationError(_("That date is too far ahead. Choose a date within the next two years."))
    return value


class DayForm(forms.Form):
    """The day view's query: ``?date=YYYY-MM-DD`` (default today) and optionally one professional."""

    date = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter a valid date as YYYY-MM-DD, e.g. 2026-12-01.")},
    )
    professional = forms.CharField(required=False, max_length=64)

    def __init__(self, *args: Any, today: dt.date, professional_ids: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.professional_ids = professional_ids

    def clean_date(self) -> dt.date:
        value = self.cleaned_data.get("date")
        return self.today if value is None else date_in_range(value, today=self.today)

    def clean_professional(self) -> str:
        value = self.cleaned_data.get("professional") or ""
        if value and value not in self.professional_ids:
            raise forms.ValidationError(_("Choose a professional from the list."))
        return value


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={**INPUT, "rows": 2, "maxlength": REASON_MAX}),
        error_messages={"required": _("Say why the appointment is cancelled: the history keeps it.")},
    )

    def clean_reason(self) -> str:
        reason = _printable(self.cleaned_data["reason"])
        if not reason:
            raise forms.ValidationError(_("Say why the appointment is cancelled: the history keeps it."))
        return reason


class MarkForm(forms.Form):
    outcome = forms.ChoiceField(choices=[(o, o) for o in BookingStatus.OUTCOMES])


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Internal note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={**INPUT, "rows": 3, "maxlength": NOTE_MAX}),
        help_text=_("Only the clinic's staff see it; the patient never does."),
    )
    # The version the note was read at: a note saved meanwhile by someone else is not overwritten.
    version = forms.IntegerField(min_value=0, max_value=10**9, widget=forms.HiddenInput)

    def clean_note(self) -> str:
        return _printable(self.cleaned_data.get("note") or "", newlines=True).replace("\r", "")


class RescheduleForm(forms.Form):
    """A new date and time on the clinic's wall clock, and the professional (staff only may choose)."""

    date = forms.DateField(
        label=_("Date"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a valid date as YYYY-MM-DD, e.g. 2026-12-01.")},
    )
    time = forms.TimeField(
        label=_("Time"),
        input_formats=["%H:%M"],
        widget=forms.TimeInput(attrs={**INPUT, "type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter a valid time as HH:MM, e.g. 09:30.")},
    )
    professional = forms.ChoiceField(label=_("Professional"), widget=forms.Select(attrs=INPUT))

    def __init__(
        self,
        *args: Any,
        today: dt.date,
        zone: zoneinfo.ZoneInfo,
        professionals: list[tuple[str, str]],
        grid_minutes: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.zone = zone
        self.fields["professional"].choices = professionals  # type: ignore[attr-defined]
        self.fields["time"].widget.attrs["step"] = str(max(int(grid_minutes), 1) * 60)

    def clean_date(self) -> dt.date:
        return date_in_range(self.cleaned_data["date"], today=self.today)

    @property
    def start(self) -> dt.datetime:
        """The new start as a UTC instant; only after ``is_valid()``."""
        return self.cleaned_data["start"]  # type: ignore[no-any-return]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, time = data.get("date"), data.get("time")
        if day is not None and time is not None:
            local = dt.datetime.combine(day, time, tzinfo=self.zone)
            start = local.astimezone(dt.UTC)
            # A wall-clock time skipped by a daylight-saving change does not exist: say so, do not guess.
            if start.astimezone(self.zone).replace(tzinfo=None) != local.replace(tzinfo=None):
                self.add_error("time", _("That time does not exist on that day (the clocks change). Choose another."))
            else:
                data["start"] = start
        return data
