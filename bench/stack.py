"""The throw-away stack a benchmark run measures, bound to loopback, and where its CPU goes.

DynamoDB Local in memory on a free port, the table and the identity database (a temporary SQLite
file), a Redis as the Celery broker, Django set up in this process for seeding and the raw
baselines, and the app under gunicorn on another free port.

Redis is there because a booking change queues a sweep of the outbox (``outbox_kick``), as it does
in a deployment: without a broker the kick met a refused connection instead of the send it costs
in production. No worker consumes the queue: in production the sweep runs elsewhere (a Celery
worker, or another Lambda invocation), and ``make bench-notifications`` measures it. ``Stack.stop`` stops everything this run started; the entry point calls it
in a ``finally``, so Ctrl-C and SIGTERM leave nothing behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from nexioq import devservers  # imports no Django: safe before settings

BASE_DIR = Path(__file__).resolve().parent.parent
# Set on Ctrl-C/SIGTERM: client and seed threads stop at their next step, and the run unwinds.
STOP = threading.Event()
TABLE = "nexioq-bench"
REGION = "us-east-1"

# What the app server runs with, besides the DynamoDB endpoint and the SQLite path.
APP_ENV = {
    "DJANGO_SETTINGS_MODULE": "nexioq.settings",
    "DYNAMODB_TABLE": TABLE,
    "AWS_REGION": REGION,
    "DEBUG": "false",
    "ALLOWED_HOSTS": "127.0.0.1",
    "LOG_LEVEL": "ERROR",
    # Every response says what it cost in DynamoDB requests (X-Dynamo-Requests).
    "DYNAMODB_COUNT_HEADER": "1",
    "HOLD_MINUTES": "10",
    # All clients come from 127.0.0.1 and hold far more often than a person would: the hold
    # rate limits (booking/limits.py) are raised so they measure the engine, not the limiter.
    "HOLD_RATE_PER_IP": "1000000/m",
    "HOLD_RATE_PER_SESSION": "1000000/m",
    "HOLD_MAX_LIVE_PER_SESSION": "1000",
    # A booking change queues a sweep on the stack's Redis (CELERY_BROKER_URL), as in a deployment.
    "OUTBOX_KICK": "1",
}


@dataclass(frozen=True)
class ServerOptions:
    """gunicorn's shape: ``workers`` processes of ``threads`` threads each (the gthread worker)."""

    workers: int = 2
    threads: int = 8
    # Connections waiting to be accepted: the 200-patient race opens 200 at once.
    backlog: int = 2048


class Stack:
    def __init__(self, tmp: Path, options: ServerOptions) -> None:
        self.tmp = tmp
        self.options = options
        self.dynamodb: subprocess.Popen[bytes] | None = None
        self.redis: subprocess.Popen[bytes] | None = None
        self.app: subprocess.Popen[bytes] | None = None
        self.endpoint = ""
        self.base = ""
        self.env: dict[str, str] = {}

    @property
    def app_log(self) -> Path:
        return self.tmp / "gunicorn.log"

    def start_storage(self) -> None:
        """DynamoDB Local, the table, the identity database; then Django in this process."""
        port = devservers.free_port()
        self.dynamodb = devservers.start_dynamodb_local(port=port, data_dir=None)
        self.endpoint = f"http://127.0.0.1:{port}"
        redis_port = devservers.free_port()
        self.redis = devservers.start_redis(port=redis_port, data_dir=self.tmp / "broker")
        self.env = os.environ | APP_ENV | {"DYNAMODB_ENDPOINT": self.endpoint}
        self.env["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        self.env["SQLITE_PATH"] = str(self.tmp / "identity.sqlite3")
        for step in (["dynamo_table"], ["migrate", "--no-input"]):
            subprocess.run(
                [sys.executable, "manage.py", *step], cwd=BASE_DIR, env=self.env, check=True, capture_output=True
            )
        os.environ.update(self.env)
        import django

        django.setup()
        from nexioq import dynamo

        dynamo.configure(host=self.endpoint, table_name=TABLE)

    def start_app(self) -> None:
        port = devservers.free_port()
        o = self.options
        command = [sys.executable, "-m", "gunicorn", "nexioq.wsgi", "--worker-class", "gthread"]
        command += ["--workers", str(o.workers), "--threads", str(o.threads), "--backlog", str(o.backlog)]
        command += ["--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5"]
        with self.app_log.open("wb") as log:  # its own session: Ctrl-C reaches us, and we stop the whole group
            self.app = subprocess.Popen(
                command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        devservers.wait_for_port(port, process=self.app, timeout=60)
        self.base = f"http://127.0.0.1:{port}"

    def check_app_alive(self) -> None:
        if self.app is not None and self.app.poll() is not None:
            raise RuntimeError("gunicorn died:\n" + self.app_log.read_text()[-3000:])

    def app_errors(self) -> str:
        """What the app logged at ERROR (5xx causes), for the report when something failed."""
        return self.app_log.read_text()[-3000:] if self.app_log.exists() else ""

    def stop(self) -> None:
        if self.app is not None and self.app.poll() is None:
            os.killpg(self.app.pid, signal.SIGTERM)
            try:
                self.app.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.app.pid, signal.SIGKILL)
                self.app.wait(timeout=5)
        for server in (self.dynamodb, self.redis):
            if server is not None:
                devservers.stop(server)


# ---------------------------------------------------------------- CPU

CLOCK_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
CPU_KEYS = ("dynamodb_local", "app_server", "bench", "busy", "idle", "steal")


class CpuMeter:
    """CPU seconds of DynamoDB Local, the app server (gunicorn master and workers), this process,
    and the whole machine's busy, idle and stolen time, charged to named blocks (``with meter.measure(name)``;
    a name measured twice adds up). Other processes = busy minus ours: the machine may be shared.
    Stolen time is what the hypervisor gave other guests while this one wanted the CPU: on a
    virtual machine it slows every figure of a block alike, so the report shows it.
    Linux /proc, at clock-tick resolution (10 ms); zeros elsewhere.
    """

    def __init__(self) -> None:
        self.dynamodb_pid = 0
        self.app_pgid = 0
        self._app_pids: list[int] = []
        self.blocks: dict[str, dict[str, float]] = {}

    def watch(self, *, dynamodb_pid: int | None = None, app_pgid: int | None = None) -> None:
        if dynamodb_pid:
            self.dynamodb_pid = dynamodb_pid
        if app_pgid:
            self.app_pgid = app_pgid
            self._app_pids = self._group_members(app_pgid)

    @contextmanager
    def measure(self, name: str) -> Iterator[None]:
        before, began = self.sample(), time.perf_counter()
        try:
            yield
        finally:
            after = self.sample()
            used = self.blocks.setdefault(name, dict.fromkeys([*CPU_KEYS, "wall"], 0.0))
            for key in CPU_KEYS:
                used[key] += after[key] - before[key]
            used["wall"] += time.perf_counter() - began

    def sample(self) -> dict[str, float]:
        used = dict.fromkeys(CPU_KEYS, 0.0)
        used["bench"] = sum(os.times()[:2])
        try:  # the whole machine: user nice system idle iowait irq softirq steal
            ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
            used["idle"] = (ticks[3] + ticks[4]) / CLOCK_TICK
            used["steal"] = ticks[7] / CLOCK_TICK
            used["busy"] = sum(ticks) / CLOCK_TICK - used["idle"] - used["steal"]
        except (OSError, ValueError, IndexError):
            return used
        used["dynamodb_local"] = self._process_seconds(self.dynamodb_pid)
        app = [self._process_seconds(pid) for pid in self._app_pids]
        if self.app_pgid and any(seconds < 0 for seconds in app):  # a worker was replaced: look again
            self._app_pids = self._group_members(self.app_pgid)
            app = [self._process_seconds(pid) for pid in self._app_pids]
        used["app_server"] = sum(max(0.0, seconds) for seconds in app)
        return used

    @staticmethod
    def _process_seconds(pid: int) -> float:
        """utime + stime of one process; -1 when it is gone."""
        if not pid:
            return 0.0
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return -1.0
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICK

    @staticmethod
    def _group_members(pgid: int) -> list[int]:
        members = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == pgid:
                members.append(int(stat.parent.name))
        return members
