"""Hostile input on the portal's URLs and forms: whatever arrives, the answer is below 500.

The machinery is ``tests/test_fuzz.py``'s (families of parts, each valid or corrupted); these are
the portal's families. A deeper run: ``NEXIOQ_FUZZ_EXAMPLES=500 .venv/bin/python -m pytest
tests/portal/test_portal_fuzz.py``.
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from hypothesis import settings
from hypothesis import strategies as st

from tests.conftest import PASSWORD
from tests.test_fuzz import (  # noqa: F401 - fixtures, used by name
    DAY_FIELD,
    FUZZ,
    PROFESSIONAL,
    SLUG,
    START,
    TEXT,
    Family,
    Part,
    Targets,
    clients,
    fuzz,
    one_of,
    target,
    targets,
)

# The patient's own booking first (the simplest request is the patient's, on their booking).
BOOKING = Part(target("booking"))
OWNERS_FIRST = ("patient", "anonymous", "admin")

FAMILIES = {
    family.name: family
    for family in [
        Family("portal-bookings", ("GET",), roles=OWNERS_FIRST),
        Family(
            "portal-profile",
            ("GET", "POST"),
            fields={
                "full_name": Part(one_of("Ana Pérez", "José Ñúñez")),
                "phone": Part(one_of("300 123 4567", "+52 55 1234 5678", "")),
                "language": Part(one_of("es", "en"), lambda t: TEXT | st.sampled_from(["EN", "fr", "es-CO"])),
            },
            roles=OWNERS_FIRST,
        ),
        Family("portal-export", ("GET",), roles=OWNERS_FIRST),
        # The wrong password first: the patient's account stays for the other examples (mostly).
        Family(
            "portal-delete",
            ("GET", "POST"),
            fields={"secret": Part(one_of("not-the-password", PASSWORD))},
            roles=OWNERS_FIRST,
        ),
        Family(
            "booking-cancel",
            ("POST",),
            {"clinic_slug": SLUG, "booking_id": BOOKING},
            {"reason": Part(one_of("", "viaje"))},
            roles=OWNERS_FIRST,
        ),
        Family(
            "booking-reschedule",
            ("GET", "POST"),
            {"clinic_slug": SLUG, "booking_id": BOOKING},
            {"professional": PROFESSIONAL, "start": START, "date": DAY_FIELD},
            roles=OWNERS_FIRST,
            weight=2,
        ),
        Family("booking-calendar", ("GET",), {"clinic_slug": SLUG, "booking_id": BOOKING}, roles=OWNERS_FIRST),
    ]
}


@override_settings(HOLD_RATE_PER_IP="100000/10m", HOLD_RATE_PER_SESSION="100000/10m")
@pytest.mark.parametrize("family", FAMILIES.values(), ids=list(FAMILIES))
def test_it_answers_hostile_input_below_500(family: Family, targets: Targets, clients: dict[str, Client]) -> None:  # noqa: F811
    fuzz(family, targets, clients, settings(FUZZ, max_examples=FUZZ.max_examples * family.weight))
