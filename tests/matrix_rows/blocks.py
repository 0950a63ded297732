"""Permission-matrix rows of blocks (``Action.BLOCK_TIME``): Admins and the owner block anyone's time,
a Dentist their own (the rows use Dra. Ana's, the dentist's agenda); reception and patients 403,
visitors sign in, another clinic's staff 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from booking.blocks import block_create
from booking.models import BlockReason
from tests.conftest import DAY, People, World, at, system
from tests.matrix import SIGN_IN, Row


def block_gate(allowed: int) -> dict[str, int]:
    return {
        "owner": allowed,
        "admin": allowed,
        "dentist": allowed,
        "reception": 403,
        "patient": 403,
        "anonymous": SIGN_IN,
        "outsider": 404,
    }


def anas_block(world: World, people: People) -> str:
    """A weekly block of Dra. Ana's (the dentist's own agenda)."""
    made = block_create(
        tenant_id=world.tenant_id,
        professional_id=world.ana.professional_id,
        start=at(13),
        end=at(14),
        reason=BlockReason.MEETING,
        weeks=2,
        actor=system(world),
    )
    return made[0].block_id


def new_block(world: World, people: People, i: int) -> dict[str, Any]:
    # A day per role: every allowed request succeeds on its own.
    return {
        "professional": world.ana.professional_id,
        "date": (DAY + dt.timedelta(days=i)).isoformat(),
        "start_time": "09:00",
        "end_time": "10:00",
        "reason": BlockReason.TRAINING,
    }


ROWS: list[Row] = [
    Row("office-blocks", "GET", lambda w, p: reverse("office-blocks", args=[w.slug]), block_gate(200)),
    Row("office-block-new", "GET", lambda w, p: reverse("office-block-new", args=[w.slug]), block_gate(200)),
    Row(
        "office-block-new", "POST", lambda w, p: reverse("office-block-new", args=[w.slug]), block_gate(302), new_block
    ),
    Row(
        "office-block",
        "GET",
        lambda w, p: reverse("office-block", args=[w.slug, anas_block(w, p)]),
        block_gate(200),
    ),
    Row(
        "office-block-remove",
        "POST",
        lambda w, p: reverse("office-block-remove", args=[w.slug, anas_block(w, p)]),
        block_gate(302),
        lambda w, p, i: {"scope": "series"},
    ),
]
