"""What a clinic's region settings may be: the one source of the choice lists and the phone rule.

The panel's settings form, the Django admin's clinic form and the services (which validate
again) all read from here, so a pseudo-locale, a fund code or a dead currency cannot slip in
through one door while another refuses it.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

import phonenumbers
from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name, get_territory_currencies
from django.utils import translation


def _locale() -> Locale:
    try:
        return Locale.parse(translation.to_locale(translation.get_language() or "es"))
    except (UnknownLocaleError, ValueError):
        return Locale("en")


@functools.cache
def country_codes() -> frozenset[str]:
    """Real countries: two-letter CLDR territories that also have a telephone numbering plan.

    That drops pseudo-locales (XA, XB), groupings (EU, EZ, UN, QO), "unknown" (ZZ) and
    uninhabited places (AQ, BV, HM...), none of which a clinic can be in or dial from.
    """
    territories = Locale("en").territories
    return frozenset(
        code
        for code in territories
        if isinstance(code, str) and len(code) == 2 and code.isalpha() and code in phonenumbers.SUPPORTED_REGIONS
    )


@functools.cache
def _currencies_on(day: dt.date) -> frozenset[str]:
    codes: set[str] = set()
    for country in country_codes():
        codes.update(get_territory_currencies(country, start_date=day, tender=True, non_tender=False))
    return frozenset(codes)


def currency_codes() -> frozenset[str]:
    """Currencies that are legal tender in some country today (no ADP, XAU, XTS, funds or test codes)."""
    return _currencies_on(dt.date.today())


@functools.cache
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def country_choices() -> list[tuple[str, str]]:
    names = _locale().territories
    return sorted(((code, f"{names.get(code, code)} ({code})") for code in country_codes()), key=lambda c: c[1])


def currency_choices() -> list[tuple[str, str]]:
    locale = _locale()
    return [(code, f"{code} · {get_currency_name(code, locale=locale)}") for code in sorted(currency_codes())]


def time_zone_choices(current: str | None = None) -> list[tuple[str, str]]:
    # Canonical Area/City names only; an older clinic's legacy alias stays selectable.
    names = {z for z in time_zone_names() if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/"))}
    names.add("UTC")
    if current and current in time_zone_names():
        names.add(current)
    return [(z, z) for z in sorted(names)]


class InvalidPhone(ValueError):
    """Not a phone number that can be dialled in (or from) the clinic's country."""


def phone_normalize(value: str, *, country: str) -> str:
    """A phone number in E.164 (``+576015550100``), like patients' phones; empty stays empty.

    A national number is read as one of ``country``; a number starting with ``+`` may be of
    any country.
    """
    value = value.strip()
    if not value:
        return ""
    if len(value) > 32:
        raise InvalidPhone(value)
    try:
        number = phonenumbers.parse(value, country if country in country_codes() else None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(value) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(value: str) -> str:
    """A stored (E.164) phone as people write it: ``+57 601 5550100``; anything else as it is."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
