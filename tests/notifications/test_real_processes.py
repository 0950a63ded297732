"""The outbox end to end with real processes: Redis, a Celery worker (and beat) and the SMTP sink.

Nothing runs in-process but the booking itself: beat sweeps every second (``celery_env``), the
worker claims and sends into the sink, and the assertions read what the sink received. The worker
runs on the real clock, so these bookings are made on it too (tomorrow, in the clinic's zone), and
the identity rows it reads (a patient's language) are committed: ``transaction=True``.

The worker's sweep serves the whole table: what earlier tests of the run left due is taken off the
due index before each test, and every message goes to an address made for the test.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from access.models import Membership, Role
from booking import services
from booking.models import Booking
from nexioq import dynamo
from nexioq.mailsink import MailSink
from notifications import outbox
from notifications import services as notifications
from notifications.models import MessageKind, OutboxItem, OutboxStatus
from notifications.selectors import outbox_due, outbox_item_get
from notifications.tasks import outbox_sweep_task
from tests.conftest import BOGOTA, World, at, make_user, make_world, system
from tests.notifications.conftest import SITE_URL
from tests.notifications.helpers import Received, inbox
from tests.servers import CeleryProcess, RedisServer, start_celery_process

pytestmark = pytest.mark.django_db(transaction=True)

CLAIM_SECONDS = 3
RETRY_SECONDS = 0.2  # waits of 0.2, 0.4, 0.8, 1.6 and 3.2 s between the six tries


@pytest.fixture
def celery_env() -> dict[str, str]:
    return {
        "OUTBOX_SWEEP_SECONDS": "1",
        "OUTBOX_CLAIM_SECONDS": str(CLAIM_SECONDS),
        "OUTBOX_RETRY_SECONDS": str(RETRY_SECONDS),
        "SITE_URL": SITE_URL,
    }


@dataclass(frozen=True)
class Processes:
    """What the outbox runs on here: Redis, a worker, the SMTP sink, and beat unless the test wants no
    sweeps but its own (``processes_without_beat``). ``env`` starts another worker like the first."""

    redis: RedisServer
    worker: CeleryProcess
    sink: MailSink
    env: dict[str, str]
    beat: CeleryProcess | None = None

    @property
    def logs(self) -> tuple[CeleryProcess, ...]:
        """The Celery processes, whose logs a failed wait shows."""
        return (self.worker,) if self.beat is None else (self.worker, self.beat)


@pytest.fixture
def processes_without_beat(
    redis_server: RedisServer, celery_worker: CeleryProcess, smtp_sink: MailSink, _celery_process_env: dict[str, str]
) -> Processes:
    """Redis, a worker and the sink, and no beat: nothing sweeps but what the test (or a kick) queues."""
    return Processes(redis=redis_server, worker=celery_worker, sink=smtp_sink, env=_celery_process_env)


@pytest.fixture
def processes(processes_without_beat: Processes, celery_beat: CeleryProcess) -> Processes:
    """Redis, a worker, the sink and beat, which sweeps every second (``celery_env``)."""
    return replace(processes_without_beat, beat=celery_beat)


@pytest.fixture
def clinic(dynamodb_local: str) -> World:
    """A clinic on the real clock (the suite's ``world`` is frozen, the worker is not)."""
    return make_world()


@pytest.fixture(autouse=True)
def _only_this_tests_items_due(dynamodb_local: str) -> None:
    """The worker's sweep serves the whole table. Items earlier tests of the run left pending, due on
    their frozen clocks, fall due as the real clock passes them; they are taken off the due index
    first (kept in the table, unsent), so the worker sends this test's messages only."""
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    for tenant_id, item_id in list(outbox_due(now=soon)):
        OutboxItem(dynamo.tenant_pk(tenant_id), dynamo.outbox_sk(item_id)).update(
            actions=[OutboxItem.due_pk.remove(), OutboxItem.due_sk.remove()]
        )


# ---------------------------------------------------------------- helpers


def wait_for[T](check: Callable[[], T], *, timeout: float, what: str, logs: tuple[CeleryProcess, ...] = ()) -> T:
    """Poll ``check`` until it returns something true; fail with the processes' logs otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    tails = "\n".join(f"--- {p.role} {p.pid}:\n{p.log()[-3000:]}" for p in logs)
    raise AssertionError(f"no {what} after {timeout}s\n{tails}")


def address() -> str:
    return f"p-{uuid.uuid4().hex[:12]}@paciente.example"


def tomorrow(hour: int) -> dt.datetime:
    """``hour``:00 tomorrow in the clinic's zone (its hours are 07:00 to 20:00 every day)."""
    return at(hour, day=dt.datetime.now(BOGOTA).date() + dt.timedelta(days=1))


def book_now(world: World, start: dt.datetime, email: str) -> Booking:
    """Reception books for ``email`` on the real clock (the service writes the outbox items; no kick)."""
    return services.booking_create(
        tenant_id=world.tenant_id,
        treatment_id=world.cleaning.treatment_id,
        professional_id=world.ana.professional_id,
        start=start,
        patient=services.PatientDetails("Luis Gómez", email, "+573001234567"),
        actor=system(world),
    )


def confirmations(sink: MailSink, email: str) -> list[Received]:
    return [r for r in inbox(sink, email) if "confirm" in r.subject.lower()]


def booking_link(world: World, booking_id: str) -> str:
    return f"{SITE_URL}{reverse('booking-done', args=[world.slug, booking_id])}"


def wizard_book(client: Client, world: World, start: dt.datetime) -> str:
    """Hold ``start`` and confirm it in the wizard; returns the booking's id."""
    held = client.post(
        reverse("booking-hold", args=[world.slug, world.cleaning.treatment_id]),
        {"professional": world.ana.professional_id, "start": dynamo.iso_utc(start)},
    )
    assert held.status_code == 302, held.content.decode()[:500]
    done = client.post(held["Location"], {"name": "Ann Smith", "phone": "300 123 4567"})
    assert done.status_code == 302, done.content.decode()[:500]
    return str(done["Location"]).rstrip("/").rsplit("/", 1)[1]


def signed_in(email: str, **fields: Any) -> Client:
    user = make_user(email)
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    client = Client()
    client.force_login(user)
    return client


def admin_of(world: World) -> Client:
    user = make_user(address())
    Membership.objects.create(user=user, tenant_id=world.tenant_id, role=Role.ADMIN)
    client = Client()
    client.force_login(user)
    return client


# ---------------------------------------------------------------- behaviour


def test_a_booking_in_the_wizard_gives_exactly_one_confirmation_within_seconds(
    clinic: World, processes_without_beat: Processes
) -> None:
    """No beat runs here: the confirm view's kick (``kicks_outbox``) is what sends it at once."""
    email = address()
    client = signed_in(email, language="en")

    booking_id = wizard_book(client, clinic, tomorrow(9))
    booked = time.monotonic()
    wait_for(
        lambda: inbox(processes_without_beat.sink, email),
        timeout=15,
        what="confirmation",
        logs=processes_without_beat.logs,
    )
    arrived = time.monotonic()
    time.sleep(2)  # a second look: nothing more comes

    (mail,) = inbox(processes_without_beat.sink, email)
    assert arrived - booked < 10
    assert mail.recipients == [email]
    assert mail.subject == "Your appointment at Clínica Prueba is confirmed"
    assert mail.message["Content-Language"] == "en"
    attachments = mail.attachments()
    assert [content_type for name, (content_type, _) in attachments.items() if name.endswith(".ics")] == [
        "text/calendar"
    ]
    assert booking_link(clinic, booking_id) in mail.text()
    assert booking_link(clinic, booking_id) in mail.html()
    item = outbox_item_get(tenant_id=clinic.tenant_id, item_id=outbox.confirmed_id(booking_id))
    assert (item.status, item.attempts) == (OutboxStatus.SENT, 0)


def test_a_reminder_arrives_at_its_time_and_once(clinic: World, processes: Processes) -> None:
    email = address()
    booking = book_now(clinic, tomorrow(10), email)
    wait_for(
        lambda: confirmations(processes.sink, email),
        timeout=15,
        what="confirmation",
        logs=processes.logs,
    )
    # The clock reaching the 2-hour reminder's time, 3 s from now: its item, due then (the same
    # item the booking wrote, under the same key, as a reschedule would put it).
    due = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=3)
    outbox.outbox_item(
        tenant_id=clinic.tenant_id,
        item_id=outbox.reminder_id(booking.booking_id, 120),
        kind=MessageKind.REMINDER,
        due=due,
        now=dt.datetime.now(dt.UTC),
        booking_id=booking.booking_id,
        offset_minutes=120,
    ).save()

    def reminders() -> list[Received]:
        return [r for r in inbox(processes.sink, email) if r.subject.startswith("Recordatorio")]

    while dt.datetime.now(dt.UTC) < due - dt.timedelta(milliseconds=300):
        assert reminders() == [], "the reminder went out before its time"
        time.sleep(0.05)
    (first,) = wait_for(reminders, timeout=10, what="reminder", logs=processes.logs)
    seen = dt.datetime.now(dt.UTC)
    time.sleep(2.5)  # two more sweeps

    assert len(reminders()) == 1
    assert due <= seen < due + dt.timedelta(seconds=6)
    assert first.subject.startswith("Recordatorio: tu cita en Clínica Prueba")
    item = outbox_item_get(tenant_id=clinic.tenant_id, item_id=outbox.reminder_id(booking.booking_id, 120))
    assert item.status == OutboxStatus.SENT and item.sent_at is not None and item.sent_at >= due
    assert len(confirmations(processes.sink, email)) == 1


# ---------------------------------------------------------------- faults


def test_bookings_made_while_redis_is_stopped_are_delivered_once_when_it_is_back(
    clinic: World, processes: Processes
) -> None:
    email = address()
    client = signed_in(email)
    processes.redis.stop()

    started = time.monotonic()
    booked = [wizard_book(client, clinic, tomorrow(hour)) for hour in (9, 11, 14)]
    booking_time = time.monotonic() - started
    time.sleep(1)
    nothing_yet = inbox(processes.sink, email)
    processes.redis.start()
    wait_for(
        lambda: len(inbox(processes.sink, email)) >= 3,
        timeout=45,
        what="three confirmations",
        logs=processes.logs,
    )
    time.sleep(2.5)

    assert nothing_yet == []
    assert booking_time < 10  # each kick met the stopped Redis once and gave up at once
    mails = inbox(processes.sink, email)
    assert len(mails) == 3
    assert sorted(b for b in booked for m in mails if booking_link(clinic, b) in m.text()) == sorted(booked)


def test_a_worker_killed_mid_send_leaves_the_message_to_be_sent_once_after_its_claim(
    clinic: World, processes: Processes
) -> None:
    email = address()
    processes.sink.stall()  # the worker's DATA gets no answer: it is caught mid-send
    booking = book_now(clinic, tomorrow(9), email)
    item_id = outbox.confirmed_id(booking.booking_id)
    wait_for(lambda: processes.sink.stalled, timeout=15, what="send in progress", logs=processes.logs)
    claimed = outbox_item_get(tenant_id=clinic.tenant_id, item_id=item_id)

    assert processes.worker.kill() < 0  # SIGKILL mid-send
    processes.sink.release()
    killed_at = time.time()
    processes.worker.restart()  # a new process: a new claimant
    wait_for(
        lambda: inbox(processes.sink, email),
        timeout=30,
        what="the message after the claim",
        logs=processes.logs,
    )
    time.sleep(2.5)

    assert claimed.claimed_by is not None and claimed.claimed_until is not None
    (mail,) = inbox(processes.sink, email)
    assert mail.subject == "Tu cita en Clínica Prueba está confirmada"
    sent = outbox_item_get(tenant_id=clinic.tenant_id, item_id=item_id)
    assert (sent.status, sent.attempts) == (OutboxStatus.SENT, 0)  # a kill is no failed attempt
    # Sent by the new process once the dead one's claim had run out, not before.
    assert sent.sent_at is not None and sent.sent_at.timestamp() >= int(claimed.claimed_until)
    assert int(claimed.claimed_until) <= killed_at + CLAIM_SECONDS


def test_smtp_refusing_is_retried_then_failed_in_the_back_office_and_resent_once(
    clinic: World, processes: Processes
) -> None:
    email = address()
    processes.sink.refuse(554, "5.7.1 Message refused")
    booking = book_now(clinic, tomorrow(9), email)
    item_id = outbox.confirmed_id(booking.booking_id)

    def failed_item() -> OutboxItem | None:
        item = outbox_item_get(tenant_id=clinic.tenant_id, item_id=item_id)
        return item if item.status == OutboxStatus.FAILED else None

    failed = wait_for(failed_item, timeout=40, what="the item failed", logs=processes.logs)
    assert failed is not None
    admin = admin_of(clinic)
    page = admin.get(reverse("notifications-failed", args=[clinic.slug]))
    processes.sink.accept()
    resent = admin.post(reverse("notifications-resend", args=[clinic.slug, item_id]))
    wait_for(
        lambda: inbox(processes.sink, email),
        timeout=15,
        what="the resent message",
        logs=processes.logs,
    )
    time.sleep(2.5)
    after = admin.get(reverse("notifications-failed", args=[clinic.slug])).content.decode()

    assert (failed.attempts, failed.last_error) == (notifications.MAX_ATTEMPTS, "SMTPDataError 554")
    assert processes.sink.refused == notifications.MAX_ATTEMPTS
    assert page.status_code == 200
    assert booking.reference in page.content.decode() and "SMTPDataError 554" in page.content.decode()
    assert resent.status_code == 302
    assert len(inbox(processes.sink, email)) == 1
    assert outbox_item_get(tenant_id=clinic.tenant_id, item_id=item_id).status == OutboxStatus.SENT
    assert booking.reference not in after


def test_two_sweeps_at_once_on_two_workers_send_each_message_once(
    clinic: World, processes_without_beat: Processes, tmp_path: Path
) -> None:
    """Two sweeps run at the same moment (as two beats firing together would queue them), one on each
    worker, and both hand over every item: the claims make it one send each."""
    second_worker = start_celery_process("worker", env=processes_without_beat.env, directory=tmp_path, name="worker-2")
    workers = (processes_without_beat.worker, second_worker)
    try:
        email = address()
        booked = [book_now(clinic, tomorrow(hour), email).reference for hour in (8, 9, 10, 11, 12, 13, 14, 15)]
        # Each worker, once its sweep is done, is held inside its first send: neither can claim more
        # while the other sweeps, so the second sweep finds nearly every item still unclaimed.
        processes_without_beat.sink.stall()
        outbox_sweep_task.delay()
        outbox_sweep_task.delay()
        wait_for(
            lambda: processes_without_beat.sink.stalled >= 2, timeout=15, what="both workers sending", logs=workers
        )
        processes_without_beat.sink.release()
        wait_for(
            lambda: len(inbox(processes_without_beat.sink, email)) >= len(booked),
            timeout=30,
            what="8 messages",
            logs=workers,
        )
        time.sleep(2)
        logs = processes_without_beat.worker.log() + second_worker.log()
    finally:
        second_worker.stop()

    mails = inbox(processes_without_beat.sink, email)
    assert len(mails) == len(booked)
    assert sorted(r for r in booked for m in mails if r in m.text()) == sorted(booked)  # one each
    sweeps = [line for line in logs.splitlines() if "outbox_sweep_task[" in line and "succeeded" in line]
    handed = [line for line in logs.splitlines() if "deliver_outbox_item[" in line and "received" in line]
    assert len(sweeps) == 2 and all(int(line.rsplit(": ", 1)[1]) >= len(booked) - 1 for line in sweeps), sweeps
    assert len(handed) >= 2 * len(booked) - 1  # every item handed over twice (but one claimed meanwhile)
    assert logs.count("'busy'") == len(handed) - len(booked)  # the claims turned the extra ones away
