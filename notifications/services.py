"""Delivering the outbox: the sweep, one item's claim and send, retries, resend, the reminder preference.

Plain functions taking ``now``: Celery beat and its worker (``notifications.tasks``), the Lambda
scheduled event (``notifications.lambda_handlers``) and the tests call the same code.

An item is sent at least once and, short of a worker dying between the SMTP server's "250" and
its own next write, exactly once: a worker first claims it with one conditional write (pending,
due, nobody's live claim), so two sweeps, two workers or a retried task never send it twice; a
claim expires, so an item whose worker was killed mid-send goes out after ``CLAIM_SECONDS``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action as UpdateAction

from access.permissions import Action, Actor
from accounts.models import User
from booking.errors import BookingNotFound
from booking.selectors import booking_with_clinic
from nexioq import dynamo
from nexioq.errors import Forbidden, NotFound
from nexioq.logs import metric_emit, stack_of
from notifications import outbox, selectors
from notifications.messages import UnsubscribeTarget, message_for, unsubscribe_token_read
from notifications.models import MessageKind, OutboxItem, OutboxStatus

log = logging.getLogger(__name__)

# How long a claim holds; the process tests of a killed worker shorten it (setting OUTBOX_CLAIM_SECONDS).
CLAIM_SECONDS = 120
# The first try and five retries, 1, 2, 4, 8 and 16 minutes apart; then the item is failed.
MAX_ATTEMPTS = 6
# Sent and skipped items are kept this long (the clinic may ask what went out), then TTL removes them.
KEEP_DONE = dt.timedelta(days=90)
# The clinic's agenda of tomorrow goes out once the clinic's local time has passed this hour.
SUMMARY_LOCAL_HOUR = 18
CONDITION_FAILED = "ConditionalCheckFailedException"

Deliver = Callable[[str, str], object]


class Outcome:
    SENT = "sent"
    SKIPPED = "skipped"
    RETRY = "retry"
    FAILED = "failed"
    BUSY = "busy"  # not claimable: sent already, someone else's live claim, not due, gone


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed try: 1, 2, 4, 8, 16 minutes (``OUTBOX_RETRY_SECONDS``
    is the first wait; the process tests, on the real clock, make it a fraction of a second)."""
    first = float(getattr(settings, "OUTBOX_RETRY_SECONDS", 60))
    return dt.timedelta(seconds=first * 2 ** max(attempts - 1, 0))


# ---------------------------------------------------------------- the sweep


def outbox_sweep(*, now: dt.datetime, deliver: Deliver, page_size: int = selectors.SWEEP_PAGE_SIZE) -> int:
    """Hand every due item to ``deliver(tenant_id, item_id)``; returns how many were handed over.

    ``deliver`` queues a Celery task (beat) or sends at once (Lambda, tests). When it fails (the
    broker is down) the sweep stops: the items stay due and the next sweep hands them over again.
    """
    handed = 0
    for tenant_id, item_id in selectors.outbox_due(now=now, page_size=page_size):
        try:
            deliver(tenant_id, item_id)
        except Exception:
            log.exception("outbox sweep stopped: could not hand over %s/%s", tenant_id, item_id)
            break
        handed += 1
    return handed


# ---------------------------------------------------------------- one item


def _key(tenant_id: str, item_id: str) -> OutboxItem:
    return OutboxItem(dynamo.tenant_pk(tenant_id), dynamo.outbox_sk(item_id))


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def claim_seconds() -> int:
    return int(getattr(settings, "OUTBOX_CLAIM_SECONDS", CLAIM_SECONDS))


def outbox_claim(*, tenant_id: str, item_id: str, worker: str, now: dt.datetime) -> OutboxItem | None:
    """Take the item for ``CLAIM_SECONDS`` with ONE conditional update; None when it is not to be taken."""
    item = _key(tenant_id, item_id)
    condition = (
        (OutboxItem.status == OutboxStatus.PENDING)
        & (OutboxItem.due_at <= now)
        & (OutboxItem.claimed_until.does_not_exist() | (OutboxItem.claimed_until < _epoch(now)))
    )
    try:
        item.update(
            actions=[
                OutboxItem.claimed_by.set(worker),
                OutboxItem.claimed_until.set(_epoch(now) + claim_seconds()),
            ],
            condition=condition,
        )
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return None
        raise
    return item


def outbox_deliver(*, tenant_id: str, item_id: str, worker: str, now: dt.datetime) -> str:
    """Claim, build, send, record: the whole life of one delivery. Returns an ``Outcome``."""
    dynamo.checked_id(tenant_id), dynamo.checked_id(item_id)
    item = outbox_claim(tenant_id=tenant_id, item_id=item_id, worker=worker, now=now)
    if item is None:
        return Outcome.BUSY
    try:
        message = message_for(item=item, now=now)
        if message is None:
            _done(item, worker=worker, status=OutboxStatus.SKIPPED, now=now)
            return Outcome.SKIPPED
        message.send()
    except Exception as exc:
        # SMTP refusing or unreachable, SES throttling, DynamoDB or the database failing while
        # building: all are a failed attempt, retried later; the error is logged with its traceback.
        # The traceback without the error's text, which may quote the recipient's address.
        error = _error_text(exc)
        log.warning("outbox item %s/%s: attempt failed: %s", tenant_id, item_id, error, extra={"stack": stack_of(exc)})
        return _attempt_failed(item, worker=worker, now=now, error=error)
    _done(item, worker=worker, status=OutboxStatus.SENT, now=now)
    return Outcome.SENT


def _error_text(exc: Exception) -> str:
    """What went wrong without personal data: the error's class and the SMTP code, never its text
    (an SMTP refusal names the recipient's address)."""
    code = getattr(exc, "smtp_code", None)
    if code is None and isinstance(getattr(exc, "recipients", None), dict):
        codes = sorted({str(value[0]) for value in exc.recipients.values()})  # type: ignore[attr-defined]
        code = ",".join(codes)
    return f"{type(exc).__name__}{f' {code}' if code else ''}"[:200]


def _update_mine(item: OutboxItem, *, worker: str, actions: list[UpdateAction]) -> bool:
    """Write to an item this worker still holds: a claim that expired and was taken again, or an
    item deleted meanwhile (a cancelled booking's reminder), is left to whoever has it now."""
    try:
        item.update(actions=actions, condition=OutboxItem.claimed_by == worker)
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            log.warning("outbox item %s/%s: claim lost before it was recorded", item.tenant_id, item.item_id)
            return False
        raise
    return True


def _done(item: OutboxItem, *, worker: str, status: str, now: dt.datetime) -> None:
    actions: list[UpdateAction] = [
        OutboxItem.status.set(status),
        OutboxItem.claimed_by.remove(),
        OutboxItem.claimed_until.remove(),
        OutboxItem.due_pk.remove(),
        OutboxItem.due_sk.remove(),
        OutboxItem.expires_at.set(now + KEEP_DONE),
    ]
    if status == OutboxStatus.SENT:
        actions.append(OutboxItem.sent_at.set(now))
    _update_mine(item, worker=worker, actions=actions)


def _attempt_failed(item: OutboxItem, *, worker: str, now: dt.datetime, error: str) -> str:
    attempts = int(item.attempts or 0) + 1
    actions: list[UpdateAction] = [
        OutboxItem.attempts.set(attempts),
        OutboxItem.last_error.set(error),
        OutboxItem.claimed_by.remove(),
        OutboxItem.claimed_until.remove(),
    ]
    if attempts >= MAX_ATTEMPTS:
        # Off the due shards, onto the clinic's failed list (same index, its own partition).
        actions += [
            OutboxItem.status.set(OutboxStatus.FAILED),
            OutboxItem.due_pk.set(dynamo.outbox_failed_pk(item.tenant_id)),
            OutboxItem.due_sk.set(dynamo.outbox_due_sk(now, item.tenant_id, item.item_id)),
        ]
        _update_mine(item, worker=worker, actions=actions)
        log.error("outbox item %s/%s failed after %s attempts: %s", item.tenant_id, item.item_id, attempts, error)
        # The FailedOutboxItems metric, alarmed on (nexioq.monitoring).
        metric_emit("FailedOutboxItems", dimensions={"Stage": settings.STAGE})
        return Outcome.FAILED
    due = now + backoff(attempts)
    actions += [
        OutboxItem.due_at.set(due),
        OutboxItem.due_sk.set(dynamo.outbox_due_sk(due, item.tenant_id, item.item_id)),
    ]
    _update_mine(item, worker=worker, actions=actions)
    return Outcome.RETRY


def outbox_resend(*, tenant_id: str, item_id: str, actor: Actor, now: dt.datetime) -> OutboxItem:
    """An Admin sends a failed message again: pending, due now, its attempts counted afresh."""
    if actor.tenant_id != tenant_id:
        raise NotFound(detail="another clinic's message")
    if not actor.allows(Action.CONFIGURE_CLINIC):
        raise Forbidden()
    dynamo.checked_id(item_id)
    item = _key(tenant_id, item_id)
    try:
        item.update(
            actions=[
                OutboxItem.status.set(OutboxStatus.PENDING),
                OutboxItem.attempts.set(0),
                OutboxItem.due_at.set(now),
                OutboxItem.due_pk.set(dynamo.outbox_due_pk(item_id)),
                OutboxItem.due_sk.set(dynamo.outbox_due_sk(now, tenant_id, item_id)),
                OutboxItem.claimed_by.remove(),
                OutboxItem.claimed_until.remove(),
            ],
            condition=OutboxItem.status == OutboxStatus.FAILED,
        )
    except UpdateError as exc:
        if exc.cause_response_code != CONDITION_FAILED:
            raise
        # Resent already (a second click), or no such message: the first is fine, the second 404.
        return selectors.outbox_item_get(tenant_id=tenant_id, item_id=item_id)
    return item


# ---------------------------------------------------------------- reminders preference


def reminders_set(*, user_id: str, enabled: bool) -> None:
    """The patient's choice, from their profile or a message's link: one row, every clinic."""
    User.objects.filter(pk=user_id).update(reminders=enabled)


def reminders_unsubscribe(*, token: str) -> UnsubscribeTarget:
    """Turn reminders off for what the signed token names; 404 for a bad token or one naming nothing.

    A patient with an account: their ``reminders`` preference (every booking, every clinic; the
    profile turns it back on). A phone patient without one: that booking's pending reminders are
    deleted (a later reschedule by the clinic writes them again; the message says so).
    """
    target = unsubscribe_token_read(token)
    if target.user_id is not None:
        try:
            changed = User.objects.filter(pk=target.user_id).update(reminders=False)
        except (ValidationError, ValueError) as exc:
            raise NotFound(detail="unsubscribe user") from exc
        if not changed:
            raise NotFound(detail="unsubscribe user gone")
        return target
    assert target.tenant_id is not None and target.booking_id is not None
    try:
        dynamo.checked_id(target.tenant_id), dynamo.checked_id(target.booking_id)
        clinic, booking = booking_with_clinic(tenant_id=target.tenant_id, booking_id=target.booking_id)
    except BookingNotFound as exc:
        raise NotFound(detail="unsubscribe booking gone") from exc
    offsets = outbox.reminder_offsets(clinic)

    def build(tx: dynamo.Transaction) -> None:
        for offset in offsets:
            tx.delete(_key(booking.tenant_id, outbox.reminder_id(booking.booking_id, offset)))

    if offsets:
        dynamo.transact(build)
    return target


# ---------------------------------------------------------------- the clinic's daily summary


def clinic_summaries_write(*, now: dt.datetime) -> int:
    """One ``clinic_summary`` item per clinic that wants it, for its next local day, once its local
    time has passed ``SUMMARY_LOCAL_HOUR``. Run hourly; the id names the day and the put is
    conditional, so running it again the same day writes nothing."""
    written = 0
    for clinic in selectors.clinics_to_notify():
        local = now.astimezone(clinic.zone)
        if local.hour < SUMMARY_LOCAL_HOUR:
            continue
        day = local.date() + dt.timedelta(days=1)
        item = outbox.outbox_item(
            tenant_id=clinic.tenant_id,
            item_id=outbox.summary_id(day),
            kind=MessageKind.CLINIC_SUMMARY,
            due=now,
            now=now,
            recipient=outbox.CLINIC,
        )
        try:
            item.save(condition=OutboxItem.pk.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code == CONDITION_FAILED:
                continue
            raise
        written += 1
    return written
