"""The block form: a professional's period in the clinic's wall-clock time, once or weekly.

The form reads what was typed; the rules (not in the past, at most 12 hours, on the 5-minute grid,
1 to 52 weeks) are the service's, which says why in words the page shows next to the form.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.blocks import MAX_WEEKS
from booking.models import BlockReason
from clinics.models import Professional

# An <input type="date"> or "time" takes ISO values only, whatever the language of the page.
# Django marks a field with errors aria-invalid="true": its border turns red.
INPUT = {"class": "field-input aria-[invalid=true]:border-red-500 aria-[invalid=true]:bg-red-50/40"}

REASON_LABELS = {
    BlockReason.MEETING: gettext_lazy("Meeting"),
    BlockReason.TRAINING: gettext_lazy("Training"),
    BlockReason.REPAIR: gettext_lazy("Repair"),
    BlockReason.OTHER: gettext_lazy("Other"),
}


def reason_label(reason: str) -> str:
    return str(REASON_LABELS.get(reason, REASON_LABELS[BlockReason.OTHER]))


class BlockForm(forms.Form):
    professional = forms.ChoiceField(label=gettext_lazy("Professional"))
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=gettext_lazy("From"), widget=forms.TimeInput(attrs={**INPUT, "type": "time", "step": 300}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=gettext_lazy("To"), widget=forms.TimeInput(attrs={**INPUT, "type": "time", "step": 300}, format="%H:%M")
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"), choices=list(REASON_LABELS.items()), initial=BlockReason.MEETING
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": gettext_lazy("Team meeting, chair 2 repair…")}),
    )
    repeat = forms.BooleanField(label=gettext_lazy("Repeat weekly"), required=False)
    weeks = forms.IntegerField(
        label=gettext_lazy("For how many weeks"),
        required=False,
        min_value=1,
        max_value=MAX_WEEKS,
        initial=4,
        widget=forms.NumberInput(attrs={**INPUT, "min": 1, "max": MAX_WEEKS}),
    )

    def __init__(
        self, *args: Any, professionals: Sequence[Professional], zone: zoneinfo.ZoneInfo, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        field = self.fields["professional"]
        field.choices = [(p.professional_id, p.name) for p in professionals]  # type: ignore[attr-defined]
        field.widget.attrs.update(INPUT)
        self.fields["reason"].widget.attrs.update(INPUT)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, start_time, end_time = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        if cleaned.get("repeat"):
            if cleaned.get("weeks") is None and "weeks" not in self.errors:
                self.add_error("weeks", _("Say for how many weeks (1 to 52)."))
            weeks = cleaned.get("weeks") or 1
        else:
            weeks = 1
        cleaned["weeks_total"] = weeks
        if day is None or start_time is None or end_time is None:
            return cleaned
        # "To 00:00" is the end of the day.
        end_day = day + dt.timedelta(days=1) if end_time == dt.time(0) else day
        try:
            cleaned["start"] = _local(day, start_time, self.zone)
            cleaned["end"] = _local(end_day, end_time, self.zone)
        except OverflowError:
            self.add_error("date", _("Enter a valid date."))
        return cleaned


def _local(day: dt.date, time: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """A wall-clock time of the clinic as a UTC instant; seconds typed by hand are kept, for the grid rule."""
    return dt.datetime.combine(day, time.replace(tzinfo=None), tzinfo=zone).astimezone(dt.UTC)
