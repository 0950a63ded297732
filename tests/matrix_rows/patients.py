"""Permission-matrix rows of reception's patient directory, phone bookings and walk-ins.

The directory (``find_patients``) is Admin's and Reception's: a Dentist has none (403). Booking a
record (``manage_bookings``) is every staff role's; a Dentist books only their own agenda.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.urls import reverse

from booking import services
from booking.patients import patient_record_create
from nexioq.dynamo import iso_utc
from tests.conftest import People, World, at, system
from tests.matrix import SIGN_IN, Row


def directory_gate(allowed: int) -> dict[str, int]:
    return {
        "owner": allowed,
        "admin": allowed,
        "dentist": 403,
        "reception": allowed,
        "patient": 403,
        "anonymous": SIGN_IN,
        "outsider": 404,
    }


def booking_gate(allowed: int) -> dict[str, int]:
    return {**directory_gate(allowed), "dentist": allowed}


def record_id(world: World) -> str:
    """The clinic's phone patient (made once per test)."""
    created = patient_record_create(
        tenant_id=world.tenant_id,
        name="Luisa Gómez",
        phone="300 123 4567",
        actor=system(world),
        record_id="matrix-record",
    )
    assert created.record is not None
    return created.record.record_id


def _booked(world: World) -> str:
    rid = record_id(world)
    return services.booking_create(
        tenant_id=world.tenant_id,
        treatment_id=world.cleaning.treatment_id,
        professional_id=world.ana.professional_id,
        start=at(17),
        patient=services.PatientDetails("Luisa Gómez", "", "+573001234567"),
        actor=system(world),
        channel="phone",
        patient_record_id=rid,
    ).booking_id


def _book_data(world: World, people: People, i: int) -> dict[str, Any]:
    # The dentist is Dra. Ana: her own agenda, at a time no other role takes.
    return {"professional": world.ana.professional_id, "start": iso_utc(at(8 + i))}


def _walk_in_data(world: World, people: People, i: int) -> dict[str, Any]:
    return {"record": record_id(world), "treatment": world.check.treatment_id, "booking": f"walk-in-{i}"}


ROWS: list[Row] = [
    Row(
        "office-patients",
        "GET",
        lambda w, p: reverse("office-patients", args=[w.slug]) + "?q=luisa",
        directory_gate(200),
    ),
    Row(
        "office-patient-new",
        "POST",
        lambda w, p: reverse("office-patient-new", args=[w.slug]),
        directory_gate(302),
        lambda w, p, i: {"name": f"Paciente {i}", "phone": f"300 555 00{10 + i}", "record_id": f"new-{i}"},
    ),
    Row("office-walk-in", "GET", lambda w, p: reverse("office-walk-in", args=[w.slug]), directory_gate(200)),
    Row(
        "office-walk-in",
        "POST",
        lambda w, p: reverse("office-walk-in", args=[w.slug]),
        directory_gate(302),
        _walk_in_data,
    ),
    Row(
        "office-patient-book",
        "GET",
        lambda w, p: reverse("office-patient-book", args=[w.slug, record_id(w)]),
        booking_gate(200),
    ),
    Row(
        "office-patient-book-time",
        "GET",
        lambda w, p: reverse("office-patient-book-time", args=[w.slug, record_id(w), w.cleaning.treatment_id]),
        booking_gate(200),
    ),
    Row(
        "office-patient-book-time",
        "POST",
        lambda w, p: (
            reverse("office-patient-book-time", args=[w.slug, record_id(w), w.cleaning.treatment_id])
            + f"?booking=matrix-{uuid.uuid4().hex}"
        ),
        booking_gate(302),
        _book_data,
    ),
    Row(
        "office-patient-booked",
        "GET",
        lambda w, p: reverse("office-patient-booked", args=[w.slug, "matrix-record", _booked(w)]),
        booking_gate(200),
    ),
]
