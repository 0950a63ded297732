"""The outbox's costs: a sweep's DynamoDB requests, delivery throughput, and what it adds to booking.

    python -m bench.bench_notifications [--future 10000] [--due 100] [--messages 300] [--bookings 300]

Starts its own DynamoDB Local, identity database and ``redis-server`` (``bench/stack.py``, no app
server) and the mail sink as a process (``nexioq.devservers``, as ``make run`` does), and
measures three things in one run:

1. **Sweep cost**: ``outbox_sweep`` with ``--future`` future bookings' reminders pending on the due
   index (two each: 24 h and 2 h before) and ``--due`` reminders due now. Those items are written
   directly with ``notifications.outbox.outbox_item`` (batch writes; the bookings themselves are not
   written: the sweep reads only the index, and seeding 10,000 bookings through the services would
   take minutes). Requests, their kinds and latency, ``--runs`` times, with nothing due and with
   ``--due`` due.
2. **Delivery throughput**: ``--messages`` confirmations of bookings made through ``booking_create``
   (so each message is built from a real booking), handed over by the sweep to real Celery worker
   processes (``celery -A nexioq worker``, solo pool, one process each) through Redis, sent by SMTP
   to the sink; time from the sweep until the sink holds every message, with 1 and then 2 workers.
   The sink's count is checked: each message exactly once.
3. **The outbox's cost on booking**: bookings/s through ``booking_create`` in the same clinic, one
   thread, with notifications on and off, alternating blocks of 20. The switch is the patient: with an
   e-mail address the transaction also puts the confirmation and the two reminders (3 more items
   in the same TransactWriteItems); a phone patient without one gets no messages, so the same code
   writes none. Also the view's kick (``outbox_kick``: one sweep queued in Redis) on its own.

Prints Markdown; the raw figures as JSON on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from bench.seed import PHONE, World, plan_bookings, world_new
from bench.stack import STOP, ServerOptions, Stack
from nexioq import devservers

PROFESSIONALS = 10
BLOCK = 20  # bookings per alternating block in part 3


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def ms(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "mean_ms": round(statistics.fmean(values), 1),
    }


# ---------------------------------------------------------------- 1. sweep cost


def write_items(items: list[Any]) -> None:
    from notifications.models import OutboxItem

    with OutboxItem.batch_write() as batch:
        for item in items:
            batch.save(item)


def seed_due_index(world: World, future: int, due: int) -> tuple[list[Any], float]:
    """``future`` bookings' two reminders, due from tomorrow on; and ``due`` reminders due a minute ago."""
    from notifications import outbox
    from notifications.models import MessageKind

    began = time.perf_counter()
    now = dt.datetime.now(dt.UTC)
    rng = random.Random(7)

    def reminder(booking_id: str, offset: int, when: dt.datetime) -> Any:
        return outbox.outbox_item(
            tenant_id=world.tenant_id,
            item_id=outbox.reminder_id(booking_id, offset),
            kind=MessageKind.REMINDER,
            due=when,
            now=now,
            booking_id=booking_id,
            offset_minutes=offset,
        )

    pending = []
    for _ in range(future):
        start = now + dt.timedelta(days=rng.randint(2, 90), minutes=15 * rng.randint(0, 40))
        booking_id = uuid.uuid4().hex
        pending += [reminder(booking_id, 1440, start - dt.timedelta(days=1)), reminder(booking_id, 120, start)]
    write_items(pending)
    due_now = [reminder(uuid.uuid4().hex, 120, now - dt.timedelta(minutes=1)) for _ in range(due)]
    return due_now, time.perf_counter() - began


def sweep_runs(runs: int) -> dict[str, Any]:
    from nexioq.dynamo import count_requests
    from notifications import services

    latencies, requests, handed = [], [], []
    kinds: Counter[str] = Counter()
    for index in range(runs + 2):
        found: list[tuple[str, str]] = []

        def collect(tenant_id: str, item_id: str, found: list[tuple[str, str]] = found) -> None:
            found.append((tenant_id, item_id))

        with count_requests() as counted:
            began = time.perf_counter()
            services.outbox_sweep(now=dt.datetime.now(dt.UTC), deliver=collect)
            elapsed = (time.perf_counter() - began) * 1000
        if index >= 2:  # two warm-ups
            latencies.append(elapsed)
            requests.append(counted.value)
            handed.append(len(found))
            kinds = Counter(counted.operations)
    return {"requests": max(requests), "kinds": dict(kinds), "handed": max(handed), **ms(latencies)}


def part_sweep(world: World, future: int, due: int, runs: int) -> dict[str, Any]:
    from notifications.models import OutboxItem

    due_now, seconds = seed_due_index(world, future, due)
    nothing_due = sweep_runs(runs)
    write_items(due_now)
    with_due = sweep_runs(runs)
    with OutboxItem.batch_write() as batch:  # out of the way of part 2's sweeps
        for item in due_now:
            batch.delete(item)
    return {
        "future_bookings": future,
        "pending_items": 2 * future,
        "due": due,
        "seed_seconds": round(seconds, 1),
        "nothing_due": nothing_due,
        "with_due": with_due,
    }


# ---------------------------------------------------------------- 2. delivery throughput


def book(world: World, count: int, rng: random.Random, *, email: str | None) -> list[float]:
    """``count`` bookings through ``booking_create``, one after another; returns each one's seconds."""
    from access.permissions import Actor
    from booking import services

    actor = Actor.system(tenant_id=world.tenant_id)
    seconds = []
    for index, candidate in enumerate(plan_bookings(world, count, rng)):
        if STOP.is_set():
            raise KeyboardInterrupt
        patient = services.PatientDetails(name=f"Paciente {index}", email=email or "", phone=PHONE)
        began = time.perf_counter()
        services.booking_create(
            tenant_id=world.tenant_id,
            treatment_id=candidate.treatment_id,
            professional_id=candidate.professional_id,
            start=candidate.start,
            patient=patient,
            actor=actor,
        )
        seconds.append(time.perf_counter() - began)
    return seconds


def mail_count(directory: Path) -> int:
    return sum(1 for _ in directory.glob("*.eml"))


def deliver_with(
    workers: int, *, world: World, messages: int, env: dict[str, str], tmp: Path, rng: random.Random
) -> dict[str, Any]:
    from notifications import services
    from notifications.tasks import deliver_outbox_item

    mail = Path(env["BENCH_MAIL_DIR"])
    book(world, messages, rng, email="bench@paciente.example")
    processes = [
        devservers.start_celery(
            "worker",
            env=env,
            log=tmp / f"worker-{workers}-{n}.log",
            hostname=f"bench{workers}-{n}@%h",
            new_session=True,
        )
        for n in range(workers)
    ]
    try:
        before = mail_count(mail)
        began = time.perf_counter()
        handed = services.outbox_sweep(
            now=dt.datetime.now(dt.UTC), deliver=lambda t, i: deliver_outbox_item.delay(t, i)
        )
        swept = time.perf_counter() - began
        deadline = time.monotonic() + 300
        while mail_count(mail) - before < messages and time.monotonic() < deadline:
            time.sleep(0.02)
        elapsed = time.perf_counter() - began
        time.sleep(2)  # anything sent twice would be here by now
        received = mail_count(mail) - before
    finally:
        for process in processes:
            devservers.stop(process)
    return {
        "workers": workers,
        "messages": messages,
        "handed": handed,
        "received": received,
        "sweep_seconds": round(swept, 2),
        "seconds": round(elapsed, 2),
        "per_second": round(messages / elapsed, 1),
    }


# ---------------------------------------------------------------- 3. cost on booking


def part_booking(world: World, bookings: int, rng: random.Random) -> dict[str, Any]:
    from nexioq.dynamo import count_requests
    from notifications.tasks import outbox_kick

    on: list[float] = []
    off: list[float] = []
    for block in range(math.ceil(2 * bookings / BLOCK)):
        if block % 2 == 0:
            on += book(world, BLOCK, rng, email="bench@paciente.example")
        else:
            off += book(world, BLOCK, rng, email=None)
    with count_requests() as counted_on:
        book(world, 1, rng, email="bench@paciente.example")
    with count_requests() as counted_off:
        book(world, 1, rng, email=None)
    kicks = []
    for _ in range(50):
        began = time.perf_counter()
        assert outbox_kick()
        kicks.append((time.perf_counter() - began) * 1000)
    return {
        "on": {"bookings": len(on), "per_second": round(len(on) / sum(on), 1), **ms([s * 1000 for s in on])},
        "off": {"bookings": len(off), "per_second": round(len(off) / sum(off), 1), **ms([s * 1000 for s in off])},
        "requests_on": counted_on.value,
        "requests_off": counted_off.value,
        "request_kinds": dict(Counter(counted_on.operations)),
        "kick": ms(kicks),
    }


# ---------------------------------------------------------------- report


def markdown(r: dict[str, Any]) -> str:
    s, b = r["sweep"], r["booking"]
    lines = [
        "## Notifications",
        "",
        f"**Sweep cost** ({s['future_bookings']:,} future bookings: {s['pending_items']:,} reminders pending on "
        f"the due index, written directly; {r['runs']} sweeps after 2 warm-ups):",
        "",
        "| due now | DynamoDB requests per sweep | items handed over | p50 | p95 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for key, due in (("nothing_due", 0), ("with_due", s["due"])):
        row = s[key]
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(row["kinds"].items()))
        lines.append(
            f"| {due} | {row['requests']} ({kinds}) | {row['handed']} | {row['p50_ms']} ms | {row['p95_ms']} ms |"
        )
    lines += [
        "",
        "**Delivery throughput** (confirmations of real bookings, the sweep handing them to Celery through "
        "Redis, solo-pool worker processes sending by SMTP to the sink process):",
        "",
        "| workers | messages | received by the sink | seconds | messages/s |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in r["delivery"]:
        lines.append(
            f"| {row['workers']} | {row['messages']} | {row['received']} | {row['seconds']} | {row['per_second']} |"
        )
    lines += [
        "",
        "**Cost on booking** (`booking_create`, one thread, alternating blocks of 20 in the same clinic; "
        "on = patient with an e-mail: confirmation and 2 reminders in the same transaction; off = phone "
        "patient without one: no outbox items):",
        "",
        "| notifications | bookings | bookings/s | p50 | p95 |",
        "| --- | --- | --- | --- | --- |",
        f"| on | {b['on']['bookings']} | {b['on']['per_second']} | {b['on']['p50_ms']} ms | {b['on']['p95_ms']} ms |",
        f"| off | {b['off']['bookings']} | {b['off']['per_second']} | {b['off']['p50_ms']} ms | {b['off']['p95_ms']} ms |",
        "",
        f"Requests per booking: {b['requests_on']} on, {b['requests_off']} off "
        f"({', '.join(f'{n} {k}' for k, n in sorted(b['request_kinds'].items()))}): the messages ride in "
        "the booking's own transaction. The view's kick "
        f"(`outbox_kick`, one task into Redis): p50 {b['kick']['p50_ms']} ms, p95 {b['kick']['p95_ms']} ms.",
        "",
        f"{r['machine']}.",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--future", type=int, default=10000, help="future bookings whose reminders are pending")
    parser.add_argument("--due", type=int, default=100, help="reminders due at the sweep")
    parser.add_argument("--runs", type=int, default=20, help="measured sweeps")
    parser.add_argument("--messages", type=int, default=300, help="messages delivered per worker count")
    parser.add_argument("--bookings", type=int, default=300, help="bookings per side of part 3")
    args = parser.parse_args()
    rng = random.Random(42)
    started: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="nexioq-bench-notifications-") as tmp_name:
            tmp = Path(tmp_name)
            mail_port = devservers.free_port()
            started.append(devservers.start_mail_sink(port=mail_port, directory=tmp / "mail"))
            stack = Stack(tmp, ServerOptions())
            try:
                stack.start_storage()  # with its Redis, the broker of this process and of the workers
                redis_url = stack.env["CELERY_BROKER_URL"]
                env = stack.env | {
                    "CELERY_BROKER_URL": redis_url,
                    "CELERY_RESULT_BACKEND": redis_url,
                    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                    "EMAIL_HOST": "127.0.0.1",
                    "EMAIL_PORT": str(mail_port),
                    "PYTHONUNBUFFERED": "1",
                    "BENCH_MAIL_DIR": str(tmp / "mail"),
                }
                world = world_new(label="notifications", professionals=PROFESSIONALS)
                sweep = part_sweep(world, args.future, args.due, args.runs)
                delivery = [
                    deliver_with(n, world=world, messages=args.messages, env=env, tmp=tmp, rng=rng) for n in (1, 2)
                ]
                booking = part_booking(world, args.bookings, rng)
            finally:
                stack.stop()
                for process in reversed(started):
                    devservers.stop(process)
    except KeyboardInterrupt:
        print("interrupted; the servers this run started are stopped", file=sys.stderr)
        return 130
    results = {
        "runs": args.runs,
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}, DynamoDB Local in memory, "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "sweep": sweep,
        "delivery": delivery,
        "booking": booking,
    }
    print(markdown(results))
    print(json.dumps(results, indent=2, default=str), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
