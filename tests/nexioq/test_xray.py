"""AWS X-Ray with real parts: the app in a process of its own with XRAY_ENABLED, the suite's
DynamoDB Local behind it, and a UDP socket in this test standing where the X-Ray daemon listens.
Then the same on "Lambda" (LAMBDA_TASK_ROOT and a trace header, as Lambda sets them), where the
SDK hangs its work under Lambda's own segment instead of making one."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from nexioq import devservers
from tests.conftest import World

pytestmark = pytest.mark.django_db


class Daemon:
    """A UDP socket on a free loopback port: what the SDK's emitter sends, one document a datagram."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"

    def received(
        self, *, wait: float, until: Callable[[list[dict[str, Any]]], bool] | None = None
    ) -> list[dict[str, Any]]:
        """What arrived within ``wait`` seconds, or as soon as ``until`` says it is enough."""
        documents: list[dict[str, Any]] = []
        deadline = time.monotonic() + wait
        while not (until and until(documents)) and (left := deadline - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                datagram = self.sock.recv(65536).decode()
            except TimeoutError:
                break
            header, body = datagram.split("\n", 1)
            assert json.loads(header) == {"format": "json", "version": 1}
            documents.append(json.loads(body))
        return documents


@pytest.fixture
def daemon() -> Iterator[Daemon]:
    d = Daemon()
    yield d
    d.sock.close()


def app_env(dynamodb_local: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XRAY_", "AWS_XRAY_", "LAMBDA_", "_X_AMZN"))}
    return {
        **env,
        "DYNAMODB_ENDPOINT": dynamodb_local,
        "NEXIOQ_STAGE": "qas",
        "PYTHONUNBUFFERED": "1",
        "AWS_EC2_METADATA_DISABLED": "true",
        **extra,
    }


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Any]:
    """``start(env)`` runs ``manage.py runserver`` with the suite's settings and returns its URL."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(env: dict[str, str]) -> str:
        port = devservers.free_port()
        with (tmp_path / f"runserver-{port}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
                env=env,
                cwd=settings.BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        processes.append(process)
        devservers.wait_for_port(port, process=process)
        return f"http://127.0.0.1:{port}"

    yield start
    for process in processes:
        devservers.stop(process)


def get(url: str) -> tuple[int, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback, built here)
        return response.status, dict(response.headers)


def subsegments(entity: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for sub in entity.get("subsegments", []):
        yield sub
        yield from subsegments(sub)


def test_it_traces_a_request_and_its_dynamodb_call_to_the_daemon(
    world: World, dynamodb_local: str, daemon: Daemon, server: Any
) -> None:
    # XRAY_SAMPLING off: every request traced, not one a second (Lambda decides itself on AWS).
    base = server(
        app_env(dynamodb_local, XRAY_ENABLED="true", AWS_XRAY_DAEMON_ADDRESS=daemon.address, XRAY_SAMPLING="false")
    )

    health_status, health_headers = get(f"{base}/health/")
    page_status, _ = get(f"{base}/c/{world.slug}/?q=Luisa+G%C3%B3mez")
    segments = [doc for doc in daemon.received(wait=10, until=lambda docs: len(docs) >= 2) if "parent_id" not in doc]

    assert (health_status, page_status) == (200, 200)
    health, page = segments
    assert health["name"] == page["name"] == "nexioq-qas"
    assert health["trace_id"] in health_headers["X-Amzn-Trace-Id"]
    assert health["http"] == {
        "request": {"method": "GET", "url": f"{base}/health/", "user_agent": health["http"]["request"]["user_agent"]},
        "response": {"status": 200, "content_length": health["http"]["response"]["content_length"]},
    }
    [dynamodb] = [sub for sub in subsegments(health) if sub.get("namespace") == "aws"]
    assert (dynamodb["name"], dynamodb["aws"]["operation"]) == ("dynamodb", "GetItem")
    assert dynamodb["aws"]["table_name"] == settings.DYNAMODB_TABLE
    [sql] = [sub for sub in subsegments(health) if "sql" in sub]
    assert sql["sql"]["sanitized_query"] == "SELECT 1"
    # The page: its route, not its path or query (no slug, no search for a patient's name), no IP.
    assert page["http"]["request"]["url"] == f"{base}/c/<slug:clinic_slug>/"
    assert page["http"]["response"]["status"] == 200
    operations = {sub["aws"]["operation"] for sub in subsegments(page) if sub.get("namespace") == "aws"}
    assert operations and operations <= {"GetItem", "Query", "BatchGetItem"}
    assert world.slug not in json.dumps(page) and "Luisa" not in json.dumps(page)


def test_it_sends_nothing_and_adds_no_middleware_when_off(dynamodb_local: str, daemon: Daemon, server: Any) -> None:
    base = server(app_env(dynamodb_local, AWS_XRAY_DAEMON_ADDRESS=daemon.address))

    status, headers = get(f"{base}/health/")

    assert status == 200
    assert "X-Amzn-Trace-Id" not in headers  # the X-Ray middleware answers with it; it is not there
    assert daemon.received(wait=1.5) == []
    assert not any("xray" in name.lower() for name in settings.MIDDLEWARE + settings.INSTALLED_APPS)


LAMBDA_INVOCATION = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/health/")
print(json.dumps({"status": response.status_code, "trace": response.headers.get("X-Amzn-Trace-Id")}))
"""


def test_on_lambda_it_hangs_the_request_under_lambdas_segment(
    dynamodb_local: str, daemon: Daemon, tmp_path: Path
) -> None:
    root, parent = "1-67a1b2c3-0123456789abcdef01234567", "53995c3f42cd8ad8"
    env = app_env(
        dynamodb_local,
        XRAY_ENABLED="true",
        AWS_XRAY_DAEMON_ADDRESS=daemon.address,
        LAMBDA_TASK_ROOT=str(tmp_path),
        _X_AMZN_TRACE_ID=f"Root={root};Parent={parent};Sampled=1",
    )

    done = subprocess.run(
        [sys.executable, "-c", LAMBDA_INVOCATION],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # The request's own subsegment ends last.
    documents = daemon.received(wait=5, until=lambda docs: any(d["name"] == "nexioq-qas" for d in docs))

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["status"] == 200
    # Subsegments only, sent as each one ends, all in Lambda's trace: no segment of our own.
    assert documents and all(doc["type"] == "subsegment" and doc["trace_id"] == root for doc in documents)
    [request] = [doc for doc in documents if doc["name"] == "nexioq-qas"]
    assert request["parent_id"] == parent
    assert request["http"]["request"]["url"] == "http://testserver/health/"
    assert "annotations" not in request  # the URL is not copied into searchable annotations
    inside = [doc for doc in documents if doc.get("parent_id") == request["id"]]
    assert {"dynamodb", "execute"} <= {doc["name"] for doc in inside}  # the GetItem and the SELECT 1
    assert "Cannot create segments inside Lambda function" not in done.stderr
