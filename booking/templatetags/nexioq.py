"""Formatting a clinic's figures the way its patients read them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.core import UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency
from django import template
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from clinics.choices import phone_display
from clinics.models import Clinic
from nexioq.dynamo import iso_utc

register = template.Library()


@register.filter
def money(amount: Decimal, clinic: Clinic) -> str:
    language = _language()
    try:
        return format_currency(amount, clinic.currency, locale=f"{language}_{clinic.country}")
    except UnknownLocaleError:
        # No regional format (English in Colombia): the language's digits with the currency code.
        return format_currency(amount, clinic.currency, locale=language, format="¤\xa0#,##0.##", currency_digits=False)


@register.filter
def minutes(value: int) -> str:
    hours, rest = divmod(int(value), 60)
    if hours and rest:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": rest}
    if hours:
        return _("%(h)s h") % {"h": hours}
    return _("%(m)s min") % {"m": rest}


@register.filter
def utc_iso(moment: dt.datetime) -> str:
    """The instant as the wizard posts it back: UTC, whatever time zone the page shows."""
    return iso_utc(moment)


def _language() -> str:
    return (get_language() or "es").split("-")[0]


@register.filter
def long_date(value: dt.date | dt.datetime) -> str:
    """'martes, 1 de diciembre de 2026' / 'Tuesday, December 1, 2026', in the active time zone."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return format_date(value, format="full", locale=_language())


@register.filter
def local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


@register.filter
def short_date(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return format_date(value, format="EEE d MMM", locale=_language())


@register.filter
def booking_status(value: str) -> str:
    labels = {
        "confirmed": _("Confirmed"),
        "cancelled": _("Cancelled"),
        "completed": _("Completed"),
        "attended": _("Attended"),
        "no_show": _("Did not attend"),
    }
    return str(labels.get(value, value))


@register.filter
def phone(value: str) -> str:
    """A stored phone number (E.164) as people read it: "+57 601 5550199"."""
    return phone_display(value or "")
