"""A view that changes a booking queues a sweep at once (``kicks_outbox``), into a real Redis.

What is asserted is what Redis holds afterwards: the sweep task's message on Celery's queue, one
per change, none for a refused change. The worker that would run it is not started here (the
process tests, test_real_processes.py, follow a booking from the wizard into the mail sink).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber
from django.test import Client
from django.urls import reverse

from booking import selectors
from booking.models import BookingStatus
from nexioq import dynamo
from tests.conftest import People, World, at, book
from tests.servers import RedisServer

pytestmark = pytest.mark.django_db

SWEEP = "notifications.tasks.outbox_sweep_task"
DETAILS = {"name": "Ana Pérez", "phone": "300 123 4567"}


def queued_sweeps(redis: RedisServer) -> int:
    """Sweep tasks waiting on Celery's default queue (kombu keeps it as the Redis list "celery")."""
    with redis.client() as client:
        return sum(1 for raw in client.lrange("celery", 0, -1) if json.loads(raw)["headers"]["task"] == SWEEP)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def hold_page(client: Client, world: World, hour: int) -> str:
    response = client.post(
        reverse("booking-hold", args=[world.slug, world.cleaning.treatment_id]),
        {"professional": world.ana.professional_id, "start": dynamo.iso_utc(at(hour))},
    )
    assert response.status_code == 302
    return str(response["Location"])


def test_a_booking_confirmed_in_the_wizard_queues_one_sweep(
    world: World, people: People, redis_server: RedisServer
) -> None:
    client = signed_in(people.patient)
    details = hold_page(client, world, 9)
    after_hold = queued_sweeps(redis_server)

    done = client.post(details, DETAILS)

    assert done.status_code == 302
    assert after_hold == 0  # a hold writes no message
    assert queued_sweeps(redis_server) == 1


def test_a_refused_confirmation_queues_nothing(world: World, people: People, redis_server: RedisServer) -> None:
    client = signed_in(people.patient)
    details = hold_page(client, world, 9)

    refused = client.post(details, {"name": "", "phone": "12"})

    assert refused.status_code == 400
    assert queued_sweeps(redis_server) == 0


def test_the_patient_cancelling_in_the_portal_queues_a_sweep(
    world: World, people: People, redis_server: RedisServer
) -> None:
    booking = book(world, at(9, day=dt.date(2026, 12, 2)), patient_id=str(people.patient.pk))

    response = signed_in(people.patient).post(
        reverse("booking-cancel", args=[world.slug, booking.booking_id]), {"reason": "viaje"}
    )

    assert response.status_code == 302
    assert queued_sweeps(redis_server) == 1


def test_reception_cancelling_and_moving_in_the_agenda_queue_a_sweep_each(
    world: World, people: People, redis_server: RedisServer
) -> None:
    cancelled = book(world, at(9))
    moved = book(world, at(11))
    reception = signed_in(people.reception)

    cancel = reception.post(
        reverse("office-booking-cancel", args=[world.slug, cancelled.booking_id]),
        {"reason": "Llamó: está enferma"},
        headers={"HX-Request": "true"},
    )
    move = reception.post(
        reverse("office-agenda-move", args=[world.slug, moved.booking_id]),
        json.dumps({"start": dynamo.iso_utc(at(14))}),
        content_type="application/json",
        headers={"Accept": "application/json"},
    )
    refused = reception.post(reverse("office-booking-cancel", args=[world.slug, moved.booking_id]), {"reason": " "})

    assert (cancel.status_code, move.status_code, refused.status_code) == (200, 200, 400)
    assert queued_sweeps(redis_server) == 2


def test_with_redis_stopped_the_wizard_still_books(world: World, people: People, redis_server: RedisServer) -> None:
    client = signed_in(people.patient)
    details = hold_page(client, world, 9)
    redis_server.stop()

    done = client.post(details, DETAILS)

    assert done.status_code == 302
    booking_id = done["Location"].rstrip("/").rsplit("/", 1)[1]
    assert selectors.booking_get(tenant_id=world.tenant_id, booking_id=booking_id).status == BookingStatus.CONFIRMED


def test_where_kicking_is_off_nothing_is_queued(
    world: World, people: People, redis_server: RedisServer, settings: Any
) -> None:
    settings.OUTBOX_KICK = False  # Lambda: Zappa's minute event sweeps, there is no broker
    client = signed_in(people.patient)

    done = client.post(hold_page(client, world, 9), DETAILS)

    assert done.status_code == 302
    assert queued_sweeps(redis_server) == 0


# ---------------------------------------------------------------- on Lambda: the function invokes itself


@pytest.fixture
def on_lambda(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    """Production's Lambda kick, with the Lambda API (AWS, the boundary) stubbed on the real client."""
    from notifications import tasks

    settings.OUTBOX_KICK_LAMBDA = True
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "nexioq-prd")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setattr(tasks, "_lambda_client", None)
    tasks.kick_pause_reset()
    with Stubber(tasks.lambda_client()) as stubber:
        yield stubber
    tasks.kick_pause_reset()


def test_on_lambda_a_confirmed_booking_invokes_the_sweep_asynchronously(
    world: World, people: People, on_lambda: Stubber
) -> None:
    client = signed_in(people.patient)
    details = hold_page(client, world, 9)
    on_lambda.add_response(
        "invoke",
        {"StatusCode": 202},
        {
            "FunctionName": "nexioq-prd",
            "InvocationType": "Event",
            "Payload": json.dumps({"command": "notifications.lambda_handlers.sweep"}).encode(),
        },
    )

    done = client.post(details, DETAILS)

    assert done.status_code == 302
    on_lambda.assert_no_pending_responses()


def test_on_lambda_a_refused_invocation_keeps_the_booking_and_pauses_kicking(
    world: World, people: People, on_lambda: Stubber
) -> None:
    from notifications import tasks

    client = signed_in(people.patient)
    details = hold_page(client, world, 9)
    on_lambda.add_client_error("invoke", service_error_code="TooManyRequestsException", http_status_code=429)

    done = client.post(details, DETAILS)

    assert done.status_code == 302
    booking_id = done["Location"].rstrip("/").split("/")[-1]
    assert selectors.booking_get(tenant_id=world.tenant_id, booking_id=booking_id).status == BookingStatus.CONFIRMED
    # Paused: the next change does not call the API again (the Stubber would fail on an unexpected call).
    assert tasks.outbox_kick() is False
