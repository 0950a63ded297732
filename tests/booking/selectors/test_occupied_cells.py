from __future__ import annotations

import datetime as dt

from booking import selectors, services
from nexioq.dynamo import count_requests
from tests.conftest import DAY, NOW, World, at


def test_it_reads_a_clinic_week_in_one_query_however_busy(world: World) -> None:
    patient = services.PatientDetails(name="P", email="p@example.com", phone="+573001234567")
    for day in range(7):
        for hour in (8, 10, 12, 14):
            for professional in (world.ana, world.ben):
                services.booking_create(
                    clinic=world.clinic,
                    treatment=world.cleaning,
                    professional=professional,
                    start=at(hour, day=DAY + dt.timedelta(days=day)),
                    patient=patient,
                )

    with count_requests() as counter:
        taken = selectors.occupied_cells(
            tenant_id=world.tenant_id, start=at(0), end=at(0, day=DAY + dt.timedelta(days=7)), now=NOW
        )

    assert counter.value == 1
    assert len(taken[world.ana.professional_id]) == 7 * 4 * 12
    assert len(taken[world.ben.professional_id]) == 7 * 4 * 12


def test_it_computes_a_weeks_availability_in_two_requests(world: World) -> None:
    from clinics.selectors import booking_context

    with count_requests() as counter:
        ctx = booking_context(
            tenant_id=world.tenant_id,
            treatment_id=world.cleaning.treatment_id,
            professional_id=world.ana.professional_id,
        )
        assert ctx.professional is not None
        slots = selectors.availability(
            clinic=ctx.clinic,
            treatment=ctx.treatment,
            professionals=[ctx.professional],
            first_day=DAY,
            last_day=DAY + dt.timedelta(days=6),
            now=NOW,
        )

    assert counter.value == 2
    assert len(slots) == 7 * 49  # 07:00..19:00 every 15 minutes
