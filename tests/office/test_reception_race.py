"""The race of the issue: a patient books online while reception books the same time by phone.

Real threads against DynamoDB Local, through the services both sides use: exactly one booking
exists, and the loser is told the time was taken (SlotTaken, which the pages answer with 409).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from booking import services
from booking.errors import SlotTaken
from booking.models import BookingStatus
from booking.patients import patient_record_create
from tests.booking.helpers import clinic_bookings
from tests.conftest import People, World, at, member

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 6


def test_online_and_phone_for_the_same_time_make_one_booking(world: World, people: People) -> None:
    reception = member(world, people.reception)
    patient = member(world, people.patient)
    record = patient_record_create(
        tenant_id=world.tenant_id, name="Luisa Gómez", phone="300 123 4567", actor=reception
    ).record
    assert record is not None
    winners: dict[str, int] = {"online": 0, "phone": 0}

    for round_ in range(ROUNDS):
        start = at(8 + round_)
        barrier = threading.Barrier(2)
        results: dict[str, Any] = {}

        def online(start=start, barrier=barrier, results=results) -> None:  # type: ignore[no-untyped-def]
            try:
                barrier.wait()
                hold = services.hold_create(
                    tenant_id=world.tenant_id,
                    treatment_id=world.cleaning.treatment_id,
                    professional_id=world.ana.professional_id,
                    start=start,
                    actor=patient,
                )
                results["online"] = services.booking_confirm(
                    tenant_id=world.tenant_id,
                    hold_id=hold.hold_id,
                    actor=patient,
                    patient=services.PatientDetails(name="Paula", email="", phone="300 765 4321"),
                )
            except Exception as exc:
                results["online"] = exc

        def phone(start=start, barrier=barrier, results=results) -> None:  # type: ignore[no-untyped-def]
            try:
                barrier.wait()
                results["phone"] = services.booking_create(
                    tenant_id=world.tenant_id,
                    treatment_id=world.cleaning.treatment_id,
                    professional_id=world.ana.professional_id,
                    start=start,
                    patient=services.PatientDetails(record.name, record.email, record.phone),
                    actor=reception,
                    channel="phone",
                    patient_record_id=record.record_id,
                )
            except Exception as exc:
                results["phone"] = exc

        threads = [threading.Thread(target=online), threading.Thread(target=phone)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        at_start = [b for b in clinic_bookings(world) if b.start == start and b.status == BookingStatus.CONFIRMED]
        assert len(at_start) == 1, (round_, results)
        lost = [side for side, result in results.items() if isinstance(result, Exception)]
        assert len(lost) == 1, results
        assert isinstance(results[lost[0]], SlotTaken), results
        won = "phone" if lost == ["online"] else "online"
        assert at_start[0].channel == won
        winners[won] += 1

    assert sum(winners.values()) == ROUNDS
