"""Hostile step-2 queries: ``from`` (the day the first free day is looked for from), ``date`` and
``professional``, alone, together and repeated, whole page and htmx fragment: every answer < 500.

Dates at the calendar's edges (0001-01-01, 9999-12-31) and around the clinic's today and horizon,
where the strip's arithmetic turns. A 500 raises in the test client, so hypothesis shows the
smallest query that caused it. More examples: ``NEXIOQ_FUZZ_EXAMPLES=500``.
"""

from __future__ import annotations

import datetime as dt
import os
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import World

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=int(os.environ.get("NEXIOQ_FUZZ_EXAMPLES", "40")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TODAY = dt.date(2026, 11, 30)  # tests/conftest.py's NOW in Bogotá; bookings open 60 days ahead
NEAR = [TODAY + dt.timedelta(days=n) for n in (-1, 0, 1, 6, 7, 13, 14, 59, 60, 61)]
DATES = st.one_of(
    st.sampled_from(["0001-01-01", "9999-12-31", "10000-01-01", "0000-00-00", "2026-02-29", "2026-13-01"]),
    st.sampled_from(NEAR).map(dt.date.isoformat),
    st.dates().map(dt.date.isoformat),
)
VALUES = st.one_of(
    DATES,
    st.sampled_from(
        [
            "",
            " ",
            "any",
            "\x00",
            "\u202e2026-12-01",
            "\uff12\uff10\uff12\uff16-\uff11\uff12-\uff10\uff11",
            "😀",
            "2026-12-01\x00",
            "%",
        ]
    ),
    st.text(max_size=20),
)
NAMES = st.sampled_from(["from", "date", "professional", "FROM", "from[]", "fr\u00f6m"])


@FUZZ
@given(query=st.lists(st.tuples(NAMES, VALUES), max_size=6), htmx=st.booleans())
def test_it_answers_any_step_two_query_below_500(
    client: Client, world: World, query: list[tuple[str, str]], htmx: bool
) -> None:
    url = reverse("booking-schedule", args=[world.slug, world.cleaning.treatment_id])
    headers = {"HX-Request": "true", "HX-Target": "times"} if htmx else {}

    response = client.get(f"{url}?{urlencode(query)}", headers=headers)

    assert response.status_code < 500
    assert response.status_code in (200, 400)


@FUZZ
@given(first=st.sampled_from(NEAR), second=DATES, professional=st.sampled_from(["any", "ana", "nobody"]))
def test_it_answers_a_repeated_from_by_its_last_value(
    client: Client, world: World, first: dt.date, second: str, professional: str
) -> None:
    url = reverse("booking-schedule", args=[world.slug, world.cleaning.treatment_id])
    chosen = world.ana.professional_id if professional == "ana" else professional
    query = [("professional", chosen), ("from", first.isoformat()), ("from", second)]

    repeated = client.get(f"{url}?{urlencode(query)}")
    last_only = client.get(f"{url}?{urlencode([query[0], query[2]])}")

    assert repeated.status_code == last_only.status_code < 500
