"""Celery tasks of the outbox: thin, they take ids and call the services.

Beat runs ``outbox_sweep_task`` every minute (``nexioq.settings``' beat schedule) and
``clinic_summaries_task`` hourly; the sweep queues one ``deliver_outbox_item`` per due item. The
tasks do not retry themselves: a failed send is a failed attempt recorded on the item, which the
due index offers again after its backoff (``notifications.services``), whether the worker lived or not.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import socket
import time
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from notifications import services

log = logging.getLogger(__name__)


def worker_name() -> str:
    """Who claims an item: this host and process (a restarted worker is someone else)."""
    return f"{socket.gethostname()}:{os.getpid()}"


@shared_task(name="notifications.tasks.deliver_outbox_item", ignore_result=True)
def deliver_outbox_item(tenant_id: str, item_id: str) -> str:
    return services.outbox_deliver(tenant_id=tenant_id, item_id=item_id, worker=worker_name(), now=timezone.now())


@shared_task(name="notifications.tasks.outbox_sweep_task", ignore_result=True)
def outbox_sweep_task() -> int:
    return services.outbox_sweep(now=timezone.now(), deliver=lambda t, i: deliver_outbox_item.delay(t, i))


@shared_task(name="notifications.tasks.clinic_summaries_task", ignore_result=True)
def clinic_summaries_task() -> int:
    return services.clinic_summaries_write(now=timezone.now())


def outbox_kick() -> bool:
    """After a booking change, ask for a sweep now rather than at the next minute (``kicks_outbox``
    calls it once the change is written). Best effort: with the broker down (Redis stopped) the
    booking already stands and beat's next sweep sends its messages, so the error is logged, never
    raised. Returns whether the sweep was queued.

    On Lambda (``OUTBOX_KICK_LAMBDA``) there is no broker: the function invokes itself
    asynchronously with the sweep as a Zappa command, so the confirmation leaves within seconds
    there too instead of at the next minute's scheduled sweep."""
    if time.monotonic() < _kick_paused_until:
        return False
    if settings.OUTBOX_KICK_LAMBDA:
        return _lambda_kick()
    if not settings.OUTBOX_KICK:
        return False
    app = outbox_sweep_task.app
    try:
        # One try, no reconnecting: kombu would otherwise retry the broker for seconds inside a request.
        with app.connection_for_write(transport_options={"max_retries": 0}) as connection:
            outbox_sweep_task.apply_async(retry=False, connection=connection)
    except Exception:
        return _kick_refused("could not queue a sweep")
    return True


# After a kick was refused (the broker, or Lambda's API), this process stops kicking this long; the
# scheduled sweep (beat, or the minute's event) sends meanwhile.
KICK_PAUSE_SECONDS = 5.0
_kick_paused_until = 0.0


def _kick_refused(what: str) -> bool:
    """Log a kick that failed, with its exception, and pause kicking: every booking meanwhile would
    pay the same refusal. Returns False, what the kick returns: no sweep was queued."""
    global _kick_paused_until
    _kick_paused_until = time.monotonic() + KICK_PAUSE_SECONDS
    log.warning("%s; the next scheduled one sends the messages", what, exc_info=True)
    return False


# What Zappa's handler runs for an event with a "command": the same function as the minute's event.
LAMBDA_SWEEP_COMMAND = "notifications.lambda_handlers.sweep"
_lambda_client: Any = None


def lambda_client() -> Any:
    """The Lambda API client of this container, made once (a client costs tens of milliseconds)."""
    global _lambda_client
    if _lambda_client is None:
        import boto3
        from botocore.config import Config

        # Best effort inside a request: one quick try, the scheduled sweep is the safety net.
        config = Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1, "mode": "standard"})
        _lambda_client = boto3.client("lambda", config=config)
    return _lambda_client


def _lambda_kick() -> bool:
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
    if not function_name:
        # Production settings outside Lambda (a rehearsal, a shell): nothing to invoke.
        return False
    try:
        lambda_client().invoke(
            FunctionName=function_name,
            InvocationType="Event",
            Payload=json.dumps({"command": LAMBDA_SWEEP_COMMAND}).encode(),
        )
    except Exception:
        return _kick_refused("could not invoke a sweep")
    return True


def kick_pause_reset() -> None:
    """Forget a broker outage (the broker changed, or is known to be back)."""
    global _kick_paused_until
    _kick_paused_until = 0.0


View = Callable[..., HttpResponse]


def kicks_outbox(view: View) -> View:
    """For a view that changes bookings (books, cancels, moves): once it answered a POST with a
    success, the change and its outbox items are written, so a sweep is queued to send them now.

    A refusal raises (the error layer answers) or answers 4xx, and writes nothing: no sweep. Every
    such view wears this one decorator rather than calling the broker itself, so when to kick is
    decided here once.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method == "POST" and response.status_code < 400:
            outbox_kick()
        return response

    return wrapped
