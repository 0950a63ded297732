"""One professional's cells read while the clinic is (``selectors.cells_ahead``): same slots, overlapping requests."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from booking import selectors
from clinics.models import Clinic
from nexioq import dynamo
from nexioq.dynamo import count_requests
from scheduling.availability import TreatmentSpec
from tests.conftest import DAY, NOW, World, anonymous, at, book, hold

ZONES = sorted(zoneinfo.available_timezones())
LONGEST = dynamo.MAX_BLOCK_MINUTES


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    first_day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)),
    days=st.integers(min_value=1, max_value=7),
    before=st.integers(min_value=0, max_value=LONGEST // 5).map(lambda n: n * 5),
    rest=st.integers(min_value=0, max_value=LONGEST // 5).map(lambda n: n * 5),
)
def test_the_early_range_holds_what_any_zone_and_treatment_would_read(
    zone: str, first_day: dt.date, days: int, before: int, rest: int
) -> None:
    """Every zone on the machine, DST days included, and any buffers a treatment may have."""
    last_day = first_day + dt.timedelta(days=days - 1)
    clinic = Clinic(time_zone=zone)
    spec = TreatmentSpec(duration_minutes=5, buffer_before_minutes=before, buffer_after_minutes=rest)
    start, end = selectors.local_day_bounds(clinic, first_day, last_day)
    needed = (start - dt.timedelta(minutes=spec.buffer_before_minutes), end + dt.timedelta(minutes=rest + 5))

    early = selectors.ahead_range(first_day, last_day)

    assert early[0] <= needed[0] and needed[1] <= early[1]


def test_the_early_range_is_none_at_the_edges_of_the_calendar(world: World) -> None:
    for first, last in ((dt.date.min, dt.date.min), (dt.date.max, dt.date.max)):
        ahead = selectors.cells_ahead(
            tenant_id=world.tenant_id,
            professional_id=world.ana.professional_id,
            first_day=first,
            last_day=last,
            now=NOW,
        )
        assert ahead is None


def test_the_slots_are_the_same_with_the_cells_read_early(world: World) -> None:
    """Bookings and holds on the first and last local day, and just outside the week."""
    week = [DAY + dt.timedelta(days=i) for i in range(7)]
    book(world, at(7, day=week[0]))
    book(world, at(18, day=week[-1]))
    book(world, at(9, day=DAY + dt.timedelta(days=7)))
    hold(world, at(11, day=week[3]), actor=anonymous(world, "someone"))
    kwargs: dict[str, Any] = {
        "clinic": world.clinic,
        "treatment": world.cleaning,
        "professionals": [world.ana],
        "first_day": week[0],
        "last_day": week[-1],
        "now": NOW,
    }
    ahead = selectors.cells_ahead(
        tenant_id=world.tenant_id,
        professional_id=world.ana.professional_id,
        first_day=week[0],
        last_day=week[-1],
        now=NOW,
    )
    assert ahead is not None

    with count_requests() as count:
        early = selectors.availability(**kwargs, ahead=ahead)
    plain = selectors.availability(**kwargs)

    assert count.operations == []  # the early Query was all it needed
    assert early == plain
    assert at(7, day=week[0]) not in {s.start for s in early}
    assert at(11, day=week[3]) not in {s.start for s in early}
    assert at(8, day=week[0]) in {s.start for s in early}


def test_early_cells_of_another_professional_or_other_days_are_not_used(world: World) -> None:
    book(world, at(9), professional=world.ben)
    ahead = selectors.cells_ahead(
        tenant_id=world.tenant_id, professional_id=world.ana.professional_id, first_day=DAY, last_day=DAY, now=NOW
    )
    assert ahead is not None

    for professional, last_day in ((world.ben, DAY), (world.ana, DAY + dt.timedelta(days=1))):
        with count_requests() as count:
            slots = selectors.availability(
                clinic=world.clinic,
                treatment=world.cleaning,
                professionals=[professional],
                first_day=DAY,
                last_day=last_day,
                now=NOW,
                ahead=ahead,
            )
        assert count.operations == ["Query"]  # its own read
        if professional is world.ben:
            assert at(9) not in {s.start for s in slots}


@contextmanager
def meeting() -> Iterator[threading.Barrier]:
    """Every DynamoDB request waits at a barrier of two: two requests made one after the other
    break it (the first waits alone until the timeout), two made at once both pass."""
    barrier = threading.Barrier(2, timeout=3)
    events = dynamo.TableItem._get_connection().connection.client.meta.events

    def wait(**kwargs: object) -> None:
        barrier.wait()

    events.register("before-send.dynamodb", wait, unique_id="test-meeting")
    try:
        yield barrier
    finally:
        events.unregister("before-send.dynamodb", unique_id="test-meeting")


def test_the_view_reads_the_clinic_and_the_cells_at_once(client: Client, world: World) -> None:
    url = reverse("booking-availability", args=[world.slug, world.cleaning.treatment_id])
    client.get(url, {"professional": world.ana.professional_id})  # warms the slug cache

    with meeting() as barrier:
        response = client.get(url, {"professional": world.ana.professional_id, "start": DAY.isoformat()})

    assert not barrier.broken
    assert response.status_code == 200
    assert response["X-Dynamo-Requests"] == "2"
    assert response.json()["slots"]


@pytest.mark.parametrize("start", ["0001-01-01", "9999-12-31", "9999-12-25"])
@pytest.mark.parametrize("days", ["1", "7"])
def test_the_view_refuses_days_at_the_edges_of_the_calendar(
    client: Client, world: World, start: str, days: str
) -> None:
    """The early read is skipped for days no range can hold; the clinic's checks then refuse them."""
    url = reverse("booking-availability", args=[world.slug, world.cleaning.treatment_id])

    response = client.get(url, {"professional": world.ana.professional_id, "start": start, "days": days})

    assert response.status_code == 400
    assert response.json()["error"]
