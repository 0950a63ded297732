"""Patients' phone numbers, read with the clinic's country and kept as E.164.

Below both the booking use cases (``booking.services``) and the clinic's patient records
(``booking.patients``), which each need it and import each other's neighbour, not each other.
"""

from __future__ import annotations

import phonenumbers
from django.utils.translation import gettext_lazy

from booking.errors import PatientDetailsInvalid

_PHONE_HELP = gettext_lazy("Enter a valid phone number, e.g. 300 123 4567.")


def patient_phone_clean(*, phone: str, country: str) -> str:
    """A phone number as E.164, read with the clinic's country as the default region."""
    try:
        number = phonenumbers.parse(phone, country)
    except phonenumbers.NumberParseException as exc:
        raise PatientDetailsInvalid({"phone": str(_PHONE_HELP)}) from exc
    if not phonenumbers.is_valid_number(number):
        raise PatientDetailsInvalid({"phone": str(_PHONE_HELP)})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
