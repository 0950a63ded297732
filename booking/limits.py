"""How much time an online visitor may hold, so a script cannot hold a clinic's whole agenda.

Per client IP and per browser (or signed-in user), over fixed windows (django-ratelimit),
and at most a few live holds per browser across clinics. Staff of the clinic are not limited:
they book for patients all day.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

from access.permissions import Actor
from nexioq.errors import RateLimited

SESSION_HOLDS = "holds"  # hold id -> {"tenant": tenant id, "until": epoch seconds}: this browser's holds


def live_holds(request: HttpRequest) -> dict[str, dict[str, object]]:
    """This browser's holds that have not expired (expired ones are free again anyway)."""
    now = time.time()
    holds = request.session.get(SESSION_HOLDS, {})
    if not isinstance(holds, dict):
        return {}
    return {
        hold_id: entry
        for hold_id, entry in holds.items()
        if isinstance(entry, dict) and float(entry.get("until", 0)) > now  # type: ignore[arg-type]
    }


def hold_allowance_consume(request: HttpRequest, actor: Actor) -> None:
    """Count one hold against this visitor's allowance, or refuse it with 429."""
    if actor.is_member and actor.sees_whole_clinic():
        return
    holder = actor.holder
    by_ip = is_ratelimited(request, group="booking-hold-ip", key="ip", rate=settings.HOLD_RATE_PER_IP, increment=True)
    by_holder = is_ratelimited(
        request,
        group="booking-hold-holder",
        key=lambda group, request: holder,
        rate=settings.HOLD_RATE_PER_SESSION,
        increment=True,
    )
    if by_ip or by_holder:
        raise RateLimited(
            _("You have picked many times in a short while. Wait a few minutes, then pick the time you want.")
        )
    # One live hold per clinic (picking again gives the previous time back), and a few clinics.
    elsewhere = {entry["tenant"] for entry in live_holds(request).values() if entry["tenant"] != actor.tenant_id}
    if len(elsewhere) + 1 > settings.HOLD_MAX_LIVE_PER_SESSION:
        raise RateLimited(
            _(
                "You are already holding times at several clinics. Confirm one of them, or wait a few minutes "
                "until they are released."
            )
        )
