"""Benchmark of the staff calendar's events feed: one week of a 20-professional clinic with 7,000 bookings.

    .venv/bin/python bench/bench_calendar.py [--quick] [--calls 200]     (make bench-calendar; part of make bench)

On the same private stack as bench/bench_booking.py (DynamoDB Local in memory, the app under
gunicorn with X-Dynamo-Requests on): one clinic is seeded through ``booking_create`` with 20
professionals and 7,000 bookings over the next 90 days (2,100 with --quick). A receptionist then
asks for random weeks of the whole clinic, and of one professional (the filter, a dentist's own
agenda), as FullCalendar does: first without an ETag (a full answer: two DynamoDB requests),
then again with the ETag it got (304, no DynamoDB request while nothing changed).

Prints a Markdown report and writes bench/results/calendar.md and calendar.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench import seed  # noqa: E402
from bench.stack import STOP, ServerOptions, Stack  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results"
# The change marker must be older than this before an answer's ETag is remembered (office/views/agenda.py).
SETTLE_SECONDS = 2.5


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def receptionist(world: seed.World) -> Any:
    """A requests session of a receptionist of the clinic (force_login in the server's session store)."""
    import requests
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.test import Client

    from access.models import Membership, Role
    from accounts.models import User

    email = "bench-reception@example.com"
    user, created = User.objects.get_or_create(email=email)
    if created:
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Membership.objects.get_or_create(user=user, tenant_id=world.tenant_id, role=Role.RECEPTION)
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return session


def weeks(world: seed.World, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """Monday-to-Monday weeks inside the seeded days, as FullCalendar sends them (local, with offset)."""
    zone = world.clinic.zone
    first_monday = world.today + dt.timedelta(days=7 - world.today.weekday())
    mondays = [first_monday + dt.timedelta(weeks=i) for i in range(seed.SEED_DAYS // 7 - 1)]
    picked = [rng.choice(mondays) for _ in range(count)]
    return [
        (
            dt.datetime.combine(day, dt.time(0), tzinfo=zone).isoformat(),
            dt.datetime.combine(day + dt.timedelta(days=7), dt.time(0), tzinfo=zone).isoformat(),
        )
        for day in picked
    ]


def measure(session: Any, url: str, ranges: list[tuple[str, str]], *, etags: dict[str, str] | None) -> dict[str, Any]:
    latencies, requests_per_call, statuses, events = [], [], [], []
    for start, end in ranges:
        query = url + "?" + urlencode({"start": start, "end": end})
        headers = {"If-None-Match": etags[query]} if etags is not None and query in etags else {}
        began = time.perf_counter()
        response = session.get(query, headers=headers, timeout=60)
        latencies.append((time.perf_counter() - began) * 1000)
        statuses.append(response.status_code)
        requests_per_call.append(int(response.headers.get("X-Dynamo-Requests", "-1")))
        if response.status_code == 200:
            events.append(len(response.json()))
            if etags is not None:
                etags[query] = response.headers["ETag"]
    return {
        "calls": len(ranges),
        "statuses": sorted(set(statuses)),
        "dynamodb_requests": {"min": min(requests_per_call), "max": max(requests_per_call)},
        "dynamodb_requests_all": requests_per_call,
        "events_per_week": round(statistics.mean(events)) if events else 0,
        "latency_ms": {
            "p50": round(percentile(latencies, 0.50), 1),
            "p95": round(percentile(latencies, 0.95), 1),
            "max": round(max(latencies), 1),
        },
    }


def run(*, quick: bool, calls: int, tmp: Path) -> dict[str, Any]:
    rng = random.Random(8)
    # One worker process: its cache is then shared by every request, as Redis shares it between
    # the workers of a deployment (without REDIS_URL each worker would keep its own change marker).
    stack = Stack(tmp, ServerOptions(workers=1))
    results: dict[str, Any] = {"mode": "quick" if quick else "full", "calls": calls}
    try:
        stack.start_storage()
        world = seed.world_new(label="20 professionals", professionals=20)
        plan = seed.plan_bookings(world, 2100 if quick else 7000, rng)
        done = seed.seed_bookings(world, plan, STOP)
        results["seeded"] = done.bookings
        print(f"seeded {done.bookings} bookings in {done.seconds:.1f} s", file=sys.stderr)
        stack.start_app()
        session = receptionist(world)
        url = f"{stack.base}/c/{world.slug}/agenda/events.json"
        one = world.professionals[0].professional_id
        samples = weeks(world, calls, rng)
        measure(session, url, samples[:10], etags=None)  # warm-up: connections, the slug cache, both workers
        time.sleep(SETTLE_SECONDS)
        results["clinic_week"] = measure(session, url, samples, etags=None)
        etags: dict[str, str] = {}
        measure(session, url, samples, etags=etags)  # remembers each week's ETag, server and client side
        results["clinic_week_304"] = measure(session, url, samples, etags=etags)
        results["professional_week"] = measure_filtered(session, url, one, samples)
    finally:
        stack.stop()
    return results


def measure_filtered(session: Any, url: str, professional_id: str, ranges: list[tuple[str, str]]) -> dict[str, Any]:
    """One professional's weeks: the filter, and what a dentist's own agenda costs."""
    latencies, requests_per_call = [], []
    for start, end in ranges:
        query = url + "?" + urlencode({"start": start, "end": end, "professional": professional_id})
        began = time.perf_counter()
        response = session.get(query, timeout=60)
        latencies.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.text[:200]
        requests_per_call.append(int(response.headers.get("X-Dynamo-Requests", "-1")))
    return {
        "calls": len(ranges),
        "dynamodb_requests": {"min": min(requests_per_call), "max": max(requests_per_call)},
        "latency_ms": {"p50": round(percentile(latencies, 0.50), 1), "p95": round(percentile(latencies, 0.95), 1)},
    }


def markdown(results: dict[str, Any]) -> str:
    rows = [
        ("Whole clinic, one week (200)", results["clinic_week"]),
        ("Whole clinic, one week, unchanged (304)", results["clinic_week_304"]),
        ("One professional, one week (200)", results["professional_week"]),
    ]
    lines = [
        f"# Calendar events feed ({results['mode']} run: {results['seeded']} bookings, 20 professionals)",
        "",
        "| Call | Calls | DynamoDB requests per call | p50 ms | p95 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in rows:
        low, high = r["dynamodb_requests"]["min"], r["dynamodb_requests"]["max"]
        cost = str(low) if low == high else f"{low}-{high}"
        lines.append(f"| {name} | {r['calls']} | {cost} | {r['latency_ms']['p50']} | {r['latency_ms']['p95']} |")
    lines.append("")
    lines.append(f"Events per week of the whole clinic: {results['clinic_week']['events_per_week']}.")
    return "\n".join(lines) + "\n"


def interrupted(signum: int, frame: object) -> None:
    """Ctrl-C or SIGTERM: stop the seed threads and unwind, so ``run`` stops the servers."""
    STOP.set()
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2,100 bookings and fewer calls: a smoke run")
    parser.add_argument("--calls", type=int, default=None, help="weeks asked for per measurement (default 200)")
    args = parser.parse_args()
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    calls = args.calls or (40 if args.quick else 200)
    with tempfile.TemporaryDirectory(prefix="nexioq-bench-calendar-") as tmp:
        results = run(quick=args.quick, calls=calls, tmp=Path(tmp))
    text = markdown(results)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "calendar.md").write_text(text)
    (RESULTS / "calendar.json").write_text(json.dumps(results, indent=2) + "\n")
    # The feed's promises: at most two requests for any week, none while nothing changed.
    too_many = results["clinic_week"]["dynamodb_requests"]["max"] > 2
    return 1 if too_many or results["clinic_week_304"]["dynamodb_requests"]["max"] != 0 else 0


if __name__ == "__main__":
    raise SystemExit(main())
