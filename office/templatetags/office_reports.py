"""The reports' numbers as the clinic's language writes them: 12,5 % and 1.234 in Spanish."""

from __future__ import annotations

import datetime as dt
import functools
import re

from babel.core import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from booking.models import Block

register = template.Library()

# Shown where a figure is undefined (a rate with nothing marked, occupancy without working time).
UNDEFINED = "—"


def _locale() -> str:
    return (get_language() or "es").split("-")[0]


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return UNDEFINED
    return format_percent(value, format=_percent_pattern(_locale()), locale=_locale())


@functools.cache
def _percent_pattern(locale: str) -> str:
    """The locale's own percent pattern ("#,##0\xa0%" in Spanish) with one decimal."""
    pattern = Locale.parse(locale).percent_formats[None].pattern
    return re.sub(r"0(?=[^0#,.]*%)", "0.0", pattern, count=1)


@register.filter
def count(value: int | None) -> str:
    if value is None:
        return UNDEFINED
    return format_decimal(value, format="#,##0", locale=_locale())


@register.filter
def hours(minutes: int | None) -> str:
    """Minutes as hours with one decimal: 90 -> "1,5 h"."""
    if minutes is None:
        return UNDEFINED
    return f"{format_decimal(minutes / 60, format='#,##0.0', locale=_locale())}\xa0h"


@register.filter
def medium_date(value: dt.date) -> str:
    """'1 dic 2026' / 'Dec 1, 2026'."""
    return format_date(value, format="medium", locale=_locale())


@register.filter
def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@register.filter
def block_reason(value: str) -> str:
    labels = {"meeting": _("Meeting"), "training": _("Training"), "repair": _("Repair"), "other": _("Blocked")}
    return str(labels.get(value, _("Blocked")))


@register.filter
def is_block(entry: object) -> bool:
    return isinstance(entry, Block)
