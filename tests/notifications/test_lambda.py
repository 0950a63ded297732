"""On Lambda the sweep is a Zappa scheduled event: Zappa's own handler, invoked in-process.

The event is the one EventBridge sends for the rule Zappa makes from ``zappa_settings.json``'s
"events" (the rule's name ends with the function's path), and the handler is Zappa's
``LambdaHandler`` with the settings module Zappa writes into the package, here made from the same
JSON. It runs against DynamoDB Local and sends into the test's SMTP server.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from zappa.handler import LambdaHandler

from deploy.lambda_events import scheduled_event
from nexioq.mailsink import MailSink
from tests.conftest import World, at, book
from tests.notifications.helpers import inbox

pytestmark = pytest.mark.django_db

ZAPPA_SETTINGS = Path(django_settings.BASE_DIR) / "zappa_settings.json"
# Before any other test's messages fall due (theirs are due at the suite's frozen NOW or later), so
# this sweep, which delivers for every clinic like the real one, finds only this test's.
EARLY = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
STAGE = "dev"


def _events() -> dict[str, str]:
    stage = json.loads(ZAPPA_SETTINGS.read_text())[STAGE]
    return {event["function"]: event["expression"] for event in stage.get("events", [])}


@pytest.fixture
def zappa_handler() -> Iterator[LambdaHandler]:
    """Zappa's handler with the settings module its packaging writes (the keys the handler reads)."""
    stage = json.loads(ZAPPA_SETTINGS.read_text())[STAGE]
    module = types.ModuleType("nexioq_zappa_settings")
    module.__dict__.update(
        API_STAGE=STAGE,
        PROJECT_NAME=stage["project_name"],
        DJANGO_SETTINGS=django_settings.SETTINGS_MODULE,
        LOG_LEVEL="INFO",
        DEBUG=False,
        # The stage's variables (production, the AWS table) are Lambda's; here the test's settings stand.
        ENVIRONMENT_VARIABLES={},
        EXCEPTION_HANDLER=None,
        AWS_EVENT_MAPPING={},
        AWS_BOT_EVENT_MAPPING={},
        COGNITO_TRIGGER_MAPPING={},
    )
    sys.modules[module.__name__] = module
    environ = dict(os.environ)
    root_level = logging.getLogger().level
    handler = LambdaHandler(settings_name=module.__name__)
    try:
        yield handler
    finally:
        # Zappa keeps one handler per process: the next test makes its own.
        LambdaHandler._LambdaHandler__instance = None  # type: ignore[attr-defined]
        LambdaHandler.settings = None
        os.environ.clear()
        os.environ.update(environ)
        logging.getLogger().setLevel(root_level)
        del sys.modules[module.__name__]


def _scheduled_event(function: str) -> dict[str, Any]:
    return scheduled_event({"function": function}, lambda_name=f"nexioq-{STAGE}")


def test_zappa_declares_the_sweep_every_minute() -> None:
    assert _events()["notifications.lambda_handlers.sweep"] == "rate(1 minute)"
    assert "notifications.lambda_handlers.summaries" in _events()


def test_the_scheduled_event_sweeps_and_the_mail_goes_out(
    world: World, frozen: time_machine.Coordinates, zappa_handler: LambdaHandler, smtp_sink: MailSink
) -> None:
    frozen.move_to(EARLY)
    book(world, at(9))
    context = types.SimpleNamespace(aws_request_id="req-1", function_name=f"nexioq-{STAGE}")

    handed = zappa_handler.handler(_scheduled_event("notifications.lambda_handlers.sweep"), context)
    again = zappa_handler.handler(_scheduled_event("notifications.lambda_handlers.sweep"), context)

    assert handed >= 1 and again == 0
    (received,) = inbox(smtp_sink, "luis@example.com")
    assert received.subject == "Tu cita en Clínica Prueba está confirmada"
