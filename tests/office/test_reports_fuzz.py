"""Hostile input on the reports' URLs: whatever arrives, the answer is below 500.

The machinery is ``tests/test_fuzz.py``'s (families of parts, each valid or corrupted); these are
the reports' families. The periods' dates go past the calendar's edges (``9999-12-31``, year 0,
``2026-02-30``) and past the 93-day limit. A deeper run: ``NEXIOQ_FUZZ_EXAMPLES=500
.venv/bin/python -m pytest tests/office/test_reports_fuzz.py``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from hypothesis import settings
from hypothesis import strategies as st

from tests.conftest import DAY
from tests.test_fuzz import (  # noqa: F401 - fixtures, used by name
    DATES,
    FUZZ,
    SLUG,
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

# The admin first: the simplest request is one that gets past the gate.
ADMIN_FIRST = ("admin", "patient", "anonymous")
FROM = Part(one_of((DAY - dt.timedelta(days=6)).isoformat(), DAY.isoformat()), lambda t: DATES | TEXT)
TO = Part(one_of(DAY.isoformat(), (DAY + dt.timedelta(days=92)).isoformat()), lambda t: DATES | TEXT)
PERIOD = {"from": FROM, "to": TO}
PROFESSIONAL = Part(
    lambda t: st.sampled_from([*t["professional"][:2], ""]), lambda t: TEXT | st.sampled_from(["any", "gone"])
)

FAMILIES = {
    family.name: family
    for family in [
        Family("office-reports", ("GET",), {"clinic_slug": SLUG}, PERIOD, roles=ADMIN_FIRST),
        Family("office-report-csv", ("GET",), {"clinic_slug": SLUG}, PERIOD, roles=ADMIN_FIRST),
        Family(
            "office-report-day",
            ("GET",),
            {"clinic_slug": SLUG},
            {"date": Part(one_of(DAY.isoformat()), lambda t: DATES | TEXT), "professional": PROFESSIONAL},
            roles=ADMIN_FIRST,
        ),
    ]
}


@pytest.mark.parametrize("family", FAMILIES.values(), ids=list(FAMILIES))
def test_it_answers_hostile_input_below_500(family: Family, targets: Targets, clients: dict[str, Client]) -> None:  # noqa: F811
    fuzz(family, targets, clients, settings(FUZZ, max_examples=FUZZ.max_examples * family.weight))
