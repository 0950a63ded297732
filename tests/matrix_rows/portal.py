"""Permission-matrix rows of the patient portal ("Mis citas").

``/me/`` pages are the signed-in user's own: every signed-in role gets its own page. A booking's
actions act only on the visitor's own booking: the patient's booking is found by the patient and
by nobody else (404 for staff too: they work on bookings in the back office).
"""

from __future__ import annotations

from django.urls import reverse

from nexioq.dynamo import iso_utc
from tests.conftest import PASSWORD, People, World, at, book
from tests.matrix import SIGN_IN, Row, everyone


def patients_booking(world: World, people: People) -> str:
    return book(world, at(11), professional=world.ana, patient_id=str(people.patient.pk)).booking_id


def signed_in(status: int) -> dict[str, int]:
    return {**everyone(status), "anonymous": SIGN_IN}


def only_the_patient(status: int, *, anonymous: int = SIGN_IN) -> dict[str, int]:
    return {**everyone(404), "patient": status, "anonymous": anonymous}


ROWS: list[Row] = [
    Row("portal-bookings", "GET", lambda w, p: reverse("portal-bookings"), signed_in(200)),
    Row(
        "portal-profile",
        "POST",
        lambda w, p: reverse("portal-profile"),
        signed_in(302),
        lambda w, p, i: {"full_name": "Ana Pérez", "phone": "300 123 4567", "language": "en"},
    ),
    Row("portal-export", "GET", lambda w, p: reverse("portal-export"), signed_in(200)),
    # Platform staff and the last Admin of a clinic (clinic A's admin, clinic B's "outsider") are refused.
    Row(
        "portal-delete",
        "POST",
        lambda w, p: reverse("portal-delete"),
        {**signed_in(302), "owner": 409, "admin": 409, "outsider": 409},
        lambda w, p, i: {"secret": PASSWORD},
    ),
    Row(
        "booking-cancel",
        "POST",
        lambda w, p: reverse("booking-cancel", args=[w.slug, patients_booking(w, p)]),
        only_the_patient(302),
    ),
    Row(
        "booking-reschedule",
        "POST",
        lambda w, p: reverse("booking-reschedule", args=[w.slug, patients_booking(w, p)]),
        only_the_patient(302),
        lambda w, p, i: {"professional": w.ana.professional_id, "start": iso_utc(at(13))},
    ),
    # Anyone may ask (the browser that booked it before signing in too); only its patient finds it.
    Row(
        "booking-calendar",
        "GET",
        lambda w, p: reverse("booking-calendar", args=[w.slug, patients_booking(w, p)]),
        only_the_patient(200, anonymous=404),
    ),
]
