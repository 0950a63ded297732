"""Celery beat as a process queues the scheduled tasks of settings.CELERY_BEAT_SCHEDULE; a worker runs them."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.conf import settings

from nexioq.tasks import heartbeat_last
from tests.servers import CeleryProcess

TIMEOUT = 30


@pytest.fixture
def celery_env() -> dict[str, str]:
    # The heartbeat every second; the outbox sweep (another test's subject) not within this test.
    return {"CELERY_HEARTBEAT_SECONDS": "1", "OUTBOX_SWEEP_SECONDS": "3600"}


def test_the_schedule_is_declared_once_in_settings() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert schedule["outbox-sweep"] == {"task": "notifications.tasks.outbox_sweep_task", "schedule": 60.0}
    assert schedule["heartbeat"]["task"] == "nexioq.tasks.heartbeat"


def test_beat_queues_the_heartbeat_and_the_worker_runs_it(
    celery_worker: CeleryProcess, celery_beat: CeleryProcess
) -> None:
    before = dt.datetime.now(dt.UTC)
    deadline = time.monotonic() + TIMEOUT
    while (last := heartbeat_last()) is None and time.monotonic() < deadline:
        time.sleep(0.2)

    assert last is not None, celery_beat.log() + celery_worker.log()
    assert last >= before - dt.timedelta(seconds=1)
    assert "Sending due task heartbeat (nexioq.tasks.heartbeat)" in celery_beat.log()
    assert "nexioq.tasks.heartbeat" in celery_worker.log()


def test_beat_sends_again_after_each_interval(celery_worker: CeleryProcess, celery_beat: CeleryProcess) -> None:
    deadline = time.monotonic() + TIMEOUT
    while celery_beat.log().count("Sending due task heartbeat") < 3 and time.monotonic() < deadline:
        time.sleep(0.2)

    assert celery_beat.log().count("Sending due task heartbeat") >= 3
    assert "outbox_sweep_task" not in celery_beat.log()
