"""Hostile input on the block pages: whatever arrives, the answer is below 500.

The machinery is ``tests/test_fuzz.py``'s (a valid request with a few parts spoiled, wrong methods,
broken bodies, htmx and JSON headers); these are the blocks' families: the date (calendar edges),
the times, the weeks, the reason and the professional. A deeper run:
``NEXIOQ_FUZZ_EXAMPLES=500 .venv/bin/python -m pytest tests/office/test_blocks_fuzz.py``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from hypothesis import settings
from hypothesis import strategies as st

from booking.blocks import block_create
from booking.models import BlockReason
from tests.conftest import DAY, World, at, system
from tests.test_fuzz import (  # noqa: F401 - fixtures of the fuzz, and its vocabulary
    DATES,
    FUZZ,
    NUMBERS,
    PROFESSIONAL,
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

pytestmark = pytest.mark.django_db

TIMES = st.sampled_from(
    ["00:00", "23:59", "24:00", "02:30", "9:5", "12:00:00", "12:00:60", "-01:00", "noon", "09:02", "23:55", "00:05"]
)
DATE = Part(
    one_of((DAY + dt.timedelta(days=2)).isoformat(), (DAY + dt.timedelta(days=9)).isoformat()),
    lambda t: DATES | TEXT | st.sampled_from(["2026-11-29", "2026-11-30", "2028-12-01", "2029-01-01"]),
)
START_TIME = Part(one_of("09:00", "14:30"), lambda t: TIMES | TEXT)
END_TIME = Part(one_of("10:00", "16:00"), lambda t: TIMES | TEXT)
WEEKS = Part(one_of("1", "4", "52"), lambda t: NUMBERS | TEXT | st.sampled_from(["0", "53", "-1", "1e3", "4.5"]))
REASON = Part(one_of(*BlockReason.ALL), lambda t: TEXT | st.sampled_from(["MEETING", "holiday", "meeting "]))
BLOCK = Part(target("block"))

BLOCK_FIELDS = {
    # The calendar's selection (GET) and the form (POST): one family tries both.
    "professional": PROFESSIONAL,
    "date": DATE,
    "start": START_TIME,
    "start_time": START_TIME,
    "end_time": END_TIME,
    "reason": REASON,
    "note": Part(one_of("", "Reunión de equipo")),
    "repeat": Part(one_of("", "on"), lambda t: TEXT | st.sampled_from(["off", "false", "0"])),
    "weeks": WEEKS,
}

FAMILIES = {
    family.name: family
    for family in [
        Family("office-blocks", ("GET",), {"clinic_slug": SLUG}),
        Family("office-block-new", ("GET", "POST"), {"clinic_slug": SLUG}, BLOCK_FIELDS, weight=3),
        Family("office-block", ("GET",), {"clinic_slug": SLUG, "block_id": BLOCK}),
        Family(
            "office-block-remove",
            ("POST",),
            {"clinic_slug": SLUG, "block_id": BLOCK},
            {"scope": Part(one_of("occurrence", "series"), lambda t: TEXT)},
        ),
    ]
}


@pytest.fixture
def block_targets(targets: Targets, world: World) -> Targets:  # noqa: F811
    """The fuzz's targets plus blocks to show and remove (a weekly one, a long one in segments)."""
    made = []
    for day, hours, weeks in ((DAY + dt.timedelta(days=3), (8, 9), 4), (DAY + dt.timedelta(days=4), (7, 19), 1)):
        made += block_create(
            tenant_id=world.tenant_id,
            professional_id=world.ana.professional_id,
            start=at(hours[0], day=day),
            end=at(hours[1], day=day),
            reason=BlockReason.REPAIR,
            weeks=weeks,
            actor=system(world),
        )
    return {**targets, "block": [b.block_id for b in made]}


@pytest.mark.parametrize("family", FAMILIES.values(), ids=list(FAMILIES))
def test_it_answers_hostile_input_below_500(
    family: Family,
    block_targets: Targets,
    clients: dict[str, Client],  # noqa: F811
) -> None:
    fuzz(family, block_targets, clients, settings(FUZZ, max_examples=FUZZ.max_examples * family.weight))
