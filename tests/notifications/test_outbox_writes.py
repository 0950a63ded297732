"""The outbox items each booking change writes, in the change's own transaction, under deterministic keys."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from booking import services
from booking.errors import SlotTaken
from clinics import services as clinic_services
from clinics.clinic_settings import ClinicSettings
from nexioq import dynamo
from notifications import outbox
from notifications.models import MessageKind, OutboxStatus
from tests.booking.helpers import longest_booking, transaction_sizes
from tests.conftest import NOW, People, World, at, book, hold, member, system
from tests.notifications.helpers import items_of

pytestmark = pytest.mark.django_db

DAY_BEFORE = dt.timedelta(hours=24)
TWO_HOURS = dt.timedelta(hours=2)


def _settings(world: World, **changes: Any) -> None:
    current = ClinicSettings.of(world.clinic)
    world.clinic = clinic_services.clinic_update(
        tenant_id=world.tenant_id, version=world.clinic.version, settings=dataclasses.replace(current, **changes)
    )


def test_it_writes_the_confirmation_and_the_reminders_with_a_booking(world: World) -> None:
    booking = book(world, at(9))

    items = items_of(world, booking.booking_id)

    bid = booking.booking_id
    assert set(items) == {f"{bid}-confirmed", f"{bid}-r1440", f"{bid}-r120"}
    confirmed = items[f"{bid}-confirmed"]
    assert (confirmed.kind, confirmed.status, confirmed.due_at, confirmed.recipient) == (
        MessageKind.CONFIRMED,
        OutboxStatus.PENDING,
        NOW,
        "patient",
    )
    assert items[f"{bid}-r1440"].due_at == at(9) - DAY_BEFORE
    assert items[f"{bid}-r120"].due_at == at(9) - TWO_HOURS
    assert items[f"{bid}-r120"].offset_minutes == 120
    # Pending items are on the due index, in their shard, by due time.
    for item in items.values():
        assert item.due_pk == dynamo.outbox_due_pk(item.item_id)
        assert item.due_sk == dynamo.outbox_due_sk(item.due_at, world.tenant_id, item.item_id)


def test_it_skips_a_reminder_whose_time_has_passed_at_booking_time(world: World) -> None:
    # 13:00 in Bogotá today is 18:00 UTC, six hours away: the 24-hour reminder is already late.
    booking = book(world, at(13, day=NOW.date()))

    assert set(items_of(world, booking.booking_id)) == {
        f"{booking.booking_id}-confirmed",
        f"{booking.booking_id}-r120",
    }


def test_a_confirmed_online_booking_writes_its_messages_once_however_often_it_is_confirmed(
    world: World, people: People
) -> None:
    patient = member(world, people.patient)
    held = hold(world, at(9), actor=patient)
    details = services.PatientDetails("Ana Pérez", "", "300 123 4567")

    first = services.booking_confirm(tenant_id=world.tenant_id, hold_id=held.hold_id, actor=patient, patient=details)
    again = services.booking_confirm(tenant_id=world.tenant_id, hold_id=held.hold_id, actor=patient, patient=details)

    assert first.booking_id == again.booking_id
    items = items_of(world, first.booking_id)
    assert sorted(items) == sorted(
        [f"{first.booking_id}-confirmed", f"{first.booking_id}-r1440", f"{first.booking_id}-r120"]
    )


def test_a_refused_booking_writes_no_message(world: World) -> None:
    book(world, at(9))
    taken = "taken-booking-id"

    with pytest.raises(SlotTaken):
        services.booking_create(
            tenant_id=world.tenant_id,
            treatment_id=world.cleaning.treatment_id,
            professional_id=world.ana.professional_id,
            start=at(9, 30),
            patient=services.PatientDetails("Otra", "otra@example.com", "+573001112233"),
            actor=system(world),
            booking_id=taken,
        )

    assert items_of(world, taken) == {}


def test_a_patient_without_an_email_gets_no_messages(world: World) -> None:
    booking = services.booking_create(
        tenant_id=world.tenant_id,
        treatment_id=world.cleaning.treatment_id,
        professional_id=world.ana.professional_id,
        start=at(9),
        patient=services.PatientDetails("Sin Correo", "", "+573001112233"),
        actor=system(world),
        channel="phone",
    )

    assert items_of(world, booking.booking_id) == {}


def test_the_clinic_is_told_when_it_asked_to_be(world: World) -> None:
    _settings(world, notify_clinic=True, email="recepcion@clinica.example")

    booking = book(world, at(9))
    services.booking_cancel(tenant_id=world.tenant_id, booking_id=booking.booking_id, actor=system(world))

    items = items_of(world, booking.booking_id)
    assert items[f"{booking.booking_id}-clinic-new"].recipient == "clinic"
    assert items[f"{booking.booking_id}-clinic-cancelled"].kind == MessageKind.CLINIC_CANCELLED


def test_cancelling_deletes_the_reminders_and_writes_the_notice(world: World) -> None:
    booking = book(world, at(9))

    services.booking_cancel(tenant_id=world.tenant_id, booking_id=booking.booking_id, actor=system(world))

    bid = booking.booking_id
    assert set(items_of(world, bid)) == {f"{bid}-confirmed", f"{bid}-cancelled"}


def test_rescheduling_writes_one_message_and_moves_the_reminders(world: World) -> None:
    booking = book(world, at(9))
    bid = booking.booking_id

    services.booking_reschedule(tenant_id=world.tenant_id, booking_id=bid, new_start=at(15), actor=system(world))
    services.booking_reschedule(tenant_id=world.tenant_id, booking_id=bid, new_start=at(16), actor=system(world))

    items = items_of(world, bid)
    assert set(items) == {f"{bid}-confirmed", f"{bid}-moved-1", f"{bid}-moved-2", f"{bid}-r1440", f"{bid}-r120"}
    assert items[f"{bid}-r1440"].due_at == at(16) - DAY_BEFORE
    assert items[f"{bid}-r120"].due_sk == dynamo.outbox_due_sk(at(16) - TWO_HOURS, world.tenant_id, f"{bid}-r120")


def test_moving_a_booking_closer_drops_the_reminder_that_is_now_late(world: World) -> None:
    booking = book(world, at(9))

    services.booking_reschedule(
        tenant_id=world.tenant_id, booking_id=booking.booking_id, new_start=at(13, day=NOW.date()), actor=system(world)
    )

    assert f"{booking.booking_id}-r1440" not in items_of(world, booking.booking_id)


def test_ids_fit_the_key_limit_whatever_the_booking_id() -> None:
    long_id = "b" * 64

    ids = [
        outbox.confirmed_id(long_id),
        outbox.reminder_id(long_id, 10080),
        outbox.moved_id(long_id, 999),
        outbox.clinic_cancelled_id(long_id),
    ]

    assert all(dynamo.checked_id(i) == i for i in ids)
    assert len(set(ids)) == 4
    assert outbox.confirmed_id("abc") == "abc-confirmed"


def test_the_largest_reschedule_stays_within_one_transaction(world: World) -> None:
    """At the longest treatment, with the most reminders, a move to a disjoint time is the biggest
    transaction there is: cells freed and claimed, the clinic, the booking, a hold, and 4 outbox items."""
    _settings(world, reminder_offsets=(24 * 60, 2 * 60, 30), notify_clinic=True, email="c@clinica.example")
    booking, _surgeon = longest_booking(world)
    with transaction_sizes() as sizes:
        services.booking_reschedule(
            tenant_id=world.tenant_id, booking_id=booking.booking_id, new_start=at(14), actor=system(world)
        )
        services.booking_cancel(tenant_id=world.tenant_id, booking_id=booking.booking_id, actor=system(world))

    assert sizes[0] == 46 + 46 + 2 + dynamo.OUTBOX_ITEMS_RESERVED
    assert sizes[0] + 1 <= dynamo.MAX_TRANSACTION_ITEMS  # and a hold's deletion when the patient moves it online
    assert sizes[1] == 46 + 1 + 3 + 2  # cells, booking, three reminders deleted, two notices
