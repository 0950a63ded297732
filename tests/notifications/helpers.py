"""What the notification tests share: delivering as a worker would, reading a booking's outbox items,
reading what the shared SMTP sink (``smtp_sink`` of tests/servers.py) received."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage

from nexioq import dynamo
from nexioq.mailsink import MailSink
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


@dataclass(frozen=True)
class Received:
    """One message the sink accepted, read as a mail program would."""

    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())  # type: ignore[attr-defined]

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        assert part is not None
        return str(part.get_content())  # type: ignore[attr-defined]

    def attachments(self) -> dict[str, tuple[str, bytes]]:
        found = {}
        for part in self.message.iter_attachments():
            payload = part.get_payload(decode=True)
            found[str(part.get_filename())] = (part.get_content_type(), payload if isinstance(payload, bytes) else b"")
        return found


def inbox(sink: MailSink, address: str | None = None) -> list[Received]:
    """What the sink accepted, in arrival order; with ``address``, only the messages sent to it
    (by SMTP envelope, so Bcc counts): the sink is shared by the whole run."""
    found = [Received(list(to), message) for to, message in zip(sink.envelopes, sink.messages, strict=True)]
    return found if address is None else [r for r in found if address in r.recipients]
