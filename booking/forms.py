"""Input of the booking wizard. Forms validate; they never write."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

ANY_PROFESSIONAL = "any"
PHONE_CHARACTERS = re.compile(r"[+0-9 ().-]+")


def _date_field() -> forms.DateField:
    return forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter a valid date (YYYY-MM-DD).")},
    )


# Step 2's query: the day to show, or the day from which to look for the first free one.
FROM_FIELD = "from"


class ScheduleForm(forms.Form):
    """Step 2: which professional and which day (query string, so the page is linkable).

    ``date`` shows that day. Without it, the page opens on the first day with a free time on or
    after ``from`` (default today): a patient never lands on a closed or full day.
    """

    professional = forms.CharField(required=False)
    date = _date_field()

    def __init__(self, *args: Any, today: dt.date, last_day: dt.date, professional_ids: set[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields[FROM_FIELD] = _date_field()  # "from" is a Python keyword: no class attribute
        self.today = today
        self.last_day = last_day
        self.professional_ids = professional_ids

    def clean_professional(self) -> str:
        value = self.cleaned_data.get("professional") or ANY_PROFESSIONAL
        if value != ANY_PROFESSIONAL and value not in self.professional_ids:
            raise forms.ValidationError(_("Choose a professional from the list."))
        return value

    def _bookable(self, value: dt.date | None) -> dt.date | None:
        if value is None:
            return None
        if value < self.today:
            raise forms.ValidationError(_("That date has already passed. Choose today or a later day."))
        if value > self.last_day:
            raise forms.ValidationError(
                _("Bookings open up to %(date)s. Choose an earlier day.") % {"date": self.last_day.strftime("%d/%m/%Y")}
            )
        return value

    @property
    def day_asked(self) -> bool:
        """Whether the query names the day to show; if not, the page looks for the first free one."""
        return bool(self.data.get("date"))

    def clean_date(self) -> dt.date:
        return self._bookable(self.cleaned_data.get("date")) or self.today

    def clean_from(self) -> dt.date:
        return self._bookable(self.cleaned_data.get(FROM_FIELD)) or self.today


class InstantField(forms.Field):
    """An ISO 8601 instant with its offset (``2026-12-01T14:00:00Z``), as UTC.

    Not a DateTimeField: that one reads a time without a zone in the server's zone before any
    ``clean_*`` can tell, so a naive time would be booked as UTC. Instants within a day of the
    calendar's ends are refused too: shown in a clinic's zone they would leave it.
    """

    default_error_messages = {"invalid": _("That time is not valid."), "required": _("Choose a time.")}
    earliest = dt.datetime.min.replace(tzinfo=dt.UTC) + dt.timedelta(days=1)
    latest = dt.datetime.max.replace(tzinfo=dt.UTC) - dt.timedelta(days=1)

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        invalid = forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            parsed = parse_datetime(str(value).strip())
            if parsed is None or timezone.is_naive(parsed):
                raise invalid
            moment = parsed.astimezone(dt.UTC)
        except (ValueError, OverflowError) as exc:
            raise invalid from exc
        if not self.earliest <= moment <= self.latest:
            raise invalid
        return moment


class HoldForm(forms.Form):
    """Step 2 -> 3: the time picked (a UTC instant from the list shown)."""

    professional = forms.CharField()
    start = InstantField()


class PatientForm(forms.Form):
    """Step 3: who is coming. The phone is checked for the clinic's country by ``booking_confirm``."""

    name = forms.CharField(label=_("Full name"), max_length=120, strip=True)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, strip=True)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        if len(name) < 2 or not name.isprintable():
            raise forms.ValidationError(_("Enter the patient's full name."))
        return name

    def clean_phone(self) -> str:
        """What any phone number looks like; whether it is valid for the clinic's country is the service's call."""
        phone: str = self.cleaned_data["phone"]
        digits = sum(c.isdigit() for c in phone)
        if not PHONE_CHARACTERS.fullmatch(phone) or not 7 <= digits <= 15:
            raise forms.ValidationError(_("Enter a valid phone number, e.g. 300 123 4567."))
        return phone
