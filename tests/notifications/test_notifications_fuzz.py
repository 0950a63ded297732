"""Hostile input on the outbox's URLs: whatever arrives, the answer is below 500.

The machinery is ``tests/test_fuzz.py``'s. The unsubscribe token is fuzzed with garbage, truncated
tokens, tokens of another purpose (signed with another salt), a payload naming another user under
this token's signature, and the usual mutations; each must be refused (404), never a 500 and never
a change. The failed messages page and its resend button get ids of real failed messages, of other
messages and of nothing. A deeper run: ``NEXIOQ_FUZZ_EXAMPLES=500 .venv/bin/python -m pytest
tests/notifications/test_notifications_fuzz.py``.
"""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client
from hypothesis import settings
from hypothesis import strategies as st

from notifications import messages, outbox
from tests.conftest import NOW, People, World, at, book
from tests.notifications.helpers import failed_item
from tests.test_fuzz import (  # noqa: F401 - fixtures, used by name
    FUZZ,
    MUTATIONS,
    SLUG,
    TEXT,
    Family,
    Part,
    Targets,
    clients,
    fuzz,
    target,
    targets,
)

pytestmark = pytest.mark.django_db

ADMIN_FIRST = ("admin", "patient", "anonymous")
TOKEN_MUTATIONS = (
    *MUTATIONS,
    lambda v: v[:-1],
    lambda v: v[: len(v) // 2],
    lambda v: v.split(":", 1)[0],
    lambda v: v.replace(":", "", 1),
    lambda v: v.upper(),
    lambda v: v[::-1],
)
TOKEN = Part(
    target("unsubscribe"),
    lambda t: TEXT | st.sampled_from(t["foreign_tokens"]),
    TOKEN_MUTATIONS,
)
ITEM = Part(target("failed"), lambda t: TEXT | st.sampled_from(t["other_items"]))

FAMILIES = {
    family.name: family
    for family in [
        Family("notifications-unsubscribe", ("GET", "POST"), {"token": TOKEN}, roles=("anonymous", "patient", "admin")),
        Family("notifications-failed", ("GET",), {"clinic_slug": SLUG}, roles=ADMIN_FIRST),
        Family("notifications-resend", ("POST",), {"clinic_slug": SLUG, "item_id": ITEM}, roles=ADMIN_FIRST),
    ]
}


@pytest.fixture
def outbox_targets(targets: Targets, world: World, people: People) -> Targets:  # noqa: F811
    mine = book(world, at(17), professional=world.ana, patient_id=str(people.patient.pk))
    phone = book(world, at(18), professional=world.ana)
    failed = [failed_item(world, booking_id=b.booking_id, now=NOW).item_id for b in (mine, phone)]
    other_user = signing.dumps({"u": str(people.admin.pk)}, salt="another.purpose")
    token = messages.unsubscribe_token(booking=mine)
    swapped = ":".join([signing.b64_encode(f'{{"u":"{people.admin.pk}"}}'.encode()).decode(), *token.split(":")[1:]])
    return {
        **targets,
        "unsubscribe": [token, messages.unsubscribe_token(booking=phone)],
        "foreign_tokens": [other_user, swapped, signing.dumps(["u", "x"], salt=messages.UNSUBSCRIBE_SALT)],
        "failed": failed,
        "other_items": [outbox.reminder_id(mine.booking_id, 120), "no-such-item", "x" * 65],
    }


@pytest.mark.parametrize("family", FAMILIES.values(), ids=list(FAMILIES))
def test_it_answers_hostile_input_below_500(
    family: Family,
    outbox_targets: Targets,
    clients: dict[str, Client],  # noqa: F811
) -> None:
    fuzz(family, outbox_targets, clients, settings(FUZZ, max_examples=FUZZ.max_examples * family.weight))
