"""Real servers for the tests about tasks and mail: Redis, the SMTP sink, a Celery worker and beat.

Loaded for every test module as a plugin (``pytest_plugins`` in the root conftest.py), but a
server starts only when a test asks for its fixture, so the rest of the suite never waits on one:

- ``redis_server``: a real redis-server on a free loopback port, emptied before each test;
  ``stop()`` / ``start()`` take it down and bring it back on the same port (``kill()`` is the
  unclean way). While the test runs, this process's Celery app sends to it.
- ``smtp_sink``: ``nexioq.mailsink.MailSink`` on a free port, with Django's SMTP settings
  pointed at it for the test; ``.messages`` (``EmailMessage``), ``.envelopes``, ``.clear()``,
  ``.refuse(code, times=)`` / ``.accept()``, ``.refused``, ``.stall()`` / ``.release()`` (hold
  every DATA unanswered, ``.stalled`` counts them), ``.directory`` (.eml files).
- ``celery_worker``, ``celery_beat``: real ``celery -A nexioq worker|beat`` processes (not eager
  mode) with this process's environment plus the test DynamoDB Local, the test identity
  database (``nexioq.test_settings``), ``redis_server`` and ``smtp_sink``. ``kill()`` sends
  SIGKILL to the whole process group and reaps it; ``log()`` is what it printed.
- ``postgres_server``: a throw-away PostgreSQL cluster (``deploy.postgres.PostgresCluster``) on a
  free loopback port for the session; a test takes a database of its own with ``createdb(name)``.
- ``celery_env``: extra environment for both (e.g. ``{"OUTBOX_SWEEP_SECONDS": "1"}``);
  override the fixture in a test module to change it.

The worker reads the identity database from its own connection: rows a test wants it to see
must be committed, so such tests use ``transactional_db`` rather than ``db``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from deploy.postgres import PostgresCluster
from nexioq import devservers
from nexioq.mailsink import MailSink

# ---------------------------------------------------------------- Redis


class RedisServer:
    """redis-server on a fixed free port, so a stopped server comes back where clients look for it."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = devservers.free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        from notifications.tasks import kick_pause_reset

        if not self.running:
            self.process = devservers.start_redis(port=self.port, data_dir=self.data_dir)
        kick_pause_reset()  # as a process whose pause ran out would, the moment Redis is back

    def stop(self) -> None:
        """A clean shutdown: Redis saves its data first, as it does for `make run`."""
        if self.process is not None:
            devservers.stop(self.process)
            self.process = None

    def kill(self) -> None:
        """SIGKILL: whatever Redis held since its last save is gone."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def client(self) -> Any:
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=5)

    def flush(self) -> None:
        with self.client() as client:
            client.flushall()


def _point_celery_at(url: str | None) -> None:
    """This process's Celery app sends to and reads results from ``url`` from now on (None: the test settings').

    Celery reads CELERY_BROKER_URL and CELERY_RESULT_BACKEND from the environment before its
    configuration, as the worker does. The app may already hold a connection pool and a result
    backend for the in-memory broker of the test settings (a test before this one queued a
    task); those are dropped.
    """
    from nexioq.celery import app
    from notifications.tasks import kick_pause_reset

    kick_pause_reset()  # another broker: an outage of the previous one says nothing about it
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        if url is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = url
    _reset_celery_connections(app)


def _reset_celery_connections(app: Any) -> None:
    """Forget the app's broker connections and result backend (as Celery does after a fork)."""
    # The result store's subscription is closed here, or it would retry its lost Redis for 20 s
    # once the server stops. (The broker pool is not: kombu keeps one per URL for the process.)
    backend = app._backend
    consumer = getattr(backend, "result_consumer", None)
    if consumer is not None:
        consumer.subscribed_to.clear()
        with contextlib.suppress(Exception):
            consumer.stop()
        consumer._pubsub = None
    app._after_fork()
    app._backend_cache = None
    if hasattr(app._local, "backend"):
        del app._local.backend


@pytest.fixture(scope="session")
def _redis_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_server(_redis_process: RedisServer) -> Iterator[RedisServer]:
    _redis_process.start()  # a test before this one may have stopped it
    _redis_process.flush()
    _point_celery_at(_redis_process.url)
    yield _redis_process
    _point_celery_at(None)


# ---------------------------------------------------------------- SMTP


@pytest.fixture(scope="session")
def _smtp_sink_server() -> Iterator[MailSink]:
    sink = MailSink(port=devservers.free_port())
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_sink(_smtp_sink_server: MailSink, settings: Any, tmp_path: Path) -> Iterator[MailSink]:
    """The sink, empty and accepting, keeping .eml files in this test's ``tmp_path / "mail"``."""
    sink = _smtp_sink_server
    sink.clear()
    sink.accept()
    sink.release()
    sink.refused = 0
    sink.stalled = 0
    sink.directory = tmp_path / "mail"
    sink.directory.mkdir()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    yield sink
    sink.accept()
    sink.release()
    sink.directory = None


# ---------------------------------------------------------------- Celery


@dataclass
class CeleryProcess:
    """A worker or beat started by ``devservers.start_celery`` in its own process group."""

    role: str
    process: subprocess.Popen[bytes]
    log_path: Path
    start_args: dict[str, Any] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> int:
        """SIGKILL to the worker and anything it forked, then reap it: no zombie is left. Returns the exit code."""
        if self.alive:
            with contextlib.suppress(ProcessLookupError):  # it died on its own meanwhile
                os.killpg(self.process.pid, signal.SIGKILL)
        return self.process.wait(timeout=10)

    def stop(self) -> None:
        """A warm shutdown (SIGTERM): a running task finishes first."""
        devservers.stop(self.process)
        if self.process.poll() is None:
            self.kill()

    def restart(self) -> None:
        self.stop()
        self.process = devservers.start_celery(self.role, **self.start_args)


def celery_environment(
    *, dynamodb_endpoint: str, redis: RedisServer, sink: MailSink, extra: dict[str, str]
) -> dict[str, str]:
    """This process's environment and settings module, with the suite's servers, for a worker or beat."""
    env = dict(os.environ)
    env.update(
        # pytest-django put the settings module in the environment (settings.SETTINGS_MODULE is
        # None while a test overrides settings).
        DJANGO_SETTINGS_MODULE=os.environ["DJANGO_SETTINGS_MODULE"],
        DYNAMODB_ENDPOINT=dynamodb_endpoint,
        CELERY_BROKER_URL=redis.url,
        CELERY_RESULT_BACKEND=redis.url,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=sink.host,
        EMAIL_PORT=str(sink.port),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def start_celery_process(role: str, *, env: dict[str, str], directory: Path, name: str = "") -> CeleryProcess:
    """Another worker or beat, for tests that need more than the fixtures' one of each."""
    name = name or f"{role}-{devservers.free_port()}"
    start_args: dict[str, Any] = {"env": env, "log": directory / f"{name}.log", "new_session": True}
    if role == "worker":
        start_args["hostname"] = f"{name}@%h"
    else:
        start_args["schedule"] = directory / f"{name}-schedule"
    process = devservers.start_celery(role, **start_args)
    return CeleryProcess(role=role, process=process, log_path=start_args["log"], start_args=start_args)


@pytest.fixture
def celery_env() -> dict[str, str]:
    return {}


@pytest.fixture
def _celery_process_env(
    dynamodb_local: str,
    django_db_setup: None,
    redis_server: RedisServer,
    smtp_sink: MailSink,
    celery_env: dict[str, str],
) -> dict[str, str]:
    return celery_environment(dynamodb_endpoint=dynamodb_local, redis=redis_server, sink=smtp_sink, extra=celery_env)


@pytest.fixture
def celery_worker(_celery_process_env: dict[str, str], tmp_path: Path) -> Iterator[CeleryProcess]:
    worker = start_celery_process("worker", env=_celery_process_env, directory=tmp_path)
    yield worker
    worker.stop()


@pytest.fixture
def celery_beat(_celery_process_env: dict[str, str], tmp_path: Path) -> Iterator[CeleryProcess]:
    beat = start_celery_process("beat", env=_celery_process_env, directory=tmp_path)
    yield beat
    beat.stop()


# ---------------------------------------------------------------- PostgreSQL


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    cluster.start()
    yield cluster
    cluster.stop()
