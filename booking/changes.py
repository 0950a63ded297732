"""A per-clinic marker of agenda changes, kept in the shared cache: what the calendar's ETag is built on.

Every write that changes what the calendar shows (a booking, a hold, a block, a note) calls
``agenda_changed`` after it succeeded; the events endpoint answers 304 without reading DynamoDB
while the marker it built its answer under is still current. The cache is only a shortcut: when it
is down or forgets, the calendar reads DynamoDB again, it never shows something wrong for long.
"""

from __future__ import annotations

import logging
import time
import uuid

from django.core.cache import cache

log = logging.getLogger(__name__)

# The marker expires on its own, so a change whose marker could not be written is seen within this.
GENERATION_SECONDS = 300


def _key(tenant_id: str) -> str:
    return f"agenda-generation:{tenant_id}"


def _new() -> str:
    return f"{uuid.uuid4().hex}:{time.time():.3f}"


def agenda_changed(*, tenant_id: str) -> None:
    """Call after a successful write that the calendar shows."""
    try:
        cache.set(_key(tenant_id), _new(), GENERATION_SECONDS)
    except Exception:  # the cache is a shortcut; the write itself succeeded
        log.warning("agenda change marker of %s not written", tenant_id, exc_info=True)


def agenda_generation(*, tenant_id: str) -> str | None:
    """The clinic's current marker ``<random>:<epoch set>``, made if there is none; None when the cache is down."""
    try:
        generation = cache.get(_key(tenant_id))
        if generation is None:
            cache.add(_key(tenant_id), _new(), GENERATION_SECONDS)
            generation = cache.get(_key(tenant_id))
        return str(generation) if generation is not None else None
    except Exception:
        log.warning("agenda change marker of %s not read", tenant_id, exc_info=True)
        return None
