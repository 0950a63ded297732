"""Permission-matrix rows of a booking's details panel and the side-by-side day view.

Whole-clinic staff (Owner, Admin, Reception) open and change every booking; the Dentist (Dra. Ana)
only her own professional's: another dentist's booking answers 403. Patients get 403, anonymous
visitors the sign-in page, another clinic's admin 404. The actions answer a redirect back to the
booking's page (no htmx in the matrix).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from tests.conftest import NOW, People, World, at, book
from tests.matrix import SIGN_IN, Row

TODAY = NOW.date()  # attendance may be marked from the appointment's day


def staff(allowed: int, *, dentist: int | None = None) -> dict[str, int]:
    return {
        "owner": allowed,
        "admin": allowed,
        "reception": allowed,
        "dentist": allowed if dentist is None else dentist,
        "patient": 403,
        "anonymous": SIGN_IN,
        "outsider": 404,
    }


def anas(world: World, people: People) -> str:
    """A booking of Dra. Ana, the dentist's own professional, tomorrow."""
    return book(world, at(9), professional=world.ana).booking_id


def bens(world: World, people: People) -> str:
    """A booking of Dr. Ben: another dentist's."""
    return book(world, at(9), professional=world.ben).booking_id


def anas_today(world: World, people: People) -> str:
    return book(world, at(10, day=TODAY), professional=world.ana).booking_id


def bens_today(world: World, people: People) -> str:
    return book(world, at(10, day=TODAY), professional=world.ben).booking_id


def panel(name: str, booking: Callable[[World, People], str]) -> Callable[[World, People], str]:
    return lambda w, p: reverse(name, args=[w.slug, booking(w, p)])


def move_to(professional: str) -> Callable[[World, People, int], dict[str, Any]]:
    return lambda w, p, i: {
        "date": "2026-12-01",
        "time": "11:00",
        "professional": getattr(w, professional).professional_id,
    }


ROWS: list[Row] = [
    Row("office-agenda-day", "GET", lambda w, p: reverse("office-agenda-day", args=[w.slug]), staff(200)),
    Row(
        "office-agenda-day",
        "GET",
        lambda w, p: reverse("office-agenda-day", args=[w.slug]) + f"?professional={w.ben.professional_id}",
        staff(200, dentist=403),
    ),
    Row("office-booking", "GET", panel("office-booking", anas), staff(200)),
    Row("office-booking", "GET", panel("office-booking", bens), staff(200, dentist=403)),
    Row(
        "office-booking-cancel",
        "POST",
        panel("office-booking-cancel", anas),
        staff(302),
        lambda w, p, i: {"reason": "Llamó para cancelar"},
    ),
    Row(
        "office-booking-cancel",
        "POST",
        panel("office-booking-cancel", bens),
        staff(302, dentist=403),
        lambda w, p, i: {"reason": "Llamó para cancelar"},
    ),
    Row(
        "office-booking-reschedule",
        "POST",
        panel("office-booking-reschedule", anas),
        staff(302),
        move_to("ana"),
    ),
    Row(
        "office-booking-reschedule",
        "POST",
        panel("office-booking-reschedule", bens),
        staff(302, dentist=403),
        move_to("ben"),
    ),
    Row(
        "office-booking-mark",
        "POST",
        panel("office-booking-mark", anas_today),
        staff(302),
        lambda w, p, i: {"outcome": "no_show"},
    ),
    Row(
        "office-booking-mark",
        "POST",
        panel("office-booking-mark", bens_today),
        staff(302, dentist=403),
        lambda w, p, i: {"outcome": "attended"},
    ),
    # A new booking is at version 1: the note is saved over it.
    Row(
        "office-booking-note",
        "POST",
        panel("office-booking-note", anas),
        staff(302),
        lambda w, p, i: {"note": "Trae radiografías", "version": "1"},
    ),
    Row(
        "office-booking-note",
        "POST",
        panel("office-booking-note", bens),
        staff(302, dentist=403),
        lambda w, p, i: {"note": "Trae radiografías", "version": "1"},
    ),
]
