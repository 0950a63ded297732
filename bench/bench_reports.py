"""The cost of a 30-day report of a 20-professional clinic: DynamoDB requests, items read, latency.

    python -m bench.bench_reports [--bookings 3000] [--runs 20]

Starts its own DynamoDB Local and identity database (``bench/stack.py``, no app server), seeds one
clinic of 20 professionals (Mon-Sat with a lunch break) with bookings over the next 30 days through
``booking_create`` (``bench/seed.py``), cancels some and marks others attended or no-show, then
measures in this process:

- the figures (``office.reports.report_figures``) and the CSV's read (``report_bookings``), and
- the whole page and the whole CSV through Django (a signed-in Admin, templates included),

each ``--runs`` times after two warm-ups: requests and their kinds, items read, latency p50/p95.
Read capacity is estimated from the items' sizes (DynamoDB Local reports none): an eventually
consistent Query costs 0.5 RCU per 4 KB it reads, rounded up per Query. Prints Markdown.
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
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.seed import world_new
from bench.stack import STOP, ServerOptions, Stack

PROFESSIONALS = 20
DAYS = 30


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def timed(work: Callable[[], Any], runs: int) -> dict[str, Any]:
    from nexioq.dynamo import count_requests

    for _ in range(2):
        work()
    latencies: list[float] = []
    requests: list[int] = []
    kinds: Counter[str] = Counter()
    for _ in range(runs):
        with count_requests() as counted:
            began = time.perf_counter()
            work()
            latencies.append((time.perf_counter() - began) * 1000)
        requests.append(counted.value)
        kinds = Counter(counted.operations)
    return {
        "requests": max(requests),
        "requests_min": min(requests),
        "kinds": dict(kinds),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
    }


def seed(bookings: int, rng: random.Random) -> tuple[Any, dict[str, Any]]:
    """The clinic, with ``bookings`` spread over the next DAYS days; some cancelled, some marked."""
    from access.permissions import Actor
    from booking import services
    from booking.models import BookingStatus

    began = time.perf_counter()
    world = world_new(label="reports", professionals=PROFESSIONALS)
    actor = Actor.system(tenant_id=world.tenant_id)
    made = []
    for index in range(bookings):
        if STOP.is_set():
            raise KeyboardInterrupt
        professional = world.professionals[index % PROFESSIONALS]
        treatment = rng.choice(world.treatments)
        candidate = world.agenda.pick(rng, treatment.treatment_id, professional.professional_id, range(1, DAYS + 1))
        if candidate is None:
            raise RuntimeError(f"no free time left for booking {index}: seed fewer")
        made.append(
            services.booking_create(
                tenant_id=world.tenant_id,
                treatment_id=candidate.treatment_id,
                professional_id=candidate.professional_id,
                start=candidate.start,
                patient=services.PatientDetails(f"Paciente {index}", "p@example.com", "300 123 4567"),
                actor=actor,
            )
        )
    after = dt.datetime.now(dt.UTC) + dt.timedelta(days=DAYS + 2)
    outcomes: Counter[str] = Counter()
    for booking in made:
        roll = rng.random()
        if roll < 0.1:
            services.booking_cancel(tenant_id=world.tenant_id, booking_id=booking.booking_id, actor=actor)
            outcomes["cancelled"] += 1
        elif roll < 0.4:
            outcome = BookingStatus.NO_SHOW if roll < 0.15 else BookingStatus.ATTENDED
            services.booking_mark(
                tenant_id=world.tenant_id, booking_id=booking.booking_id, outcome=outcome, actor=actor, now=after
            )
            outcomes[outcome] += 1
    return world, {"bookings": len(made), **outcomes, "seconds": round(time.perf_counter() - began, 1)}


def estimated_rcu(world: Any, first_day: dt.date, last_day: dt.date) -> dict[str, Any]:
    """0.5 RCU per 4 KB per Query (eventually consistent), from the items' stored sizes."""
    from office.reports import report_bookings

    sizes: dict[dt.date, int] = defaultdict(int)
    for booking in report_bookings(clinic=world.clinic, first_day=first_day, last_day=last_day):
        day = booking.start.astimezone(world.clinic.zone).date()
        sizes[day] += len(json.dumps(booking.serialize()).encode())
    days = [first_day + dt.timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    per_query = [max(1, math.ceil(sizes[day] / 4096)) * 0.5 for day in days]
    return {
        "rcu": sum(per_query),
        "bytes": sum(sizes.values()),
        "largest_day_kb": round(max(sizes.values(), default=0) / 1024, 1),
    }


def measure(world: Any, runs: int) -> dict[str, Any]:
    from django.test import Client

    from access.models import Membership, Role
    from accounts.models import User
    from office.reports import report_bookings, report_figures

    first_day = world.today + dt.timedelta(days=1)
    last_day = first_day + dt.timedelta(days=DAYS - 1)
    clinic = world.clinic
    report = report_figures(clinic=clinic, first_day=first_day, last_day=last_day)
    user = User.objects.create_user(email="bench-admin@example.com")  # force_login: no password needed
    Membership.objects.create(user=user, tenant_id=world.tenant_id, role=Role.ADMIN)
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    query = f"?from={first_day.isoformat()}&to={last_day.isoformat()}"

    def page() -> None:
        response = client.get(f"/c/{clinic.slug}/reports/{query}")
        assert response.status_code == 200, response.status_code

    def export() -> None:
        response = client.get(f"/c/{clinic.slug}/reports/bookings.csv{query}")
        assert response.status_code == 200, response.status_code

    return {
        "range": f"{first_day} .. {last_day}",
        "bookings_in_range": report.total.bookings,
        "items_read": report.items_read,
        "read_capacity": estimated_rcu(world, first_day, last_day),
        "figures": timed(lambda: report_figures(clinic=clinic, first_day=first_day, last_day=last_day), runs),
        "csv_read": timed(lambda: report_bookings(clinic=clinic, first_day=first_day, last_day=last_day), runs),
        "page": timed(page, runs),
        "csv": timed(export, runs),
    }


def markdown(results: dict[str, Any]) -> str:
    m = results["measured"]
    rcu = m["read_capacity"]
    lines = [
        f"## Reports: {DAYS}-day report of a {PROFESSIONALS}-professional clinic",
        "",
        f"Seeded: {results['seeded']}. Range {m['range']}: {m['bookings_in_range']} bookings; "
        f"{m['items_read']} items read (agenda entries, professionals, treatments); estimated "
        f"{rcu['rcu']:g} RCU ({rcu['bytes'] / 1024:.0f} KB, largest day {rcu['largest_day_kb']} KB).",
        "",
        "| what | DynamoDB requests | p50 | p95 |",
        "| --- | --- | --- | --- |",
    ]
    for key, label in (
        ("figures", "figures (selector)"),
        ("csv_read", "CSV bookings (selector)"),
        ("page", "report page (Django, rendered)"),
        ("csv", "CSV download (Django)"),
    ):
        row = m[key]
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(row["kinds"].items()))
        lines.append(f"| {label} | {row['requests']} ({kinds}) | {row['p50_ms']} ms | {row['p95_ms']} ms |")
    lines += ["", f"{results['runs']} runs after 2 warm-ups, {results['machine']}."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bookings", type=int, default=3000, help="bookings seeded over the 30 days")
    parser.add_argument("--runs", type=int, default=20, help="measured runs of each request")
    args = parser.parse_args()
    rng = random.Random(42)
    try:
        with tempfile.TemporaryDirectory(prefix="nexioq-bench-reports-") as tmp:
            stack = Stack(Path(tmp), ServerOptions())
            try:
                stack.start_storage()
                world, seeded = seed(args.bookings, rng)
                measured = measure(world, args.runs)
            finally:
                stack.stop()
    except KeyboardInterrupt:
        print("interrupted; the servers this run started are stopped", file=sys.stderr)
        return 130
    results = {
        "seeded": ", ".join(f"{v} {k}" for k, v in seeded.items()),
        "runs": args.runs,
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}, DynamoDB Local in memory",
        "measured": measured,
    }
    print(markdown(results))
    print(json.dumps(measured, indent=2, default=str), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
