"""Hostile input on reception's directory, phone bookings and walk-ins: whatever arrives, the answer is below 500.

The machinery of ``tests/test_fuzz.py`` (a valid request with a few parts spoiled, as anonymous,
the clinic's patient and its admin), with a family per URL: the search query, the new patient's
fields, the record, treatment, professional, start and booking id of a booking or a walk-in.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import settings
from hypothesis import strategies as st

from booking.patients import patient_record_create
from tests.conftest import World, system
from tests.test_fuzz import (  # noqa: F401 - the fixtures the families aim at
    FUZZ,
    INSTANT_MUTATIONS,
    INSTANTS,
    NUMBERS,
    SLUG,
    TEXT,
    TREATMENT,
    Family,
    Part,
    Targets,
    clients,
    fuzz,
    one_of,
    target,
    targets,
)

pytestmark = pytest.mark.django_db

RECORD = Part(target("record"))
PROFESSIONAL = Part(target("professional"))
START = Part(target("start"), lambda t: INSTANTS | TEXT, INSTANT_MUTATIONS)
BOOKING_KEY = Part(lambda t: st.uuids().map(lambda u: u.hex))
QUERY = Part(one_of("luisa", "gómez", "300 123", "+57 300 123 4567", "luisa@ex", "lu go"), lambda t: TEXT | NUMBERS)
PATIENT_FIELDS = {
    "name": Part(one_of("Pedro Páramo", "José Ñúñez")),
    "phone": Part(one_of("310 555 1234", "+57 311 555 9876")),
    "email": Part(one_of("", "pedro@example.com")),
    "record_id": Part(lambda t: st.uuids().map(lambda u: u.hex)),
    "confirm": Part(one_of("", "on")),
    "then": Part(one_of("book", "walk_in")),
}

FAMILIES = {
    family.name: family
    for family in [
        Family("office-patients", ("GET",), {"clinic_slug": SLUG}, {"q": QUERY}),
        Family("office-patient-new", ("POST",), {"clinic_slug": SLUG}, PATIENT_FIELDS, weight=2),
        Family(
            "office-walk-in",
            ("GET", "POST"),
            {"clinic_slug": SLUG},
            {
                "q": QUERY,
                "record": RECORD,
                "treatment": TREATMENT,
                "booking": BOOKING_KEY,
                "start": START,
                "professional": PROFESSIONAL,
            },
            weight=2,
        ),
        Family("office-patient-book", ("GET",), {"clinic_slug": SLUG, "record_id": RECORD}),
        Family(
            "office-patient-book-time",
            ("GET", "POST"),
            {"clinic_slug": SLUG, "record_id": RECORD, "treatment_id": TREATMENT},
            {
                "professional": Part(target("professional"), lambda t: TEXT),
                "date": Part(one_of("2026-12-01", "2026-12-02"), lambda t: TEXT | NUMBERS),
                "from": Part(one_of("2026-12-01"), lambda t: TEXT),
                "start": START,
                "booking": BOOKING_KEY,
            },
            weight=3,
        ),
        Family(
            "office-patient-booked",
            ("GET",),
            {"clinic_slug": SLUG, "record_id": RECORD, "booking_id": Part(target("desk_booking"))},
        ),
    ]
}


@pytest.fixture
def desk_targets(targets: Targets, world: World) -> Targets:  # noqa: F811
    from booking import services
    from tests.conftest import at

    record = patient_record_create(
        tenant_id=world.tenant_id,
        name="Luisa Gómez",
        phone="300 123 4567",
        email="luisa@example.com",
        actor=system(world),
    ).record
    assert record is not None
    booking = services.booking_create(
        tenant_id=world.tenant_id,
        treatment_id=world.check.treatment_id,
        professional_id=world.ana.professional_id,
        start=at(18),
        patient=services.PatientDetails(record.name, record.email, record.phone),
        actor=system(world),
        channel="phone",
        patient_record_id=record.record_id,
    )
    extra: dict[str, Any] = {"record": [record.record_id], "desk_booking": [booking.booking_id]}
    return {**targets, **extra}


def test_it_has_a_family_for_every_patients_url() -> None:
    from office.urls_patients import urlpatterns

    assert {p.name for p in urlpatterns} == set(FAMILIES)


@pytest.mark.parametrize("family", FAMILIES.values(), ids=list(FAMILIES))
def test_it_answers_hostile_input_below_500(family: Family, desk_targets: Targets, clients: dict[str, Client]) -> None:  # noqa: F811
    fuzz(family, desk_targets, clients, settings(FUZZ, max_examples=FUZZ.max_examples * family.weight))
