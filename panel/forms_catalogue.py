"""Input of the panel's catalogue pages. Forms validate and shape values; services write (and check again)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.forms import InstantField
from clinics import services
from clinics.models import Professional, Treatment

# Rows of the hours editor per day: enough for a morning, an afternoon and an evening with breaks.
MAX_ROWS_PER_DAY = 6
HOURS_FIELD = re.compile(r"^h-([0-6])-([0-9])-(start|end)$")
# Dates outside these years are refused before any arithmetic can overflow.
FIRST_YEAR, LAST_YEAR = 2000, 2100
VERSION_MAX = 10**9


class ServiceErrors(forms.Form):
    """Styles the inputs, and shows a service's ValidationError on the fields it names (or above the form)."""

    def style(self) -> None:
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.HiddenInput):
                # Date and time inputs may shrink inside narrow columns (a phone, the time-off card).
                narrow = isinstance(field.widget, forms.TimeInput | forms.DateInput)
                css = "field-input min-w-0 !px-2" if narrow else "field-input"
                if getattr(field.widget, "input_type", "") == "color":
                    css = "mt-1 h-10 w-20 rounded-lg border border-slate-300 bg-white p-1"
                field.widget.attrs.setdefault("class", css)

    def add_service_error(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, errors in exc.error_dict.items():
            self.add_error(name if name in self.fields else None, errors)


def _version_field() -> forms.IntegerField:
    # The version read with the page: saving over a newer one is refused (optimistic locking).
    return forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)


class TreatmentForm(ServiceErrors):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=services.NAME_MAX)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=services.DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    duration_minutes = forms.IntegerField(label=gettext_lazy("Duration (minutes)"), min_value=1, max_value=10_000)
    buffer_before_minutes = forms.IntegerField(
        label=gettext_lazy("Buffer before (minutes)"),
        min_value=0,
        max_value=10_000,
        initial=0,
        help_text=gettext_lazy("Preparation time kept free before the appointment."),
    )
    buffer_after_minutes = forms.IntegerField(
        label=gettext_lazy("Buffer after (minutes)"),
        min_value=0,
        max_value=10_000,
        initial=0,
        help_text=gettext_lazy("Cleaning time kept free after the appointment."),
    )
    price = forms.DecimalField(
        label=gettext_lazy("Price"), min_value=Decimal(0), max_value=services.PRICE_MAX, decimal_places=2
    )
    professional_ids = forms.MultipleChoiceField(
        label=gettext_lazy("Who performs it"), required=False, widget=forms.CheckboxSelectMultiple
    )
    version = _version_field()

    def __init__(self, *args: Any, professionals: list[Professional], grid_minutes: int, new: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.grid_minutes = grid_minutes
        fields: dict[str, Any] = self.fields
        inactive = _("inactive")
        fields["professional_ids"].choices = [
            (p.professional_id, p.name if p.active else f"{p.name} ({inactive})") for p in professionals
        ]
        fields["duration_minutes"].widget.attrs.update(step=grid_minutes, min=grid_minutes)
        fields["duration_minutes"].help_text = _("In steps of %(grid)s minutes, the clinic's time grid.") % {
            "grid": grid_minutes
        }
        for name in ("buffer_before_minutes", "buffer_after_minutes"):
            fields[name].widget.attrs.update(step=5)
        if new:
            del fields["version"]
        self.style()

    @classmethod
    def initial_of(cls, treatment: Treatment, professionals: list[Professional]) -> dict[str, Any]:
        return {
            "name": treatment.name,
            "description": treatment.description,
            "duration_minutes": int(treatment.duration_minutes),
            "buffer_before_minutes": int(treatment.buffer_before_minutes),
            "buffer_after_minutes": int(treatment.buffer_after_minutes),
            "price": treatment.price,
            "professional_ids": [p.professional_id for p in professionals if treatment.treatment_id in p.treatment_ids],
            "version": treatment.version,
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                services.treatment_values_clean(self.values(cleaned), grid_minutes=self.grid_minutes)
            except ValidationError as exc:
                self.add_service_error(exc)
        return cleaned

    def values(self, cleaned: dict[str, Any] | None = None) -> services.TreatmentValues:
        data = self.cleaned_data if cleaned is None else cleaned
        return services.TreatmentValues(
            name=data["name"],
            description=data.get("description") or "",
            duration_minutes=data["duration_minutes"],
            buffer_before_minutes=data.get("buffer_before_minutes") or 0,
            buffer_after_minutes=data.get("buffer_after_minutes") or 0,
            price=data["price"],
        )


@dataclass(frozen=True)
class HoursRow:
    start: forms.BoundField
    end: forms.BoundField


@dataclass(frozen=True)
class HoursDay:
    weekday: int
    label: str
    rows: list[HoursRow]
    can_add: bool


def _hhmm(value: str) -> dt.time | None:
    try:
        parsed = dt.time.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.second or parsed.microsecond or parsed.tzinfo is not None:
        return None
    return parsed


class ProfessionalForm(ServiceErrors):
    """Name, colour, treatments, the staff account and the weekly hours editor.

    Hours are fields ``h-<weekday>-<row>-start`` and ``-end``: every day shows its ranges and one
    empty row, and "Add a range" (a submit button, swapped in place by htmx) adds another, so
    several ranges a day (breaks) work without JavaScript too. Errors go on the row's field.
    """

    name = forms.CharField(label=gettext_lazy("Name"), max_length=services.NAME_MAX)
    specialty = forms.CharField(label=gettext_lazy("Specialty"), max_length=services.SPECIALTY_MAX, required=False)
    color = forms.RegexField(
        label=gettext_lazy("Colour in the calendar"),
        regex=services.COLOR_RE,
        error_messages={"invalid": gettext_lazy("Use a colour like #0d9488.")},
        widget=forms.TextInput(attrs={"type": "color"}),
        initial=services.PALETTE[0],
    )
    treatment_ids = forms.MultipleChoiceField(
        label=gettext_lazy("Treatments performed"), required=False, widget=forms.CheckboxSelectMultiple
    )
    account = forms.ChoiceField(
        label=gettext_lazy("Staff account"),
        required=False,
        help_text=gettext_lazy("The dentist who signs in with this account sees this agenda as their own."),
    )
    version = _version_field()

    def __init__(
        self,
        *args: Any,
        treatments: list[Treatment],
        accounts: list[tuple[str, str]],
        new: bool,
        add_row_to: int | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        inactive = _("inactive")
        fields["treatment_ids"].choices = [
            (t.treatment_id, t.name if t.active else f"{t.name} ({inactive})") for t in treatments
        ]
        fields["account"].choices = [("", _("No account")), *accounts]
        if new:
            del fields["version"]
        self.rows = self._row_counts(add_row_to)
        for weekday, count in self.rows.items():
            for row in range(count):
                for end in ("start", "end"):
                    fields[f"h-{weekday}-{row}-{end}"] = forms.CharField(
                        required=False,
                        max_length=8,
                        label=_("Until") if end == "end" else _("From"),
                        widget=forms.TimeInput(
                            attrs={"type": "time", "step": 300, "class": "field-input !mt-0 min-w-0 !px-2"}
                        ),
                    )
        self.style()

    def _row_counts(self, add_row_to: int | None) -> dict[int, int]:
        """Rows per day: what was posted (or the stored ranges), and one empty row to type into."""
        counts = dict.fromkeys(range(7), 0)
        if self.is_bound:
            for key in self.data:
                match = HOURS_FIELD.match(key)
                if match:
                    weekday, row = int(match[1]), int(match[2])
                    counts[weekday] = max(counts[weekday], row + 1)
        else:
            for key in self.initial:
                match = HOURS_FIELD.match(key)
                if match:
                    weekday, row = int(match[1]), int(match[2])
                    counts[weekday] = max(counts[weekday], row + 2)
        if add_row_to is not None and add_row_to in counts:
            counts[add_row_to] += 1
        return {weekday: min(max(count, 1), MAX_ROWS_PER_DAY) for weekday, count in counts.items()}

    @staticmethod
    def initial_of(professional: Professional, account: str) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": professional.name,
            "specialty": professional.specialty,
            "color": professional.color,
            "treatment_ids": sorted(professional.treatment_ids),
            "account": account,
            "version": professional.version,
        }
        rows = dict.fromkeys(range(7), 0)
        for work in sorted(professional.weekly_hours, key=lambda r: (r.weekday, r.start)):
            row = rows[work.weekday]
            if row < MAX_ROWS_PER_DAY:
                initial[f"h-{work.weekday}-{row}-start"] = work.start
                initial[f"h-{work.weekday}-{row}-end"] = work.end
                rows[work.weekday] += 1
        return initial

    def days(self) -> list[HoursDay]:
        return [
            HoursDay(
                weekday=weekday,
                label=str(WEEKDAYS[weekday]),
                rows=[
                    HoursRow(self[f"h-{weekday}-{row}-start"], self[f"h-{weekday}-{row}-end"]) for row in range(count)
                ],
                can_add=count < MAX_ROWS_PER_DAY,
            )
            for weekday, count in self.rows.items()
        ]

    def day(self, weekday: int) -> HoursDay:
        return self.days()[weekday]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        hours: dict[int, list[tuple[str, str]]] = {}
        for weekday, count in self.rows.items():
            ranges: list[tuple[dt.time, dt.time, int]] = []
            for row in range(count):
                start_name, end_name = f"h-{weekday}-{row}-start", f"h-{weekday}-{row}-end"
                start_raw, end_raw = cleaned.get(start_name) or "", cleaned.get(end_name) or ""
                if not start_raw and not end_raw:
                    continue
                start, end = _hhmm(start_raw), _hhmm(end_raw)
                problem = False
                for name, raw, parsed in ((start_name, start_raw, start), (end_name, end_raw, end)):
                    if not raw:
                        self.add_error(name, _("Enter both times of the range."))
                        problem = True
                    elif parsed is None or parsed.minute % 5:
                        self.add_error(name, _("Use a time like 09:00, in steps of 5 minutes."))
                        problem = True
                if problem or start is None or end is None:
                    continue
                if end <= start:
                    self.add_error(end_name, _("The range must end after it starts."))
                    continue
                ranges.append((start, end, row))
            ranges.sort()
            for (_s, previous_end, _r), (start, _e, row) in itertools.pairwise(ranges):
                if start < previous_end:
                    self.add_error(
                        f"h-{weekday}-{row}-start",
                        _("This range overlaps another range of the same day."),
                    )
            if ranges:
                hours[weekday] = [(f"{s:%H:%M}", f"{e:%H:%M}") for s, e, _r in ranges]
        cleaned["weekly_hours"] = hours
        return cleaned

    def values(self) -> services.ProfessionalValues:
        data = self.cleaned_data
        return services.ProfessionalValues(
            name=data["name"],
            specialty=data.get("specialty") or "",
            color=data["color"],
            treatment_ids=frozenset(data.get("treatment_ids") or ()),
            weekly_hours=data["weekly_hours"],
        )

    def account_id(self) -> int | None:
        value = self.cleaned_data.get("account") or ""
        return int(value) if value else None


def _date_in_range(value: dt.date | None) -> dt.date | None:
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return value


def _local(day: dt.date, time: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=zone)


def _exists(moment: dt.datetime) -> bool:
    """False for a wall-clock time skipped by a clock change (it would come back as another time)."""
    back = moment.astimezone(dt.UTC).astimezone(moment.tzinfo)
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None)


class TimeOffForm(ServiceErrors):
    """Whole days (from-to, inclusive) or hours of one day, in the clinic's local time."""

    DAYS, HOURS = "days", "hours"
    kind = forms.ChoiceField(
        label=gettext_lazy("Time off"),
        choices=[(DAYS, gettext_lazy("Whole days")), (HOURS, gettext_lazy("Some hours of one day"))],
        initial=DAYS,
        widget=forms.RadioSelect,
    )
    from_date = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    to_date = forms.DateField(
        label=gettext_lazy("To (inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date = forms.DateField(
        label=gettext_lazy("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=gettext_lazy("From"), required=False, widget=forms.TimeInput(attrs={"type": "time", "step": 300})
    )
    end_time = forms.TimeField(
        label=gettext_lazy("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time", "step": 300})
    )
    reason = forms.CharField(label=gettext_lazy("Reason (optional)"), max_length=services.REASON_MAX, required=False)
    version = _version_field()

    def __init__(self, *args: Any, zone: zoneinfo.ZoneInfo, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.style()

    def clean_from_date(self) -> dt.date | None:
        return _date_in_range(self.cleaned_data.get("from_date"))

    def clean_to_date(self) -> dt.date | None:
        return _date_in_range(self.cleaned_data.get("to_date"))

    def clean_date(self) -> dt.date | None:
        return _date_in_range(self.cleaned_data.get("date"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        if cleaned.get("kind") == self.DAYS:
            first, last = cleaned.get("from_date"), cleaned.get("to_date") or cleaned.get("from_date")
            if first is None:
                self.add_error("from_date", _("Enter the first day."))
            elif last is None or last < first:
                self.add_error("to_date", _("The last day cannot be before the first."))
            else:
                # Midnight to midnight in the clinic's zone: a day of a clock change is 23 or 25 hours long.
                cleaned["start"] = _local(first, dt.time(0), self.zone)
                cleaned["end"] = _local(last + dt.timedelta(days=1), dt.time(0), self.zone)
        else:
            day, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
            if day is None:
                self.add_error("date", _("Enter the day."))
            if start is None:
                self.add_error("start_time", _("Enter the start time."))
            if end is None:
                self.add_error("end_time", _("Enter the end time."))
            if day is None or start is None or end is None:
                return cleaned
            if end <= start:
                self.add_error("end_time", _("The range must end after it starts."))
                return cleaned
            local_start, local_end = _local(day, start, self.zone), _local(day, end, self.zone)
            for name, moment in (("start_time", local_start), ("end_time", local_end)):
                if not _exists(moment):
                    self.add_error(name, _("This time does not exist on that day (the clocks change)."))
            cleaned["start"], cleaned["end"] = local_start, local_end
        return cleaned


class TimeOffRemoveForm(forms.Form):
    start = InstantField()
    end = InstantField()
    version = _version_field()


class ActiveForm(forms.Form):
    """Deactivate or reactivate."""

    active = forms.TypedChoiceField(choices=[("0", "0"), ("1", "1")], coerce=lambda v: v == "1")
    version = _version_field()


class OrphanDecisionForm(forms.Form):
    """What to do with the bookings a change leaves outside the offered time."""

    KEEP, CANCEL = "keep", "cancel"
    orphans = forms.ChoiceField(
        choices=[
            (KEEP, gettext_lazy("Keep them: they stay booked")),
            (CANCEL, gettext_lazy("Cancel them, with a reason")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose what happens to these appointments.")},
    )
    cancel_reason = forms.CharField(
        label=gettext_lazy("Reason (kept on each cancelled appointment)"), max_length=500, required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("orphans") == self.CANCEL and not (cleaned.get("cancel_reason") or "").strip():
            self.add_error("cancel_reason", _("Say why the appointments are cancelled."))
        return cleaned
