"""Celery tasks of the outbox: thin, they take ids and call the services.

Beat runs ``outbox_sweep_task`` every minute (``nexioq.settings``' beat schedule) and
``clinic_summaries_task`` hourly; the sweep queues one ``deliver_outbox_item`` per due item. The
tasks do not retry themselves: a failed send is a failed attempt recorded on the item, which the
due index offers again after its backoff (``notifications.services``), whether the worker lived or not.
"""

from __future__ import annotations

import logging
import os
import socket

from celery import shared_task
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


def outbox_kick(tenant_id: str, item_ids: list[str]) -> None:
    """After a booking change, ask a worker to send its messages now rather than at the next sweep.

    Optional and best effort: with the broker down (Redis stopped) the booking already stands
    and the sweep sends the messages once it can, so the error is logged, never raised.
    """
    for item_id in item_ids:
        try:
            deliver_outbox_item.apply_async((tenant_id, item_id), retry=False)
        except Exception:
            log.warning("could not queue outbox item %s/%s; the sweep will send it", tenant_id, item_id, exc_info=True)
            return
