"""The clinic's own messages: new bookings, cancellations, and the next day's agenda once a day."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from unittest import mock

import pytest

from booking import services
from clinics import services as clinic_services
from clinics.clinic_settings import ClinicSettings
from nexioq import devservers
from nexioq.errors import NotFound
from nexioq.mailsink import MailSink
from notifications import outbox, tasks
from notifications import services as notifications
from notifications.models import MessageKind, OutboxStatus
from notifications.selectors import outbox_item_get
from tests.conftest import DAY, NOW, World, at, book, system
from tests.notifications.helpers import deliver_due, inbox
from tests.servers import _point_celery_at as point_celery_at

pytestmark = pytest.mark.django_db

CLINIC = "recepcion@clinica.example"
# 18:30 in Bogotá on Monday 30 November: past the summary hour, so Tuesday's agenda is due.
EVENING = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)


@pytest.fixture
def notified(world: World) -> World:
    current = ClinicSettings.of(world.clinic)
    world.clinic = clinic_services.clinic_update(
        tenant_id=world.tenant_id,
        version=world.clinic.version,
        settings=dataclasses.replace(current, notify_clinic=True, email=CLINIC),
    )
    return world


def test_the_clinic_hears_of_a_new_booking_and_a_cancellation(notified: World, smtp_sink: MailSink) -> None:
    booking = book(notified, at(9), name="Luis Gómez")
    deliver_due(notified, NOW)
    services.booking_cancel(
        tenant_id=notified.tenant_id, booking_id=booking.booking_id, actor=system(notified), reason="Viaje"
    )
    deliver_due(notified, NOW + dt.timedelta(minutes=1))

    new, cancelled = inbox(smtp_sink, CLINIC)
    assert new.subject == "Nueva cita: Luis Gómez, martes, 1 de diciembre de 2026, 09:00"
    assert "+573001234567" in new.text() and "Limpieza" in new.html()
    assert cancelled.subject == "Cancelada: Luis Gómez, martes, 1 de diciembre de 2026, 09:00"
    assert "La clínica canceló la cita de Luis Gómez" in cancelled.text() and "Viaje" in cancelled.text()


def test_the_summary_of_tomorrow_is_written_once_after_the_evening_hour(notified: World) -> None:
    notifications.clinic_summaries_write(now=EVENING - dt.timedelta(hours=1))  # 17:30 in Bogotá
    with pytest.raises(NotFound):
        outbox_item_get(tenant_id=notified.tenant_id, item_id=outbox.summary_id(DAY))

    notifications.clinic_summaries_write(now=EVENING)
    notifications.clinic_summaries_write(now=EVENING + dt.timedelta(hours=1))

    item = outbox_item_get(tenant_id=notified.tenant_id, item_id=outbox.summary_id(DAY))
    assert (item.kind, item.recipient, item.status) == (MessageKind.CLINIC_SUMMARY, "clinic", OutboxStatus.PENDING)
    assert item.created_at == EVENING  # the later run found it written and left it


def test_the_summary_lists_the_days_appointments(notified: World, smtp_sink: MailSink) -> None:
    book(notified, at(9), name="Luis Gómez")
    book(notified, at(11), professional=notified.ben, treatment=notified.check, name="Marta Ruiz")
    cancelled = book(notified, at(15), name="Ya No")
    services.booking_cancel(tenant_id=notified.tenant_id, booking_id=cancelled.booking_id, actor=system(notified))
    deliver_due(notified, NOW)
    smtp_sink.clear()
    notifications.clinic_summaries_write(now=EVENING)

    deliver_due(notified, EVENING)

    (summary,) = inbox(smtp_sink, CLINIC)
    assert summary.subject == "Agenda del martes, 1 de diciembre de 2026: 2 citas"
    text = summary.text()
    assert "09:00\u201310:00  Luis Gómez · Limpieza · Dra. Ana" in text
    assert "11:00\u201311:15  Marta Ruiz · Control · Dr. Ben" in text
    assert "Ya No" not in text


def test_a_clinic_that_did_not_ask_gets_nothing(world: World, smtp_sink: MailSink) -> None:
    book(world, at(9))
    notifications.clinic_summaries_write(now=EVENING)

    deliver_due(world, EVENING)

    assert inbox(smtp_sink, CLINIC) == []
    assert all(not r.subject.startswith(("Nueva cita", "Agenda")) for r in inbox(smtp_sink))


def test_the_celery_task_delivers_one_item_through_the_service(world: World, smtp_sink: MailSink) -> None:
    booking = book(world, at(9))

    # The task's body, run in this process (the worker process itself is the infra tests').
    outcome = tasks.deliver_outbox_item(world.tenant_id, outbox.confirmed_id(booking.booking_id))
    again = tasks.deliver_outbox_item(world.tenant_id, outbox.confirmed_id(booking.booking_id))

    assert (outcome, again) == (notifications.Outcome.SENT, notifications.Outcome.BUSY)
    assert len(inbox(smtp_sink, "luis@example.com")) == 1


def test_a_broker_that_is_down_never_fails_the_change_that_kicks_the_sweep(settings: object) -> None:
    port = devservers.free_port()  # nothing listens there: Redis is "stopped"
    # As the redis_server fixture does it (setting app.conf.broker_url would not reach the app:
    # its configuration comes from Django's CELERY_* settings).
    point_celery_at(f"redis://127.0.0.1:{port}/0")
    try:
        started = time.monotonic()
        queued = tasks.outbox_kick()
        elapsed = time.monotonic() - started
    finally:
        point_celery_at(None)

    assert queued is False
    assert elapsed < 2  # one refused connection, no reconnecting inside the request


def test_after_a_refused_kick_the_next_bookings_do_not_knock_again(settings: object) -> None:
    """A down broker costs one refused connection per pause, not one per booking."""
    point_celery_at(f"redis://127.0.0.1:{devservers.free_port()}/0")
    try:
        assert tasks.outbox_kick() is False
        with mock.patch.object(tasks.outbox_sweep_task.app, "connection_for_write") as connect:
            assert tasks.outbox_kick() is False
        assert not connect.called
    finally:
        point_celery_at(None)
