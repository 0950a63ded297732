"""The reports' query forms: a range of days (``from``, ``to``) and the printable day (``date``, ``professional``).

Dates are ISO only (what a date input sends), so ``01/02/2026`` never means two things. The range's
rules (order, length, calendar bounds) live in ``office.reports.report_range_check``; the form asks
it, so the page and the CSV refuse the same ranges with the same words.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from nexioq.errors import DomainError
from office.reports import report_range_check

INPUT = {"class": "field-input aria-[invalid=true]:border-red-500 aria-[invalid=true]:bg-red-50/40"}
ISO = ["%Y-%m-%d"]
# Without a range: the last 30 days (today included).
DEFAULT_DAYS = 30


def _date_field(label: Any, *, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=ISO,
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )


class ReportRangeForm(forms.Form):
    """``from`` and ``to`` (both included); either missing falls back to the last 30 days."""

    def __init__(self, data: Any, *, today: dt.date) -> None:
        super().__init__(data)
        self.today = today
        # "from" is a Python keyword: the fields are added by name.
        self.fields["from"] = _date_field(_("From"))
        self.fields["to"] = _date_field(_("To"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        last = cleaned.get("to") or self.today
        first = cleaned.get("from") or min(last, self.today) - dt.timedelta(days=DEFAULT_DAYS - 1)
        try:
            report_range_check(first_day=first, last_day=last)
        except DomainError as exc:
            raise ValidationError(str(exc.message)) from exc
        cleaned["first_day"], cleaned["last_day"] = first, last
        return cleaned

    @property
    def first_day(self) -> dt.date:
        return self.cleaned_data["first_day"]  # type: ignore[no-any-return]

    @property
    def last_day(self) -> dt.date:
        return self.cleaned_data["last_day"]  # type: ignore[no-any-return]

    def first_error(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return ""


class DaySheetForm(forms.Form):
    """The printable day: a date (today without one) and optionally one professional."""

    date = _date_field(_("Day"))
    professional = forms.CharField(label=_("Professional"), required=False, max_length=64)

    def __init__(
        self,
        data: Any,
        *,
        today: dt.date,
        professionals: list[tuple[str, str]] | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.today = today
        self.fields["date"].widget.attrs.update(INPUT)
        choices = [("", _("Every professional")), *(professionals or [])]
        self.fields["professional"].widget = forms.Select(attrs=INPUT, choices=choices)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        day = cleaned.get("date") or self.today
        try:
            report_range_check(first_day=day, last_day=day)
        except DomainError as exc:
            raise ValidationError(str(exc.message)) from exc
        cleaned["day"] = day
        cleaned["professional"] = cleaned.get("professional") or None
        return cleaned

    def first_error(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return ""
