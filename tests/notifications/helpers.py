"""What the notification tests share: delivering as a worker would, reading a booking's outbox items."""

from __future__ import annotations

import datetime as dt

from nexioq import dynamo
from notifications import outbox, selectors, services
from notifications.models import MessageKind, OutboxItem, OutboxStatus
from tests.conftest import World


def deliver_due(world: World, now: dt.datetime, *, worker: str = "test-worker") -> list[str]:
    """The sweep at ``now`` delivering inline (as Lambda does) the items of this test's clinic only:
    the due index is shared by every test of the run, whose clinics are not ours to send for."""
    outcomes: list[str] = []

    def deliver(tenant_id: str, item_id: str) -> None:
        if tenant_id == world.tenant_id:
            outcomes.append(services.outbox_deliver(tenant_id=tenant_id, item_id=item_id, worker=worker, now=now))

    services.outbox_sweep(now=now, deliver=deliver)
    return outcomes


def items_of(world: World, booking_id: str) -> dict[str, OutboxItem]:
    return {i.item_id: i for i in selectors.outbox_for_booking(tenant_id=world.tenant_id, booking_id=booking_id)}


def failed_item(world: World, *, booking_id: str, now: dt.datetime) -> OutboxItem:
    """A confirmation that ran out of retries, as the delivery leaves it."""
    item = outbox.outbox_item(
        tenant_id=world.tenant_id,
        item_id=outbox.confirmed_id(booking_id),
        kind=MessageKind.CONFIRMED,
        due=now,
        now=now,
        booking_id=booking_id,
    )
    item.status = OutboxStatus.FAILED
    item.attempts = services.MAX_ATTEMPTS
    item.last_error = "SMTPDataError 554"
    item.due_pk = dynamo.outbox_failed_pk(world.tenant_id)
    item.due_sk = dynamo.outbox_due_sk(now, world.tenant_id, item.item_id)
    item.save()
    return item
