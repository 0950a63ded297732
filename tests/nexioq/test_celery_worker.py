"""A real worker process takes tasks from a real Redis: not eager mode, nothing mocked."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from kombu.exceptions import OperationalError

from nexioq.mailsink import MailSink
from nexioq.tasks import heartbeat, ping
from tests.servers import CeleryProcess, RedisServer

TIMEOUT = 30


def children_of(pid: int) -> list[tuple[int, str]]:
    """(pid, state) of every process whose parent is ``pid``, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # it ended while we looked
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
        state, ppid = text.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid:
            found.append((int(stat.parent.name), state))
    return found


def test_it_runs_a_task_sent_through_redis_in_the_worker_process(celery_worker: CeleryProcess) -> None:
    result = ping.delay()

    assert result.get(timeout=TIMEOUT) == "pong"
    assert result.successful()
    assert f"Task nexioq.tasks.ping[{result.id}] received" in celery_worker.log()


def test_it_leaves_no_zombie_when_the_worker_is_killed(celery_worker: CeleryProcess) -> None:
    assert ping.delay().get(timeout=TIMEOUT) == "pong"
    pid = celery_worker.pid

    code = celery_worker.kill()

    assert code == -signal.SIGKILL
    assert not Path(f"/proc/{pid}").exists()  # reaped: not even a zombie entry is left
    assert children_of(pid) == []
    assert [child for child in children_of(os.getpid()) if child[1] == "Z"] == []


def test_a_killed_worker_started_again_takes_the_tasks_queued_meanwhile(celery_worker: CeleryProcess) -> None:
    celery_worker.kill()
    queued = ping.delay()  # Redis keeps it while no worker runs

    celery_worker.restart()

    assert queued.get(timeout=TIMEOUT) == "pong"


def test_redis_stopped_and_started_again_on_the_same_port_serves_the_worker(
    redis_server: RedisServer, celery_worker: CeleryProcess
) -> None:
    port = redis_server.port
    redis_server.stop()
    assert not redis_server.running

    redis_server.start()

    assert redis_server.port == port
    with redis_server.client() as client:
        assert client.ping()
    # The worker reconnects by itself and takes new work.
    assert ping.delay().get(timeout=TIMEOUT) == "pong"


def test_a_task_sent_while_redis_is_down_fails_fast(redis_server: RedisServer) -> None:
    """What a booking request meets during a Redis outage: an error within seconds, not a hang.

    (A task whose result is kept, like ping, would also wait for the result store: ours are not.)
    """
    redis_server.stop()
    started = time.monotonic()

    with pytest.raises(OperationalError) as raised:
        heartbeat.delay()

    assert time.monotonic() - started < 10
    assert "connect" in str(raised.value).lower() or "refused" in str(raised.value).lower()


def test_the_worker_runs_with_the_test_settings_and_servers(
    celery_worker: CeleryProcess, dynamodb_local: str, redis_server: RedisServer, smtp_sink: MailSink
) -> None:
    raw = Path(f"/proc/{celery_worker.pid}/environ").read_bytes()
    environment = dict(entry.split("=", 1) for entry in raw.decode().split("\0") if "=" in entry)

    assert environment["DJANGO_SETTINGS_MODULE"] == os.environ["DJANGO_SETTINGS_MODULE"] == "nexioq.test_settings"
    assert environment["DYNAMODB_ENDPOINT"] == dynamodb_local
    assert environment["CELERY_BROKER_URL"] == environment["CELERY_RESULT_BACKEND"] == redis_server.url
    assert environment["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (environment["EMAIL_HOST"], int(environment["EMAIL_PORT"])) == (smtp_sink.host, smtp_sink.port)
