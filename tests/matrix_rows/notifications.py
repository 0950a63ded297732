"""Permission-matrix rows of the outbox's pages.

The unsubscribe link needs no sign-in (its signed token is the proof): everyone gets the page,
and confirming works for whoever holds the link. The failed messages page and its resend button
are the clinic Admins' (and the platform owner's): other members 403, another clinic's admin 404.
"""

from __future__ import annotations

from django.urls import reverse

from notifications import messages
from tests.conftest import NOW, People, World, at, book
from tests.matrix import Row, everyone, staff_gate
from tests.notifications.helpers import failed_item


def _unsubscribe(world: World, people: People) -> str:
    booking = book(world, at(9), patient_id=str(people.patient.pk))
    return reverse("notifications-unsubscribe", args=[messages.unsubscribe_token(booking=booking)])


def _resend(world: World, people: People) -> str:
    item = failed_item(world, booking_id=book(world, at(9)).booking_id, now=NOW)
    return reverse("notifications-resend", args=[world.slug, item.item_id])


ROWS: list[Row] = [
    Row("notifications-unsubscribe", "GET", _unsubscribe, everyone(200)),
    Row("notifications-unsubscribe", "POST", _unsubscribe, everyone(200)),
    Row("notifications-failed", "GET", lambda w, p: reverse("notifications-failed", args=[w.slug]), staff_gate(200)),
    Row("notifications-resend", "POST", _resend, staff_gate(302)),
]
