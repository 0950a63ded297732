"""What the booking tests check after the fact: every booking of a clinic, overlaps, raw cells."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pynamodb.signals import pre_dynamodb_send

from booking.models import Booking, BookingStatus, Cell
from clinics.models import Professional
from nexioq import dynamo
from nexioq.dynamo import TableItem
from tests.conftest import World


def clinic_bookings(world: World) -> list[Booking]:
    """Every booking of the clinic, read from the main table (strongly consistent)."""
    return [
        b
        for b in Booking.query(
            dynamo.tenant_pk(world.tenant_id),
            Booking.sk.between(*dynamo.prefix_range(dynamo.BOOKING_PREFIX)),
            consistent_read=True,
        )
        if isinstance(b, Booking)
    ]


def clinic_partition(tenant_id: str) -> dict[dynamo.Key, dict[str, Any]]:
    """Every item of a clinic's partition as stored (strongly consistent): compare two to see what a request wrote."""
    items = TableItem.query(dynamo.tenant_pk(tenant_id), consistent_read=True)
    return {dynamo.key_of(item): item.serialize() for item in items}


def overlapping_pairs(bookings: list[Booking]) -> list[tuple[str, str]]:
    """Pairs of confirmed bookings of one professional whose blocked time (buffers included) overlaps."""
    live = [b for b in bookings if b.status == BookingStatus.CONFIRMED]
    return [
        (a.booking_id, b.booking_id)
        for a, b in itertools.combinations(live, 2)
        if a.professional_id == b.professional_id
        and a.blocked_start < b.blocked_end
        and b.blocked_start < a.blocked_end
    ]


def cells_of(world: World, professional_id: str) -> list[Cell]:
    """Every cell item of one professional, whatever its kind or expiry."""
    low, high = dynamo.cell_range(professional_id, *_everything())
    return [c for c in Cell.query(dynamo.tenant_pk(world.tenant_id), Cell.sk.between(low, high), consistent_read=True)]


def longest_booking(world: World) -> tuple[Booking, Professional]:
    """A booking of the longest treatment the transaction budget allows (200 minutes and two
    15-minute buffers: 46 cells), with a surgeon who works every day from 7 to 20."""
    from clinics import services as clinic_services
    from tests.conftest import at, book

    longest = clinic_services.treatment_create(
        tenant_id=world.tenant_id,
        name="Cirugía",
        duration_minutes=200,
        buffer_before_minutes=15,
        buffer_after_minutes=15,
        price="1000000",
    )
    surgeon = clinic_services.professional_create(
        tenant_id=world.tenant_id,
        name="Dr. Cirujano",
        weekly_hours={day: [("07:00", "20:00")] for day in range(7)},
        treatment_ids=[longest.treatment_id],
    )
    return book(world, at(7, 15), professional=surgeon, treatment=longest), surgeon


@contextmanager
def transaction_sizes() -> Iterator[list[int]]:
    """The item count of every TransactWriteItems sent inside the block, in order."""
    connection = TableItem._get_connection().connection
    original = connection.transact_write_items
    sizes: list[int] = []

    def measured(**kwargs: Any) -> Any:
        sizes.append(
            sum(len(kwargs[k]) for k in ("condition_check_items", "delete_items", "put_items", "update_items"))
        )
        return original(**kwargs)

    connection.transact_write_items = measured  # type: ignore[method-assign,assignment]
    try:
        yield sizes
    finally:
        del connection.transact_write_items


def _everything() -> tuple[Any, Any]:
    import datetime as dt

    return dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


@contextmanager
def before_dynamodb(operation: str, action: Callable[[], object], *, times: int = 1) -> Iterator[list[object]]:
    """Run ``action`` just before the next ``times`` DynamoDB calls named ``operation`` are sent.

    How a test makes something happen "meanwhile": between a service's read and its write.
    Calls made by ``action`` itself are not intercepted.
    """
    results: list[object] = []
    state = {"left": times, "busy": False}

    def hook(sender: Any, operation_name: str = "", **kwargs: Any) -> None:
        if operation_name != operation or state["busy"] or not state["left"]:
            return
        state["left"] -= 1
        state["busy"] = True
        try:
            results.append(action())
        finally:
            state["busy"] = False

    pre_dynamodb_send.connect(hook)
    try:
        yield results
    finally:
        pre_dynamodb_send.disconnect(hook)
