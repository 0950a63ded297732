"""Hostile input on the day view and a booking's details panel: whatever arrives, the answer is below 500.

The machinery of ``tests/test_fuzz.py`` (a valid request with a few parts spoiled, as anonymous,
the clinic's patient and its admin), with a family per URL: the day's date and professional, the
booking id, and every field of the panel's forms.
"""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import settings
from hypothesis import strategies as st

from tests.test_fuzz import (  # noqa: F401 - the fixtures the families aim at
    DATES,
    FUZZ,
    NUMBERS,
    SLUG,
    TEXT,
    Family,
    Part,
    Targets,
    clients,
    fuzz,
    one_of,
    targets,
)

pytestmark = pytest.mark.django_db

# targets["booking"]: the patient's booking, someone else's, and hold ids (not bookings).
BOOKING = Part(lambda t: st.sampled_from(t["booking"]))
PROFESSIONAL = Part(lambda t: st.sampled_from(t["professional"][:2]))
DATE = Part(one_of("2026-12-01", "2026-11-30", "2026-12-02"), lambda t: DATES | TEXT)
TIME = Part(one_of("09:00", "13:15", "17:30"), lambda t: TEXT | st.sampled_from(["24:00", "9:0", "09:03", "23:59"]))
VERSION = Part(one_of("1", "2"), lambda t: NUMBERS | TEXT)

FAMILIES = {
    family.name: family
    for family in [
        Family("office-agenda-day", ("GET",), {"clinic_slug": SLUG}, {"date": DATE, "professional": PROFESSIONAL}),
        Family("office-booking", ("GET",), {"clinic_slug": SLUG, "booking_id": BOOKING}),
        Family(
            "office-booking-cancel",
            ("POST",),
            {"clinic_slug": SLUG, "booking_id": BOOKING},
            {"reason": Part(one_of("Llamó para cancelar", "Enfermo Ω"))},
        ),
        Family(
            "office-booking-reschedule",
            ("POST",),
            {"clinic_slug": SLUG, "booking_id": BOOKING},
            {"date": DATE, "time": TIME, "professional": PROFESSIONAL},
            weight=2,
        ),
        Family(
            "office-booking-mark",
            ("POST",),
            {"clinic_slug": SLUG, "booking_id": BOOKING},
            {
                "outcome": Part(
                    one_of("attended", "no_show"), lambda t: TEXT | st.sampled_from(["confirmed", "cancelled"])
                )
            },
        ),
        Family(
            "office-booking-note",
            ("POST",),
            {"clinic_slug": SLUG, "booking_id": BOOKING},
            {"note": Part(one_of("Trae radiografías", "")), "version": VERSION},
        ),
    ]
}


def test_it_has_a_family_for_every_url_of_the_panel_and_the_day() -> None:
    from office.urls_agenda_booking import urlpatterns as panel
    from office.urls_day import urlpatterns as day

    assert {p.name for p in [*panel, *day]} == set(FAMILIES)


@pytest.mark.parametrize("family", FAMILIES.values(), ids=list(FAMILIES))
def test_it_answers_hostile_input_below_500(family: Family, targets: Targets, clients: dict[str, Client]) -> None:  # noqa: F811
    fuzz(family, targets, clients, settings(FUZZ, max_examples=FUZZ.max_examples * family.weight))
