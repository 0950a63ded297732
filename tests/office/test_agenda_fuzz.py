"""Hostile input on the staff calendar: the events feed's range, the page's filters, and moves.

Whatever arrives (dates at the edge of the calendar, garbage, ranges backwards or too long,
unknown professionals, broken bodies), the answer is below 500, and JSON for the feed. The
machinery is tests/test_fuzz.py's. A deeper run:
``NEXIOQ_FUZZ_EXAMPLES=500 .venv/bin/python -m pytest tests/office/test_agenda_fuzz.py``.
"""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import settings
from hypothesis import strategies as st

from tests.conftest import DAY, at
from tests.test_fuzz import (  # noqa: F401 - fixtures of the fuzz, and its vocabulary
    DATES,
    EDGE_INSTANTS,
    FUZZ,
    INSTANT_MUTATIONS,
    INSTANTS,
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

pytestmark = pytest.mark.django_db

BOUNDS = st.sampled_from(EDGE_INSTANTS) | INSTANTS | DATES | TEXT
RANGE_START = Part(
    one_of(at(0).isoformat(), DAY.isoformat(), "2026-11-30T00:00:00Z"), lambda t: BOUNDS, INSTANT_MUTATIONS
)
RANGE_END = Part(
    one_of(at(0, day=DAY.replace(day=8)).isoformat(), DAY.replace(day=8).isoformat(), "2026-12-07T00:00:00Z"),
    lambda t: BOUNDS | st.sampled_from(["9999-12-31", "9999-12-31T23:59:59+14:00", "2027-06-01", "0001-01-01"]),
    INSTANT_MUTATIONS,
)
FILTER = Part(one_of("", "", "any"), PROFESSIONAL.hostile)

FAMILIES = {
    family.name: family
    for family in [
        Family(
            "office-agenda",
            ("GET",),
            {"clinic_slug": SLUG},
            {"professional": FILTER, "date": Part(one_of(DAY.isoformat(), ""), lambda t: DATES | TEXT)},
        ),
        Family(
            "office-agenda-events",
            ("GET",),
            {"clinic_slug": SLUG},
            {"start": RANGE_START, "end": RANGE_END, "professional": FILTER},
            # Not ``json=True``: a signed-out visitor is sent to the sign-in page (302) like on every
            # members-only URL; every refusal (4xx) is JSON all the same (the path ends in .json).
            weight=3,
        ),
        Family(
            "office-agenda-move",
            ("POST",),
            {"clinic_slug": SLUG, "booking_id": Part(target("booking"))},
            {
                "start": START,
                "end": Part(one_of(""), lambda t: INSTANTS | TEXT, INSTANT_MUTATIONS),
                "professional": Part(one_of(""), PROFESSIONAL.hostile),
            },
            weight=2,
        ),
    ]
}


@pytest.mark.parametrize("family", FAMILIES.values(), ids=list(FAMILIES))
def test_it_answers_hostile_input_below_500(
    family: Family,
    targets: Targets,  # noqa: F811
    clients: dict[str, Client],  # noqa: F811
) -> None:
    fuzz(family, targets, clients, settings(FUZZ, max_examples=FUZZ.max_examples * family.weight))
