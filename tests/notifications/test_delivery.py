"""Delivery into a real SMTP server: sweep, claim, send, retries, resend, concurrent sweeps, expired claims.

The sweep runs as Lambda runs it (delivering inline); Celery's worker calls the same service per
item (``notifications.tasks``). Only this test's clinic is delivered for: the due index is shared
by every test of the run.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from booking import services
from nexioq import dynamo
from nexioq.dynamo import count_requests
from nexioq.mailsink import MailSink
from notifications import outbox
from notifications import services as notifications
from notifications.models import OutboxStatus
from notifications.selectors import outbox_due, outbox_item_get
from tests.conftest import NOW, People, World, at, book, member, system
from tests.notifications.helpers import deliver_due, inbox, items_of

pytestmark = pytest.mark.django_db

PATIENT = "luis@example.com"


def _mine(sink: MailSink) -> list[str]:
    return [r.subject for r in inbox(sink, PATIENT)]


def test_one_booking_gives_exactly_one_confirmation(world: World, smtp_sink: MailSink) -> None:
    booking = book(world, at(9))

    deliver_due(world, NOW)
    deliver_due(world, NOW + dt.timedelta(seconds=30))  # the next sweep finds nothing more

    (received,) = inbox(smtp_sink, PATIENT)
    assert received.subject == "Tu cita en Clínica Prueba está confirmada"
    assert "cita.ics" in received.attachments()
    assert received.attachments()["cita.ics"][0] == "text/calendar"
    assert "Limpieza" in received.text() and "Limpieza" in received.html()
    confirmed = outbox_item_get(tenant_id=world.tenant_id, item_id=outbox.confirmed_id(booking.booking_id))
    assert (confirmed.status, confirmed.sent_at, confirmed.due_pk, confirmed.due_sk) == (
        OutboxStatus.SENT,
        NOW,
        None,
        None,
    )


def test_a_reminder_arrives_at_its_offset(world: World, smtp_sink: MailSink) -> None:
    book(world, at(9))
    deliver_due(world, NOW)
    two_hours_before = at(9) - dt.timedelta(hours=2)

    deliver_due(world, two_hours_before - dt.timedelta(minutes=1))
    before = _mine(smtp_sink)
    deliver_due(world, two_hours_before)

    assert len(before) == 2  # the confirmation and the 24-hour reminder (due at 14:00 UTC today)
    assert _mine(smtp_sink)[2:] == ["Recordatorio: tu cita en Clínica Prueba, martes, 1 de diciembre de 2026, 09:00"]


def test_cancelling_before_the_reminder_means_no_reminder(world: World, smtp_sink: MailSink) -> None:
    booking = book(world, at(9))
    services.booking_cancel(tenant_id=world.tenant_id, booking_id=booking.booking_id, actor=system(world))

    deliver_due(world, at(9))

    # Cancelled before the sweep sent the confirmation: the cancellation alone says all there is.
    assert _mine(smtp_sink) == ["Tu cita en Clínica Prueba ha sido cancelada"]
    assert set(items_of(world, booking.booking_id)) == {
        outbox.confirmed_id(booking.booking_id),
        outbox.cancelled_id(booking.booking_id),
    }


def test_rescheduling_sends_one_message_and_moves_the_reminders(world: World, smtp_sink: MailSink) -> None:
    booking = book(world, at(9))
    deliver_due(world, NOW)
    services.booking_reschedule(
        tenant_id=world.tenant_id, booking_id=booking.booking_id, new_start=at(16), actor=system(world)
    )

    deliver_due(world, NOW + dt.timedelta(minutes=1))
    moved = _mine(smtp_sink)[1:]
    deliver_due(world, at(9) - dt.timedelta(hours=2))  # the old reminder's time: nothing any more
    at_old_time = _mine(smtp_sink)[2:]
    deliver_due(world, at(16) - dt.timedelta(hours=2))

    assert moved == ["Tu cita en Clínica Prueba ha sido cambiada al martes, 1 de diciembre de 2026, 16:00"]
    # The 24-hour reminder moved to 21:00 UTC today: it went out before the old 2-hour time.
    assert [s.split(",")[0] for s in at_old_time] == ["Recordatorio: tu cita en Clínica Prueba"]
    assert len(_mine(smtp_sink)) == 4
    assert _mine(smtp_sink)[-1].endswith("16:00")


def test_unsubscribing_stops_reminders(world: World, people: People, smtp_sink: MailSink) -> None:
    booking = book(world, at(9), patient_id=str(people.patient.pk))
    deliver_due(world, NOW)
    (confirmation,) = inbox(smtp_sink, people.patient.email)
    link = next(line for line in confirmation.text().splitlines() if "/notifications/unsubscribe/" in line)
    path = link.split("https://citas.example", 1)[1]

    page = Client().get(path)
    done = Client().post(path)
    deliver_due(world, at(9))

    assert page.status_code == 200 and done.status_code == 200
    assert len(inbox(smtp_sink, people.patient.email)) == 1
    people.patient.refresh_from_db()
    assert people.patient.reminders is False
    reminder = outbox_item_get(tenant_id=world.tenant_id, item_id=outbox.reminder_id(booking.booking_id, 120))
    assert reminder.status == OutboxStatus.SKIPPED


def test_a_phone_patient_unsubscribes_from_the_reminders_of_their_booking(world: World, smtp_sink: MailSink) -> None:
    booking = book(world, at(9))
    deliver_due(world, NOW)
    (confirmation,) = inbox(smtp_sink, PATIENT)
    link = next(line for line in confirmation.text().splitlines() if "/notifications/unsubscribe/" in line)

    Client().post(link.split("https://citas.example", 1)[1])
    deliver_due(world, at(9))

    assert _mine(smtp_sink) == ["Tu cita en Clínica Prueba está confirmada"]
    assert set(items_of(world, booking.booking_id)) == {outbox.confirmed_id(booking.booking_id)}


def test_smtp_refusing_retries_with_backoff_then_fails_visibly_and_resend_works(
    world: World, people: People, smtp_sink: MailSink
) -> None:
    booking = book(world, at(9))
    item_id = outbox.confirmed_id(booking.booking_id)
    smtp_sink.refuse(554, "5.7.1 Message refused")
    now = NOW
    waits: list[float] = []
    for _ in range(notifications.MAX_ATTEMPTS):
        outcomes = deliver_due(world, now)
        item = outbox_item_get(tenant_id=world.tenant_id, item_id=item_id)
        if item.status == OutboxStatus.FAILED:
            break
        assert deliver_due(world, item.due_at - dt.timedelta(seconds=1)) == []  # not due yet
        waits.append((item.due_at - now).total_seconds() / 60)
        now = item.due_at
    failed = outbox_item_get(tenant_id=world.tenant_id, item_id=item_id)

    assert outcomes == [notifications.Outcome.FAILED]
    assert waits == [1, 2, 4, 8, 16]
    assert (failed.status, failed.attempts, failed.last_error) == (OutboxStatus.FAILED, 6, "SMTPDataError 554")
    assert failed.due_pk == dynamo.outbox_failed_pk(world.tenant_id)
    assert PATIENT not in str(failed.serialize())  # no personal data in the error
    assert item_id not in [i for t, i in outbox_due(now=now + dt.timedelta(days=1)) if t == world.tenant_id]

    admin = Client()
    admin.force_login(people.admin)
    page = admin.get(reverse("notifications-failed", args=[world.slug]))
    assert page.status_code == 200
    assert booking.reference in page.content.decode() and "SMTPDataError 554" in page.content.decode()

    smtp_sink.accept()
    resent = admin.post(reverse("notifications-resend", args=[world.slug, item_id]))
    later = NOW + dt.timedelta(hours=1)  # the page's clock is the frozen NOW: due at once
    notifications.outbox_resend(
        tenant_id=world.tenant_id, item_id=item_id, actor=member(world, people.admin), now=later
    )  # a second click: already pending, nothing changes
    deliver_due(world, later)

    assert resent.status_code == 302
    assert _mine(smtp_sink).count("Tu cita en Clínica Prueba está confirmada") == 1
    assert outbox_item_get(tenant_id=world.tenant_id, item_id=item_id).status == OutboxStatus.SENT
    assert "Tu cita" not in admin.get(reverse("notifications-failed", args=[world.slug])).content.decode()


def test_two_sweeps_at_once_send_each_message_once(world: World, smtp_sink: MailSink) -> None:
    for hour in (8, 10, 12, 14, 16):
        book(world, at(hour))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep(name: str) -> None:
        try:
            barrier.wait()
            deliver_due(world, NOW, worker=name)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=sweep, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(inbox(smtp_sink, PATIENT)) == 5


def test_an_expired_claim_is_taken_again(world: World, smtp_sink: MailSink) -> None:
    booking = book(world, at(9))
    item_id = outbox.confirmed_id(booking.booking_id)
    # A worker claimed it and died before sending (killed mid-send): its claim lives for a while.
    assert notifications.outbox_claim(tenant_id=world.tenant_id, item_id=item_id, worker="dead", now=NOW) is not None

    during = deliver_due(world, NOW + dt.timedelta(seconds=notifications.CLAIM_SECONDS - 1))
    after = notifications.outbox_deliver(
        tenant_id=world.tenant_id,
        item_id=item_id,
        worker="alive",
        now=NOW + dt.timedelta(seconds=notifications.CLAIM_SECONDS + 1),
    )

    assert during == []  # passed over by the sweep while the claim lives
    assert after == notifications.Outcome.SENT
    assert _mine(smtp_sink) == ["Tu cita en Clínica Prueba está confirmada"]


def test_a_claim_is_one_conditional_write(world: World) -> None:
    booking = book(world, at(9))
    item_id = outbox.confirmed_id(booking.booking_id)

    with count_requests() as requests:
        first = notifications.outbox_claim(tenant_id=world.tenant_id, item_id=item_id, worker="a", now=NOW)
        second = notifications.outbox_claim(tenant_id=world.tenant_id, item_id=item_id, worker="b", now=NOW)

    assert first is not None and first.kind == "confirmed" and first.claimed_by == "a"
    assert second is None
    assert requests.operations == ["UpdateItem", "UpdateItem"]


def test_the_sweep_queries_each_shard_of_the_due_index_and_never_scans(world: World) -> None:
    for hour in (8, 10, 12):
        book(world, at(hour))
    page_size = 2
    client = dynamo.TableItem._get_connection().connection.client
    due_per_shard = [
        client.query(
            TableName=dynamo.TableItem.Meta.table_name,
            IndexName="outbox-due",
            KeyConditionExpression="DuePK = :pk AND DueSK <= :bound",
            ExpressionAttributeValues={":pk": {"S": shard}, ":bound": {"S": dynamo.outbox_due_bound(NOW)}},
            Select="COUNT",
        )["Count"]
        for shard in dynamo.outbox_due_shards()
    ]
    handed: list[tuple[str, str]] = []

    with count_requests() as requests:
        notifications.outbox_sweep(now=NOW, deliver=lambda t, i: handed.append((t, i)), page_size=page_size)

    assert set(requests.operations) == {"Query"}
    assert requests.value == sum(n // page_size + 1 for n in due_per_shard)
    mine = sorted(i for t, i in handed if t == world.tenant_id)
    assert len(mine) == 3 and all(i.endswith("-confirmed") for i in mine)


def test_a_broker_that_cannot_take_the_task_stops_the_sweep_and_loses_nothing(
    world: World, smtp_sink: MailSink
) -> None:
    book(world, at(9))

    def broker_down(tenant_id: str, item_id: str) -> Any:
        raise ConnectionRefusedError("redis is down")

    assert notifications.outbox_sweep(now=NOW, deliver=broker_down) == 0
    deliver_due(world, NOW + dt.timedelta(minutes=1))

    assert _mine(smtp_sink) == ["Tu cita en Clínica Prueba está confirmada"]
