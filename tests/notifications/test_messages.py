"""What each message says: recipient, language, subject, the clinic's details, links, the calendar file."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from icalendar import Calendar

from booking import services
from clinics import services as clinic_services
from clinics.clinic_settings import ClinicSettings
from notifications import messages, outbox
from notifications.models import MessageKind
from notifications.selectors import outbox_item_get
from tests.conftest import NOW, People, World, at, book, system

pytestmark = pytest.mark.django_db

SITE = "https://citas.example"


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_URL = SITE


def _message(world: World, item_id: str, now: Any = NOW) -> EmailMultiAlternatives | None:
    item = outbox_item_get(tenant_id=world.tenant_id, item_id=item_id)
    return messages.message_for(item=item, now=now)


def _html(message: EmailMultiAlternatives) -> str:
    return str(message.alternatives[0][0])


def _patient_booking(world: World, people: People, *, language: str = "") -> Any:
    people.patient.language = language
    people.patient.save()
    return book(world, at(9), patient_id=str(people.patient.pk), name="Patricia Paciente")


def test_the_confirmation_is_in_spanish_by_default(world: World, people: People) -> None:
    booking = _patient_booking(world, people)

    message = _message(world, outbox.confirmed_id(booking.booking_id))

    assert message is not None
    assert message.to == [people.patient.email]
    assert message.subject == "Tu cita en Clínica Prueba está confirmada"
    assert "Hola Patricia Paciente" in message.body
    assert "martes, 1 de diciembre de 2026, 09:00" in message.body  # the clinic's local time
    assert "Limpieza" in message.body and "Dra. Ana" in message.body
    assert "Calle 1 # 2-3" in message.body and "+57 601 5550100" in message.body
    booking_url = f"{SITE}{reverse('booking-done', args=[world.slug, booking.booking_id])}"
    reschedule_url = f"{SITE}{reverse('booking-reschedule', args=[world.slug, booking.booking_id])}"
    assert booking_url in message.body and reschedule_url in message.body
    assert reschedule_url in _html(message)
    assert f"{SITE}/notifications/unsubscribe/" in message.body
    assert message.extra_headers["Content-Language"] == "es"


def test_the_confirmation_is_in_the_patients_language(world: World, people: People) -> None:
    booking = _patient_booking(world, people, language="en")

    message = _message(world, outbox.confirmed_id(booking.booking_id))

    assert message is not None
    assert message.subject == "Your appointment at Clínica Prueba is confirmed"
    assert "Tuesday, December 1, 2026, 09:00" in message.body
    assert "Change date or time" in _html(message)
    assert message.extra_headers["Content-Language"] == "en"


def test_the_confirmation_carries_the_calendar_file(world: World, people: People) -> None:
    booking = _patient_booking(world, people)

    message = _message(world, outbox.confirmed_id(booking.booking_id))

    assert message is not None
    ((name, content, mimetype),) = message.attachments  # type: ignore[misc]
    assert (name, mimetype) == ("cita.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event["uid"] == f"{booking.booking_id}@nexioq"
    assert event.decoded("dtstart") == at(9)


def test_the_reschedule_message_carries_the_updated_calendar_file(world: World, people: People) -> None:
    booking = _patient_booking(world, people)
    services.booking_reschedule(
        tenant_id=world.tenant_id, booking_id=booking.booking_id, new_start=at(15), actor=system(world)
    )

    message = _message(world, outbox.moved_id(booking.booking_id, 1))

    assert message is not None
    assert "15:00" in message.subject
    ((_name, content, _mimetype),) = message.attachments  # type: ignore[misc]
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert (event.decoded("dtstart"), event["sequence"]) == (at(15), 1)


def test_the_cancellation_says_who_cancelled(world: World, people: People) -> None:
    booking = _patient_booking(world, people)
    services.booking_cancel(
        tenant_id=world.tenant_id, booking_id=booking.booking_id, actor=system(world), reason="Cierre por obras"
    )

    message = _message(world, outbox.cancelled_id(booking.booking_id))

    assert message is not None
    assert message.subject == "Tu cita en Clínica Prueba ha sido cancelada"
    assert "Clínica Prueba ha cancelado tu cita" in message.body
    assert "Cierre por obras" in message.body
    assert not message.attachments


def test_a_phone_patient_is_told_to_call_instead_of_given_portal_links(world: World) -> None:
    booking = book(world, at(9))  # staff booking, no account

    message = _message(world, outbox.confirmed_id(booking.booking_id))

    assert message is not None
    assert message.to == ["luis@example.com"]
    assert "/bookings/" not in message.body
    assert "llama a la clínica al +57 601 5550100" in message.body


def test_a_reminder_is_skipped_when_the_patient_turned_reminders_off(world: World, people: People) -> None:
    booking = _patient_booking(world, people)
    people.patient.reminders = False
    people.patient.save()

    assert _message(world, outbox.reminder_id(booking.booking_id, 120)) is None
    assert _message(world, outbox.confirmed_id(booking.booking_id)) is not None  # not a reminder


def test_a_reminder_reads_as_one(world: World, people: People) -> None:
    booking = _patient_booking(world, people, language="en")

    message = _message(world, outbox.reminder_id(booking.booking_id, 120), now=at(7))

    assert message is not None
    assert message.subject == "Reminder: your appointment at Clínica Prueba, Tuesday, December 1, 2026, 09:00"
    assert not message.attachments


def test_the_clinic_notice_goes_to_the_clinic_in_spanish(world: World, people: People) -> None:
    current = ClinicSettings.of(world.clinic)
    clinic_services.clinic_update(
        tenant_id=world.tenant_id,
        version=world.clinic.version,
        settings=dataclasses.replace(current, notify_clinic=True, email="recepcion@clinica.example"),
    )
    booking = _patient_booking(world, people, language="en")

    message = _message(world, outbox.clinic_new_id(booking.booking_id))

    assert message is not None
    assert message.to == ["recepcion@clinica.example"]
    assert message.subject == "Nueva cita: Patricia Paciente, martes, 1 de diciembre de 2026, 09:00"


def test_a_message_of_a_booking_that_is_gone_is_nothing_to_send(world: World) -> None:
    item = outbox.outbox_item(
        tenant_id=world.tenant_id,
        item_id="gone-confirmed",
        kind=MessageKind.CONFIRMED,
        due=NOW,
        now=NOW,
        booking_id="gone",
    )

    assert messages.message_for(item=item, now=NOW) is None


def test_unsubscribe_tokens_name_the_user_or_the_booking(world: World, people: People) -> None:
    mine = _patient_booking(world, people)
    phone = book(world, at(12))

    assert messages.unsubscribe_token_read(messages.unsubscribe_token(booking=mine)).user_id == str(people.patient.pk)
    target = messages.unsubscribe_token_read(messages.unsubscribe_token(booking=phone))
    assert (target.tenant_id, target.booking_id) == (world.tenant_id, phone.booking_id)
