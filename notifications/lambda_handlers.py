"""The outbox on AWS Lambda: Zappa scheduled events (``zappa_settings.json``, "events") instead of beat.

There is no worker there: the sweep delivers each due item inline, within the event's time.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from notifications import services


def _worker(context: Any) -> str:
    return f"lambda:{getattr(context, 'aws_request_id', None) or 'local'}"


def sweep(event: dict[str, Any], context: Any) -> int:
    """Every minute: send what is due."""
    worker = _worker(context)

    def deliver(tenant_id: str, item_id: str) -> None:
        services.outbox_deliver(tenant_id=tenant_id, item_id=item_id, worker=worker, now=timezone.now())

    return services.outbox_sweep(now=timezone.now(), deliver=deliver)


def summaries(event: dict[str, Any], context: Any) -> int:
    """Every hour: the clinics' agenda summaries of the next day (due at once; the sweep sends them)."""
    return services.clinic_summaries_write(now=timezone.now())
