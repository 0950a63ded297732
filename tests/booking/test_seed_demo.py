from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from access.models import Membership
from accounts.models import User
from booking.block_selectors import blocks_in_range
from booking.models import Booking
from booking.patient_selectors import patient_search
from clinics.selectors import clinic_get, professional_list, tenant_id_for_slug, treatment_list
from nexioq import dynamo
from tests.conftest import NOW


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_it_loads_the_demo_clinic_once(dynamodb_local: str, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEMO_CLINIC_SLUG = "sonrisa-seed-test"
    settings.DEMO_SECOND_CLINIC_SLUG = "norte-seed-test"
    out = io.StringIO()

    def clinic_bookings() -> list[Booking]:
        tenant_id = tenant_id_for_slug(slug="sonrisa-seed-test")
        return list(
            Booking.query(
                dynamo.tenant_pk(tenant_id),
                Booking.sk.between(*dynamo.prefix_range(dynamo.BOOKING_PREFIX)),
                consistent_read=True,
            )
        )

    call_command("seed_demo", stdout=io.StringIO())
    first_run = clinic_bookings()
    call_command("seed_demo", stdout=out)

    tenant_id = tenant_id_for_slug(slug="sonrisa-seed-test")
    clinic = clinic_get(tenant_id=tenant_id)
    bookings = clinic_bookings()
    assert clinic.name == "Clínica Dental Sonrisa"
    assert clinic.time_zone == "America/Bogota"
    assert len(treatment_list(tenant_id=tenant_id)) == 6
    assert len(professional_list(tenant_id=tenant_id)) == 3
    assert len(clinic.closures) == 1
    # An agenda from last week to two weeks ahead, the same on every run: nothing added the second time.
    assert len(bookings) == len(first_run) > 100
    assert {b.status for b in bookings} == {"confirmed", "attended", "no_show", "cancelled"}
    assert all(b.status == "confirmed" for b in bookings if b.start > NOW)
    # Reception finds the demo patients in the directory, and their bookings name the record.
    [found] = patient_search(tenant_id=tenant_id, query="torres")
    assert found.name == "Ana Sofía Torres"
    assert {b.channel for b in bookings} >= {"phone"} and all(b.patient_record_id for b in bookings if b.channel)
    meetings = blocks_in_range(tenant_id=tenant_id, start=NOW, end=NOW + dt.timedelta(days=35))
    assert len({m.series_id for m in meetings}) == 1 and len(meetings) == 4
    assert all(t.price > 0 for t in treatment_list(tenant_id=tenant_id))
    roles = set(Membership.objects.filter(tenant_id=tenant_id).values_list("user__email", "role"))
    assert roles == {
        ("admin@sonrisa-seed-test.example", "admin"),
        ("odontologo@sonrisa-seed-test.example", "dentist"),
        ("recepcion@sonrisa-seed-test.example", "reception"),
        ("paciente@sonrisa-seed-test.example", "patient"),
    }
    second = tenant_id_for_slug(slug="norte-seed-test")
    # Its admin and patient, and the receptionist who works at both clinics.
    assert Membership.objects.filter(tenant_id=second).count() == 3
    assert User.objects.get(email="owner@nexioq.example").is_staff
    assert User.objects.count() == 7
    assert "paciente@norte-seed-test.example" in out.getvalue()
    assert settings.DEMO_PASSWORD in out.getvalue()


def test_it_refuses_to_run_in_production(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PRODUCTION = True

    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())
