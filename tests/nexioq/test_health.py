"""/health/ for an uptime check: 200 when DynamoDB and the identity database answer, 503 naming
the part that does not. The parts go down for real: DynamoDB at a port nobody listens on, the
identity database as a PostgreSQL URL to a closed port in a process of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client

from nexioq import devservers, dynamo

pytestmark = pytest.mark.django_db

URL = "/health/"


def assert_not_cached(response) -> None:  # type: ignore[no-untyped-def]
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie


def test_it_answers_200_when_both_parts_answer(dynamodb_local: str) -> None:
    response = Client().get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "dynamodb": "ok", "database": "ok"}
    assert_not_cached(response)
    # One GetItem, counted like every other DynamoDB request (the cost sheet and the bench read it).
    assert response["X-Dynamo-Requests"] == "1"


def test_it_answers_head_and_refuses_other_methods(dynamodb_local: str) -> None:
    client = Client(enforce_csrf_checks=True)

    head = client.head(URL)
    post = client.post(URL)
    put = client.put(URL)

    assert (head.status_code, head.content) == (200, b"")
    assert post.status_code == put.status_code == 405
    assert post["Allow"] == "GET, HEAD"


@pytest.fixture
def dynamodb_down(dynamodb_local: str) -> Iterator[None]:
    """The table's endpoint moved to a loopback port nobody listens on; put back afterwards."""
    meta = dynamo.TableItem.Meta
    host, table_name = meta.host, meta.table_name
    dynamo.configure(host=f"http://127.0.0.1:{devservers.free_port()}")
    yield
    dynamo.configure(host=host, table_name=table_name)


@pytest.mark.usefixtures("dynamodb_down")
def test_it_answers_503_when_dynamodb_does_not_answer() -> None:
    started = time.monotonic()
    response = Client().get(URL)

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "dynamodb": "unavailable", "database": "ok"}
    assert_not_cached(response)
    assert time.monotonic() - started < 10  # refused connections fail fast; no hung uptime check


HEALTH_IN_A_PROCESS = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/health/")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def test_it_answers_503_when_the_identity_database_does_not_answer(dynamodb_local: str) -> None:
    password = "pg-secret-never-logged"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nexioq.settings",
        "DATABASE_URL": f"postgres://nexioq:{password}@127.0.0.1:{devservers.free_port()}/nexioq",
        "DYNAMODB_ENDPOINT": dynamodb_local,
        "DYNAMODB_TABLE": settings.DYNAMODB_TABLE,
        "LOG_FORMAT": "json",
    }

    done = subprocess.run(
        [sys.executable, "-c", HEALTH_IN_A_PROCESS],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    answer = json.loads(done.stdout.splitlines()[-1])
    assert answer == {"status": 503, "body": {"status": "unavailable", "dynamodb": "ok", "database": "unavailable"}}
    [logged] = [json.loads(line) for line in done.stderr.splitlines() if "identity database" in line]
    assert logged["level"] == "ERROR" and "OperationalError" in logged["stack"]
    assert password not in done.stderr
