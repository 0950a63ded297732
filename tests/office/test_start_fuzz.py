"""Hostile input on landing after sign-in and picking a clinic: whatever arrives, the answer is below 500.

The machinery is ``tests/test_fuzz.py``'s; picking a clinic takes a tenant id from the form, so it is
fuzzed with ids that are too long, empty, unicode or another clinic's.
"""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import settings
from hypothesis import strategies as st

from tests.test_fuzz import (  # noqa: F401 - fixtures, used by name
    FUZZ,
    TEXT,
    Family,
    Part,
    Targets,
    clients,
    fuzz,
    target,
    targets,
)

CLINIC = Part(target("tenant"), lambda t: TEXT | st.sampled_from(["clinic-b", "x" * 3000, "a#b", "ñ"]))

FAMILIES = {
    family.name: family
    for family in [
        Family("office-start", ("GET",)),
        Family("office-clinics", ("GET",)),
        Family("office-clinic-pick", ("POST",), {}, {"clinic": CLINIC}),
    ]
}


@pytest.mark.parametrize("family", FAMILIES.values(), ids=list(FAMILIES))
def test_it_answers_hostile_input_below_500(family: Family, targets: Targets, clients: dict[str, Client]) -> None:  # noqa: F811
    fuzz(family, targets, clients, settings(FUZZ, max_examples=FUZZ.max_examples * family.weight))
