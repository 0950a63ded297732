"""Reads of the outbox: what is due (the sweep), a clinic's failed messages, one item, the clinics to notify."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from pynamodb.exceptions import DoesNotExist

from clinics.models import Clinic
from nexioq import dynamo
from nexioq.dynamo import TableItem
from nexioq.errors import NotFound
from notifications.models import OutboxItem

# Items per Query page of the due index: a sweep's first page is its only one on an ordinary minute.
SWEEP_PAGE_SIZE = 100
FAILED_PAGE_SIZE = 200


def outbox_due(*, now: dt.datetime, page_size: int = SWEEP_PAGE_SIZE) -> Iterator[tuple[str, str]]:
    """``(tenant id, item id)`` of every pending item due at or before ``now``, shard after shard.

    One Query per shard and page of the sparse ``outbox-due`` index (never a Scan): only pending
    items carry its keys, so what is read is what may go out. Items a worker holds right now (a
    live claim) are passed over: their worker is on them.
    """
    connection = TableItem._get_connection()
    condition = TableItem.due_sk <= dynamo.outbox_due_bound(now)
    now_epoch = int(now.timestamp())
    for shard in dynamo.outbox_due_shards():
        start_key: dict[str, Any] | None = None
        while True:
            page = connection.query(
                shard,
                range_key_condition=condition,
                attributes_to_get=["tenant_id", "item_id", "claimed_until"],
                exclusive_start_key=start_key,
                index_name=TableItem.outbox_due.Meta.index_name,
                limit=page_size,
            )
            for raw in page.get("Items", []):
                claimed_until = raw.get("claimed_until", {}).get("N")
                if claimed_until is not None and float(claimed_until) >= now_epoch:
                    continue
                yield raw["tenant_id"]["S"], raw["item_id"]["S"]
            start_key = page.get("LastEvaluatedKey")
            if not start_key:
                break


def outbox_failed(*, tenant_id: str, limit: int = FAILED_PAGE_SIZE) -> list[OutboxItem]:
    """A clinic's failed messages, newest first: one Query of their own partition of the index."""
    items = TableItem.outbox_due.query(
        dynamo.outbox_failed_pk(tenant_id), scan_index_forward=False, limit=limit, page_size=limit
    )
    return [item for item in items if isinstance(item, OutboxItem) and item.tenant_id == tenant_id]


def outbox_item_get(*, tenant_id: str, item_id: str) -> OutboxItem:
    try:
        item = OutboxItem.get(dynamo.tenant_pk(tenant_id), dynamo.outbox_sk(item_id), consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound(detail=f"outbox item {item_id}") from exc
    if not isinstance(item, OutboxItem):
        raise NotFound(detail=f"outbox item {item_id}")
    return item


def outbox_for_booking(*, tenant_id: str, booking_id: str) -> list[OutboxItem]:
    """Every outbox item of one booking (its ids start with the booking's): one Query of the clinic's partition."""
    low, high = dynamo.prefix_range(dynamo.outbox_sk(f"{booking_id}-x")[: -len("x")])
    items = OutboxItem.query(dynamo.tenant_pk(tenant_id), OutboxItem.sk.between(low, high), consistent_read=True)
    return [item for item in items if isinstance(item, OutboxItem)]


def booking_references(*, tenant_id: str, booking_ids: list[str]) -> dict[str, str]:
    """Booking id -> the reference staff read: one BatchGetItem per hundred bookings."""
    from booking.models import Booking

    wanted = list(dict.fromkeys(booking_ids))
    if not wanted:
        return {}
    keys = [(dynamo.tenant_pk(tenant_id), dynamo.booking_sk(booking_id)) for booking_id in wanted]
    return {b.booking_id: b.reference for b in TableItem.batch_get(keys) if isinstance(b, Booking)}


def clinics_to_notify() -> list[Clinic]:
    """Clinics that asked for the clinic's messages and have an address for them: one Query of the
    clinic directory (a partition of a few hundred clinics), filtered by DynamoDB."""
    items = Clinic.clinic_directory.query(dynamo.CLINIC_DIRECTORY_PK, filter_condition=Clinic.notify_clinic == True)  # noqa: E712
    return [c for c in items if isinstance(c, Clinic) and c.notify_clinic and (c.email or "").strip()]
