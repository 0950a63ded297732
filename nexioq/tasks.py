"""The project's own tasks: a ping to prove a worker answers, and beat's heartbeat.

The heartbeat is what a health check reads: beat queues it, a worker runs it, and the time
it ran lands in the result backend, so a stale value means beat or every worker is down.
"""

from __future__ import annotations

import datetime as dt

from celery import current_app, shared_task

HEARTBEAT_KEY = "nexioq:heartbeat"


@shared_task(ignore_result=False)
def ping() -> str:
    return "pong"


@shared_task
def heartbeat() -> str:
    stamp = dt.datetime.now(dt.UTC).isoformat()
    current_app.backend.set(HEARTBEAT_KEY, stamp)
    return stamp


def heartbeat_last() -> dt.datetime | None:
    """When a worker last ran beat's heartbeat, from the result backend (None if never)."""
    value = current_app.backend.get(HEARTBEAT_KEY)
    if not value:
        return None
    return dt.datetime.fromisoformat(value.decode() if isinstance(value, bytes) else str(value))
