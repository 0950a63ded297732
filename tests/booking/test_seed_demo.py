from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from booking.models import Booking
from clinics.selectors import clinic_get, professional_list, tenant_id_for_slug, treatment_list
from nexioq import dynamo


@pytest.mark.usefixtures("frozen")
def test_it_loads_the_demo_clinic_once(dynamodb_local: str, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEMO_CLINIC_SLUG = "sonrisa-seed-test"

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    tenant_id = tenant_id_for_slug(slug="sonrisa-seed-test")
    clinic = clinic_get(tenant_id=tenant_id)
    bookings = list(Booking.query(dynamo.tenant_pk(tenant_id), Booking.sk.startswith("BOOKING#")))
    assert clinic.name == "Clínica Dental Sonrisa"
    assert clinic.time_zone == "America/Bogota"
    assert len(treatment_list(tenant_id=tenant_id)) == 6
    assert len(professional_list(tenant_id=tenant_id)) == 3
    assert len(clinic.closures) == 1
    assert len(bookings) == 5
    assert all(t.price > 0 for t in treatment_list(tenant_id=tenant_id))
