"""Permission-matrix rows of the staff calendar: the page, its events feed and moves.

Whole-clinic staff (owner, admin, reception) and a dentist see the calendar (a dentist their own
agenda); a patient is refused (403), another clinic's staff find nothing (404). A move is the
engine's reschedule: a dentist moves only their own bookings.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from nexioq.dynamo import iso_utc
from tests.conftest import DAY, People, World, at, book
from tests.matrix import SIGN_IN, Row


def staff(status: int, *, dentist: int | None = None) -> dict[str, int]:
    return {
        "owner": status,
        "admin": status,
        "reception": status,
        "dentist": status if dentist is None else dentist,
        "patient": 403,
        "anonymous": SIGN_IN,
        "outsider": 404,
    }


def events(world: World, people: People) -> str:
    week = {"start": at(0).isoformat(), "end": at(0, day=DAY.replace(day=8)).isoformat()}
    return reverse("office-agenda-events", args=[world.slug]) + "?" + urlencode(week)


def moving(professional: str):  # type: ignore[no-untyped-def]
    def url(world: World, people: People) -> str:
        who = world.ana if professional == "ana" else world.ben
        booking = book(world, at(9), professional=who)
        return reverse("office-agenda-move", args=[world.slug, booking.booking_id])

    return url


ROWS: list[Row] = [
    Row("office-agenda", "GET", lambda w, p: reverse("office-agenda", args=[w.slug]), staff(200)),
    Row("office-agenda-events", "GET", events, staff(200)),
    # The dentist is Dra. Ana: her booking moves, Dr. Ben's does not.
    Row("office-agenda-move", "POST", moving("ana"), staff(200), lambda w, p, i: {"start": iso_utc(at(11))}),
    Row(
        "office-agenda-move",
        "POST",
        moving("ben"),
        staff(200, dentist=403),
        lambda w, p, i: {"start": iso_utc(at(11))},
    ),
]
