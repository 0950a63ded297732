"""The JSON log lines a booking writes, read from a real handler with the production formatter:
one object per line, the request's ids on every line, and no name, e-mail or phone anywhere.

A view that fails on purpose is routed here for the 500 (ROOT_URLCONF is this module's).
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path, reverse
from pytest_django.fixtures import Settings

from booking.models import ClinicPatient
from booking.patients import patient_record_create
from nexioq.dynamo import iso_utc
from nexioq.logs import JsonFormatter, RequestContextFilter
from nexioq.mailsink import MailSink
from notifications import outbox
from notifications import services as notifications
from notifications.selectors import outbox_item_get
from tests.booking.helpers import clinic_bookings
from tests.conftest import DAY, NOW, People, World, at, book, system

pytestmark = pytest.mark.django_db

WIZARD_NAME, WIZARD_PHONE = "Ana Pérez", "300 123 4567"
PHONE_PATIENT = {"name": "Luisa Gómez", "phone": "310 555 1234", "email": "luisa.gomez@example.com"}


def boom(request: HttpRequest, token: str) -> HttpResponse:
    raise RuntimeError("something unexpected")


urlpatterns = [path("boom/<str:token>/", boom), path("", include("nexioq.urls"))]


class Lines:
    """What the root logger's JSON handler wrote during the test."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        # Without aiosmtpd's own lines: the SMTP sink is a test server that runs in this process.
        return "".join(line for line in self.stream.getvalue().splitlines(True) if '"logger": "mail.log"' not in line)

    def all(self) -> list[dict[str, Any]]:
        lines = self.text.splitlines()
        assert lines, "nothing was logged"
        return [json.loads(line) for line in lines]  # every line one JSON object (or this fails)

    def requests(self) -> list[dict[str, Any]]:
        return [line for line in self.all() if line["logger"] == "nexioq.request"]

    def assert_no_personal_data(self, *values: str) -> None:
        for value in values:
            variants = {value, value.lower(), json.dumps(value)[1:-1], re.sub(r"\D", "", value)}
            for variant in variants - {""}:
                assert variant not in self.text, f"{variant!r} is in the logs"


@pytest.fixture
def lines() -> Iterator[Lines]:
    """Production's handler (JSON formatter and request context filter) on the root logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield Lines(stream)
    root.removeHandler(handler)
    root.setLevel(level)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_request_line(line: dict[str, Any], **expected: Any) -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) or "request_id" in expected
    assert isinstance(line["duration_ms"], float | int) and line["duration_ms"] >= 0
    assert {key: line.get(key) for key in expected} == expected
    assert {"timestamp", "level", "message"} <= line.keys()


def test_it_logs_a_wizard_booking_with_ids_and_no_personal_data(
    world: World, people: People, lines: Lines, settings: Settings
) -> None:
    client = signed_in(people.patient)
    treatment = world.cleaning.treatment_id
    schedule = client.get(reverse("booking-schedule", args=[world.slug, treatment]))
    held = client.post(
        reverse("booking-hold", args=[world.slug, treatment]),
        {"professional": world.ana.professional_id, "start": iso_utc(at(9))},
    )
    confirmed = client.post(held["Location"], {"name": WIZARD_NAME, "phone": WIZARD_PHONE})
    done = client.get(confirmed["Location"])

    assert (schedule.status_code, held.status_code, confirmed.status_code, done.status_code) == (200, 302, 302, 200)
    [booking] = clinic_bookings(world)
    assert (booking.patient_name, booking.patient_email) == (WIZARD_NAME, people.patient.email)
    hold_line, confirm_line = lines.requests()[1:3]
    ids = {"clinic_id": world.tenant_id, "user_id": str(people.patient.pk)}
    assert_request_line(hold_line, route="/c/<slug:clinic_slug>/book/<str:treatment_id>/hold/", method="POST", **ids)
    assert_request_line(confirm_line, method="POST", status=302, **ids)
    assert confirm_line["route"] == "/c/<slug:clinic_slug>/hold/<str:hold_id>/"
    assert [line["status"] for line in lines.requests()] == [200, 302, 302, 200]
    assert [line["request_id"] for line in lines.requests()] == [
        r["X-Request-Id"] for r in (schedule, held, confirmed, done)
    ]
    assert len({line["request_id"] for line in lines.requests()}) == 4
    lines.assert_no_personal_data(WIZARD_NAME, WIZARD_PHONE, booking.patient_phone, people.patient.email)
    assert world.slug not in lines.text and booking.booking_id not in lines.text  # routes, not paths


@pytest.fixture
def luisa(world: World) -> ClinicPatient:
    record = patient_record_create(
        tenant_id=world.tenant_id,
        name=PHONE_PATIENT["name"],
        phone=PHONE_PATIENT["phone"],
        email=PHONE_PATIENT["email"],
        actor=system(world),
    ).record
    assert record is not None
    return record


def test_it_logs_reception_booking_a_phone_patient_without_their_details(
    world: World, people: People, luisa: ClinicPatient, lines: Lines
) -> None:
    reception = signed_in(people.reception)
    url = reverse("office-patient-book-time", args=[world.slug, luisa.record_id, world.cleaning.treatment_id])
    page = reception.get(url, {"professional": world.ana.professional_id, "date": DAY.isoformat()})
    action = re.search(r'<form method="post" action="([^"]+\?booking=[0-9a-f]+)"', page.content.decode())
    assert action is not None
    booked = reception.post(
        action.group(1).replace("&amp;", "&"), {"professional": world.ana.professional_id, "start": iso_utc(at(9))}
    )

    assert booked.status_code == 302
    [booking] = clinic_bookings(world)
    assert (booking.channel, booking.patient_name) == ("phone", PHONE_PATIENT["name"])
    post = lines.requests()[-1]
    assert_request_line(
        post,
        route="/c/<slug:clinic_slug>/patients/<str:record_id>/book/<str:treatment_id>/",
        method="POST",
        status=302,
        clinic_id=world.tenant_id,
        user_id=str(people.reception.pk),
    )
    lines.assert_no_personal_data(*PHONE_PATIENT.values(), booking.patient_phone, people.reception.email)
    assert luisa.record_id not in lines.text


@pytest.fixture
def failing_urls(settings: Settings) -> None:
    settings.ROOT_URLCONF = __name__


@pytest.mark.usefixtures("failing_urls")
def test_it_logs_an_unexpected_error_with_its_stack_under_the_request_id(world: World, lines: Lines) -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/boom/invitation-token-123/?email=someone@example.com", HTTP_X_REQUEST_ID="lb-req-0001")

    assert response.status_code == 500
    assert response["X-Request-Id"] == "lb-req-0001"  # a well-formed incoming id is kept
    error, request = lines.all()
    assert error["request_id"] == request["request_id"] == "lb-req-0001"
    assert (error["logger"], error["level"]) == ("django.request", "ERROR")
    assert error["message"] == "Internal Server Error: /boom/<str:token>/"
    assert error["stack"].startswith("Traceback") and "RuntimeError: something unexpected" in error["stack"]
    assert 'raise RuntimeError("something unexpected")' in error["stack"]
    assert_request_line(request, request_id="lb-req-0001", route="/boom/<str:token>/", method="GET", status=500)
    assert "invitation-token-123" not in lines.text and "someone@example.com" not in lines.text


def test_it_makes_its_own_request_id_when_the_offered_one_is_not_one(world: World, lines: Lines) -> None:
    response = Client().get(reverse("booking-start", args=[world.slug]), HTTP_X_REQUEST_ID="<script> x")

    [request] = lines.requests()
    assert response.status_code == 200
    assert response["X-Request-Id"] == request["request_id"] != "<script> x"
    assert re.fullmatch(r"[0-9a-f]{32}", request["request_id"])
    assert request["route"] == "/c/<slug:clinic_slug>/" and request["clinic_id"] == world.tenant_id
    assert "user_id" not in request or request["user_id"] is None  # anonymous


def test_every_line_of_a_request_carries_its_x_ray_trace_id(world: World, lines: Lines) -> None:
    trace = "1-67a0b1c2-0123456789abcdef01234567"

    traced = Client().get(
        reverse("booking-start", args=[world.slug]),
        HTTP_X_AMZN_TRACE_ID=f"Root={trace};Parent=53995c3f42cd8ad8;Sampled=1",
    )
    forged = Client().get(reverse("booking-start", args=[world.slug]), HTTP_X_AMZN_TRACE_ID="Root=<script>")

    assert traced.status_code == forged.status_code == 200
    assert [line.get("trace_id") for line in lines.requests()] == [trace, None]


def test_a_message_given_up_counts_in_a_metric_and_its_refusal_logs_no_address(
    world: World, lines: Lines, smtp_sink: MailSink, capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    settings.STAGE = "qas"
    booking = book(world, at(9))
    item = outbox_item_get(tenant_id=world.tenant_id, item_id=outbox.confirmed_id(booking.booking_id))
    item.attempts = notifications.MAX_ATTEMPTS - 1
    item.save()
    # SES and SMTP servers quote the recipient in their refusals.
    smtp_sink.refuse(554, f"5.7.1 Recipient address rejected: {booking.patient_email}")
    capsys.readouterr()

    outcome = notifications.outbox_deliver(
        tenant_id=world.tenant_id, item_id=item.item_id, worker="test-worker", now=NOW
    )

    assert outcome == notifications.Outcome.FAILED
    [metric] = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert metric == {
        "_aws": {
            "Timestamp": metric["_aws"]["Timestamp"],
            "CloudWatchMetrics": [
                {
                    "Namespace": "NexioQ",
                    "Dimensions": [["Stage"]],
                    "Metrics": [{"Name": "FailedOutboxItems", "Unit": "Count"}],
                }
            ],
        },
        "Stage": "qas",
        "FailedOutboxItems": 1,
    }
    assert isinstance(metric["_aws"]["Timestamp"], int) and metric["_aws"]["Timestamp"] > 1_700_000_000_000
    attempt, gave_up = (line for line in lines.all() if line["logger"] == "notifications.services")
    assert attempt["message"].endswith("attempt failed: SMTPDataError 554")
    assert "smtplib.SMTPDataError" in attempt["stack"] and "message.send()" in attempt["stack"]
    assert gave_up["level"] == "ERROR" and "failed after 6 attempts" in gave_up["message"]
    lines.assert_no_personal_data(booking.patient_email, booking.patient_name, booking.patient_phone)


def test_it_names_the_platform_owner_who_suspends_a_clinic_by_id(world: World, people: People, lines: Lines) -> None:
    response = signed_in(people.owner).post(reverse("admin:clinics_clinic_suspend", args=[world.tenant_id]))

    [suspended] = [line for line in lines.all() if line["logger"] == "clinics.admin.views"]
    assert response.status_code == 302
    assert suspended["message"].endswith(f"suspended=True by user {people.owner.pk}")
    lines.assert_no_personal_data(people.owner.email)
    assert lines.requests()[-1]["route"] == "/admin/clinics/clinic/<str:tenant_id>/suspend/"
