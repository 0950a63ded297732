"""Benchmark of the public booking path: availability reads and the booking wizard over HTTP.

What it measures, on a private, throw-away stack bound to loopback:

* Setup: DynamoDB Local in memory on a free port, ``manage.py dynamo_table`` and ``migrate`` (sessions
  live in a temporary SQLite file), then, in-process, one clinic (America/Bogota, no notice, 15-minute
  grid, 120 days ahead) with 3 professionals (Mon-Sat, lunch break), 3 treatments (30/45/60 min, some
  buffers) and 1,000 confirmed bookings at random offered starts over the next ~3 months, written with
  ``booking_create`` from 8 threads. The seed time is reported.
* The app runs under gunicorn (2 workers x 8 threads, DEBUG off) on a free loopback port.
* Availability: sequential GETs of ``availability.json`` for one professional and one week, the week
  start varying over the seeded range, after one warm-up call. DynamoDB requests per response come
  from the ``X-Dynamo-Requests`` header (counted by the app); latencies are client-measured on loopback.
* Booking, the full wizard as a signed-in patient (GET the page for the CSRF cookie, POST hold, POST
  details; signing in happens before the clock starts): first one
  client books at distinct free times, then 16 concurrent clients (threads, one ``requests.Session``
  each) race over every offered start of a few days, so holds collide (409).
* Invariant: every booking of the clinic is read back and overlapping pairs of confirmed bookings per
  professional over [blocked_start, blocked_end) are counted.
* Where the two cores go: CPU seconds per phase of DynamoDB Local, gunicorn, this process, other
  processes on the machine and idle time (from /proc; the machine may be shared).

Exits non-zero on any overlap, any unexpected HTTP status, a sequential conflict or a booking count
that does not add up. Prints a Markdown table and writes bench/results/latest.md and latest.json.

    .venv/bin/python bench/bench_booking.py [--quick]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import math
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from nexioq import devservers  # noqa: E402  (imports no Django: safe before settings)

TABLE = "nexioq-bench"
SEED_DAYS = 90  # bookings are seeded on local days today+1 .. today+SEED_DAYS
CLIENTS = 16
PHONE = "300 123 4567"
Candidate = tuple[Any, Any, dt.datetime]  # treatment, professional, start (UTC)
STOP = threading.Event()  # set on Ctrl-C/SIGTERM: worker threads stop at their next step


@dataclass
class World:
    clinic: Any
    treatments: list[Any]
    professionals: list[Any]
    today: dt.date


@dataclass
class Attempt:
    outcome: str  # "booked", "conflict" or "other:<step>:<status>"
    seconds: float
    dynamo: dict[str, int] = field(default_factory=dict)  # wizard step -> X-Dynamo-Requests


def pct(values: list[float], q: int) -> float:
    """Nearest-rank percentile (NaN when empty)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * q / 100) - 1)] if ordered else float("nan")


def median(values: list[int] | list[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


# ---------------------------------------------------------------- seeding (in-process, after django.setup)


def seed_world() -> World:
    from django.utils import timezone

    from clinics import services as cs
    from clinics.clinic_settings import ClinicSettings

    slug = f"bench-{uuid.uuid4().hex[:8]}"
    clinic = cs.clinic_create(
        slug=slug,
        settings=ClinicSettings(
            name="Clínica Bench", time_zone="America/Bogota", min_notice_minutes=0, max_advance_days=120
        ),
    )
    tid = clinic.tenant_id
    specs = [("Valoración", 30, 0, 0, 60000), ("Limpieza", 45, 0, 15, 120000), ("Resina", 60, 10, 10, 180000)]
    treatments = [
        cs.treatment_create(
            tenant_id=tid, name=n, duration_minutes=m, buffer_before_minutes=b, buffer_after_minutes=a, price=p
        )
        for n, m, b, a, p in specs
    ]
    shifts = [
        ("08:00", "12:00", "13:00", "18:00"),
        ("07:00", "12:30", "14:00", "17:00"),
        ("09:00", "13:00", "14:00", "19:00"),
    ]
    professionals = [
        cs.professional_create(
            tenant_id=tid,
            name=f"Dr. Bench {i}",
            weekly_hours={d: [(a, b), (c, e)] for d in range(6)},
            treatment_ids=[t.treatment_id for t in treatments],
        )
        for i, (a, b, c, e) in enumerate(shifts, start=1)
    ]
    today = timezone.now().astimezone(clinic.zone).date()
    return World(clinic=clinic, treatments=treatments, professionals=professionals, today=today)


def slots_for(world: World, treatment: Any, professional: Any, offset: int) -> list[Any]:
    from django.utils import timezone

    from booking import selectors

    day = world.today + dt.timedelta(days=offset)
    return selectors.availability(
        clinic=world.clinic,
        treatment=treatment,
        professionals=[professional],
        first_day=day,
        last_day=day,
        now=timezone.now(),
    )


def seed_bookings(world: World, total: int, workers: int = 8) -> int:
    from booking import services

    def worker(index: int) -> int:
        rng, made = random.Random(index), 0
        quota = total // workers + (index < total % workers)
        for _ in range(quota * 10):  # bounded; a full day or a lost race just moves on
            if STOP.is_set():
                break
            treatment, professional = rng.choice(world.treatments), rng.choice(world.professionals)
            slots = slots_for(world, treatment, professional, rng.randint(1, SEED_DAYS))
            # Up to 3 starts per read; one overlapping an earlier pick is refused (SlotUnavailable).
            for slot in rng.sample(slots, min(3, len(slots), quota - made)):
                patient = services.PatientDetails(name=f"Paciente {index}-{made}", email="p@example.com", phone=PHONE)
                try:
                    services.booking_create(
                        clinic=world.clinic,
                        treatment=treatment,
                        professional=professional,
                        start=slot.start,
                        patient=patient,
                    )
                    made += 1
                except (services.SlotUnavailable, services.NotOffered):
                    pass
            if made == quota:
                break
        return made

    with ThreadPoolExecutor(workers) as pool:
        return sum(pool.map(worker, range(workers)))


def disjoint_candidates(world: World, count: int, rng: random.Random) -> list[Candidate]:
    """Free starts whose blocked intervals (buffers included) never overlap each other."""
    from booking.selectors import spec_for
    from scheduling.availability import blocked_interval

    chosen: list[Candidate] = []
    taken: dict[str, list[tuple[dt.datetime, dt.datetime]]] = collections.defaultdict(list)
    for offset in rng.sample(range(1, SEED_DAYS + 1), SEED_DAYS):
        for professional in world.professionals:
            treatment = rng.choice(world.treatments)
            slots = slots_for(world, treatment, professional, offset)
            for slot in rng.sample(slots, min(3, len(slots))):
                lo, hi = blocked_interval(start=slot.start, treatment=spec_for(treatment))
                if all(hi <= a or b <= lo for a, b in taken[professional.professional_id]):
                    taken[professional.professional_id].append((lo, hi))
                    chosen.append((treatment, professional, slot.start))
                    if len(chosen) == count:
                        return chosen
    return chosen


# ---------------------------------------------------------------- HTTP clients


BENCH_PASSWORD = "bench-patient-password-2026"


def patient_session(base: str, index: int) -> requests.Session:
    """A signed-in patient (step 3 of the wizard needs one); signing in is not part of the timings."""
    from allauth.account.models import EmailAddress

    from accounts.models import User

    email = f"bench-patient-{index}@example.com"
    user, created = User.objects.get_or_create(email=email)
    if created:
        user.set_password(BENCH_PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=60)
    signed_in = session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": session.cookies.get("csrftoken", ""), "login": email, "password": BENCH_PASSWORD},
        allow_redirects=False,
        timeout=60,
    )
    if signed_in.status_code != 302:
        raise RuntimeError(f"bench patient could not sign in: HTTP {signed_in.status_code}")
    return session


def book(session: requests.Session, base: str, world: World, candidate: Candidate) -> Attempt:
    """One pass through the wizard; hold and confirm decide the outcome. Redirects are not followed."""
    began = time.perf_counter()
    treatment, professional, start = candidate
    pid, book_url = professional.professional_id, f"{base}/c/{world.clinic.slug}/book/{treatment.treatment_id}/"
    day = start.astimezone(world.clinic.zone).date().isoformat()
    responses = {"page": session.get(book_url, params={"professional": pid, "date": day}, timeout=60)}
    token = session.cookies.get("csrftoken", "")
    if responses["page"].status_code == 200:
        form = {"csrfmiddlewaretoken": token, "professional": pid, "start": start.strftime("%Y-%m-%dT%H:%M:%SZ")}
        responses["hold"] = session.post(book_url + "hold/", data=form, allow_redirects=False, timeout=60)
    if "hold" in responses and "/hold/" in responses["hold"].headers.get("Location", ""):
        token = session.cookies.get("csrftoken", token)
        details = {"csrfmiddlewaretoken": token, "name": "Paciente Bench", "phone": PHONE}
        url = urljoin(base, responses["hold"].headers["Location"])
        responses["confirm"] = session.post(url, data=details, allow_redirects=False, timeout=60)
    seconds = time.perf_counter() - began
    dynamo = {step: int(r.headers.get("X-Dynamo-Requests", -1)) for step, r in responses.items()}
    step, last = list(responses.items())[-1]
    if step == "confirm" and last.status_code == 302 and "/bookings/" in last.headers.get("Location", ""):
        return Attempt("booked", seconds, dynamo)
    if step != "page" and last.status_code == 409:
        return Attempt("conflict", seconds, dynamo)
    return Attempt(f"other:{step}:{last.status_code}", seconds, dynamo)


def bench_availability(base: str, world: World, count: int, rng: random.Random) -> dict[str, Any]:
    treatment, professional = world.treatments[1], world.professionals[0]
    url = f"{base}/c/{world.clinic.slug}/book/{treatment.treatment_id}/availability.json"
    session = requests.Session()

    def get(offset: int) -> requests.Response:
        start = (world.today + dt.timedelta(days=offset)).isoformat()
        return session.get(url, params={"professional": professional.professional_id, "start": start}, timeout=60)

    get(1).raise_for_status()  # warm-up
    latencies: list[float] = []
    dynamo: list[int] = []
    non_200 = slots = 0
    began = time.perf_counter()
    for _ in range(count):
        t0 = time.perf_counter()
        response = get(rng.randint(1, SEED_DAYS - 6))
        latencies.append((time.perf_counter() - t0) * 1000)
        dynamo.append(int(response.headers.get("X-Dynamo-Requests", -1)))
        non_200 += response.status_code != 200
        slots += len(response.json()["slots"]) if response.status_code == 200 else 0
    elapsed = time.perf_counter() - began
    return {
        "requests": count,
        "non_200": non_200,
        "mean_slots_per_week": slots / count,
        "dynamo": {
            "min": min(dynamo),
            "median": median(dynamo),
            "max": max(dynamo),
            "over_2": sum(d > 2 for d in dynamo),
        },
        "latency_ms": {"median": median(latencies), "p95": pct(latencies, 95), "p99": pct(latencies, 99)},
        "requests_per_s": count / elapsed,
    }


def summarize(attempts: list[Attempt], elapsed: float) -> dict[str, Any]:
    booked = [a for a in attempts if a.outcome == "booked"]
    latencies = [a.seconds * 1000 for a in booked]
    others = collections.Counter(a.outcome for a in attempts if a.outcome.startswith("other"))

    def dynamo(step: str, outcome: str) -> list[int]:
        return [a.dynamo[step] for a in attempts if a.outcome == outcome and step in a.dynamo]

    return {
        "attempts": len(attempts),
        "booked": len(booked),
        "conflicts": sum(a.outcome == "conflict" for a in attempts),
        "other": sum(others.values()),
        "other_detail": dict(others),
        "seconds": elapsed,
        "bookings_per_s": len(booked) / elapsed,
        "latency_ms": {"median": median(latencies), "p95": pct(latencies, 95)},
        "dynamo_median": {
            "page": median(dynamo("page", "booked")),
            "hold": median(dynamo("hold", "booked")),
            "hold_409": median(dynamo("hold", "conflict")),
            "confirm": median(dynamo("confirm", "booked")),
        },
        "dynamo_histogram": {
            f"{step}_{outcome}": dict(sorted(collections.Counter(dynamo(step, outcome)).items()))
            for step, outcome in [("hold", "booked"), ("hold", "conflict"), ("confirm", "booked")]
        },
    }


def bench_sequential(base: str, world: World, candidates: list[Candidate]) -> dict[str, Any]:
    session = patient_session(base, 0)
    began = time.perf_counter()
    attempts = [book(session, base, world, candidate) for candidate in candidates]
    return summarize(attempts, time.perf_counter() - began)


def shared_candidates(world: World, days: int, rng: random.Random) -> list[Candidate]:
    """Every offered start of every treatment and professional on a few days: they overlap each other."""
    weekdays = [o for o in range(1, SEED_DAYS + 1) if (world.today + dt.timedelta(days=o)).weekday() < 6]
    return [
        (treatment, professional, slot.start)
        for offset in rng.sample(weekdays, days)
        for treatment in world.treatments
        for professional in world.professionals
        for slot in slots_for(world, treatment, professional, offset)
    ]


def bench_concurrent(base: str, world: World, candidates: list[Candidate], per_client: int) -> dict[str, Any]:
    """16 clients, each trying its own random sample of the shared candidates, all starting together."""
    barrier = threading.Barrier(CLIENTS)
    # Signed in one after the other beforehand: SQLite takes one writer at a time.
    sessions = [patient_session(base, index + 1) for index in range(CLIENTS)]

    def client(index: int) -> list[Attempt]:
        picks = random.Random(1000 + index).sample(candidates, min(per_client, len(candidates)))
        session = sessions[index]
        barrier.wait(timeout=60)
        return [book(session, base, world, pick) for pick in picks if not STOP.is_set()]

    began = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        attempts = [a for batch in pool.map(client, range(CLIENTS)) for a in batch]
    return summarize(attempts, time.perf_counter() - began) | {"candidate_times": len(candidates)}


def overlap_check(world: World) -> dict[str, int]:
    """Read every booking back; count overlapping confirmed pairs per professional."""
    from booking.models import Booking, BookingStatus
    from nexioq import dynamo

    pk = dynamo.tenant_pk(world.clinic.tenant_id)
    bookings = list(Booking.query(pk, Booking.sk.startswith(dynamo.BOOKING_PREFIX), consistent_read=True))
    by_professional: dict[str, list[tuple[dt.datetime, dt.datetime]]] = collections.defaultdict(list)
    for b in bookings:
        if b.status == BookingStatus.CONFIRMED:
            by_professional[b.professional_id].append((b.blocked_start, b.blocked_end))
    overlaps = 0
    for intervals in by_professional.values():
        intervals.sort()
        for i, (_, end) in enumerate(intervals):
            for later_start, _ in intervals[i + 1 :]:  # sorted by start: stop at the first one after `end`
                if later_start >= end:
                    break
                overlaps += 1
    confirmed = sum(len(v) for v in by_professional.values())
    return {"bookings": len(bookings), "confirmed": confirmed, "overlapping_pairs": overlaps}


# ---------------------------------------------------------------- report and orchestration


class CpuMeter:
    """CPU seconds per phase: DynamoDB Local, gunicorn (master and workers), this process, and the whole
    machine busy and idle (other processes = busy minus ours). Linux /proc; zeros elsewhere."""

    def __init__(self) -> None:
        self.dynamodb_pid = self.gunicorn_pgid = 0
        self.phases: dict[str, dict[str, float]] = {}
        self.last, self.wall = self.sample(), time.perf_counter()

    def sample(self) -> dict[str, float]:
        used = {"dynamodb_local": 0.0, "gunicorn": 0.0, "bench": sum(os.times()[:2]), "busy": 0.0, "idle": 0.0}
        try:  # the whole machine: user nice system idle iowait irq softirq steal
            ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
            used["idle"] = (ticks[3] + ticks[4]) / os.sysconf("SC_CLK_TCK")
            used["busy"] = sum(ticks) / os.sysconf("SC_CLK_TCK") - used["idle"]
        except (OSError, ValueError, IndexError):
            pass
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                pid, fields = int(stat.parent.name), stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, ValueError, IndexError):
                continue  # gone meanwhile, or not Linux
            if pid == self.dynamodb_pid or (self.gunicorn_pgid and int(fields[2]) == self.gunicorn_pgid):
                key = "dynamodb_local" if pid == self.dynamodb_pid else "gunicorn"
                used[key] += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
        return used

    def phase(self, name: str) -> None:
        """Charge the time since the previous call to ``name`` (added up when a name repeats)."""
        now, wall = self.sample(), time.perf_counter()
        used = self.phases.setdefault(name, dict.fromkeys([*now, "wall"], 0.0))
        for key, value in [*((k, v - self.last[k]) for k, v in now.items()), ("wall", wall - self.wall)]:
            used[key] = round(used[key] + value, 1)
        self.last, self.wall = now, wall


def markdown(r: dict[str, Any]) -> str:
    m, seed, a, inv = r["machine"], r["seed"], r["availability"], r["invariant"]
    rows = [
        ("Machine", f"{m['cpus']} CPUs, Python {m['python']}, {m['platform']}; mode {r['mode']}"),
        (
            "Seed (in-process, 8 threads)",
            f"{seed['bookings']} bookings in {seed['seconds']:.1f} s ({seed['bookings'] / seed['seconds']:.1f}/s)",
        ),
        (
            "Availability: GETs (1 professional, 7 days)",
            f"{a['requests']} sequential, non-200 {a['non_200']}, {a['mean_slots_per_week']:.0f} slots/week on average",
        ),
        (
            "Availability: DynamoDB requests/response min / median / max",
            "{min} / {median:g} / {max} (target <= 2; {over_2} over)".format(**a["dynamo"]),
        ),
        (
            "Availability: latency median / p95 / p99 (client-side, loopback)",
            "{median:.1f} / {p95:.1f} / {p99:.1f} ms".format(**a["latency_ms"]),
        ),
        ("Availability: throughput (1 client)", f"{a['requests_per_s']:.1f} req/s"),
    ]
    for label, b in (("Sequential (1 client)", r["sequential"]), (f"Concurrent ({CLIENTS} clients)", r["concurrent"])):
        rows += [
            (
                f"{label}: attempts / booked / 409 / other",
                f"{b['attempts']} / {b['booked']} / {b['conflicts']} / {b['other']} {b['other_detail'] or ''}",
            ),
            (f"{label}: bookings/s", f"{b['bookings_per_s']:.2f} ({b['seconds']:.1f} s wall)"),
            (
                f"{label}: wizard latency per booking median / p95",
                "{median:.0f} / {p95:.0f} ms".format(**b["latency_ms"]),
            ),
            (
                f"{label}: DynamoDB req. median page / hold (302) / hold (409) / confirm",
                "{page:g} / {hold:g} / {hold_409:g} / {confirm:g}".format(**b["dynamo_median"]),
            ),
        ]
    rows += [
        (
            "Concurrent: shared candidate starts",
            f"{r['concurrent']['candidate_times']} over {r['sizes']['concurrent_days']} day(s)",
        ),
        ("Concurrent: DynamoDB req. histograms {requests: responses}", str(r["concurrent"]["dynamo_histogram"])),
        (
            "Bookings read back (expected)",
            f"{inv['bookings']} ({r['expected_bookings']}), confirmed {inv['confirmed']}",
        ),
        (
            "CPU s per phase: DynamoDB Local / gunicorn / bench / other processes / idle (wall s)",
            "; ".join(
                f"{k} {v['dynamodb_local']:.0f} / {v['gunicorn']:.0f} / {v['bench']:.0f} / "
                f"{max(0.0, v['busy'] - v['dynamodb_local'] - v['gunicorn'] - v['bench']):.0f} / {v['idle']:.0f} ({v['wall']:.0f})"
                for k, v in r["cpu"].items()
            ),
        ),
        ("Overlapping confirmed pairs per professional", f"{inv['overlapping_pairs']} (must be 0)"),
        ("Verdict", "PASS" if r["ok"] else "FAIL"),
    ]
    return "\n".join(["| Metric | Value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]) + "\n"


def start_gunicorn(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = devservers.free_port()
    command = [sys.executable, "-m", "gunicorn", "nexioq.wsgi", "-w", "2", "--threads", "8", "-b", f"127.0.0.1:{port}"]
    with log_path.open("wb") as log:  # its own session: Ctrl-C reaches us, and we stop the whole group
        process = subprocess.Popen(
            [*command, "--graceful-timeout", "5"], cwd=BASE_DIR, env=env, stdout=log, stderr=log, start_new_session=True
        )
    devservers.wait_for_port(port, process=process, timeout=60)
    return process, f"http://127.0.0.1:{port}"


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn's master and workers (the process group this script started)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def run(quick: bool, tmp: Path) -> dict[str, Any]:
    sizes = {"seed": 1000, "availability": 50 if quick else 300, "sequential": 30 if quick else 200}
    sizes |= {"concurrent_days": 1 if quick else 8, "attempts_per_client": 4 if quick else 16}
    rng = random.Random(42)
    dynamodb: subprocess.Popen[bytes] | None = None
    server: subprocess.Popen[bytes] | None = None
    cpu = CpuMeter()
    try:
        port = devservers.free_port()
        dynamodb = devservers.start_dynamodb_local(port=port, data_dir=None)
        cpu.dynamodb_pid = dynamodb.pid
        env = os.environ | {"DJANGO_SETTINGS_MODULE": "nexioq.settings", "DYNAMODB_TABLE": TABLE, "DEBUG": "false"}
        env |= {"DYNAMODB_ENDPOINT": f"http://127.0.0.1:{port}", "SQLITE_PATH": str(tmp / "identity.sqlite3")}
        env |= {"ALLOWED_HOSTS": "127.0.0.1", "HOLD_MINUTES": "10", "LOG_LEVEL": "ERROR"}
        for step in (["dynamo_table"], ["migrate", "--no-input"]):
            subprocess.run([sys.executable, "manage.py", *step], cwd=BASE_DIR, env=env, check=True, capture_output=True)
        os.environ.update(env)
        import django

        django.setup()
        from nexioq import dynamo

        dynamo.configure(host=env["DYNAMODB_ENDPOINT"], table_name=TABLE)
        world = seed_world()
        cpu.phase("setup")
        began = time.perf_counter()
        seed = {"bookings": seed_bookings(world, sizes["seed"]), "seconds": time.perf_counter() - began}
        print(f"seeded {seed['bookings']} bookings in {seed['seconds']:.1f} s", file=sys.stderr)
        cpu.phase("seed")
        server, base = start_gunicorn(env, tmp / "gunicorn.log")
        cpu.gunicorn_pgid = server.pid
        cpu.phase("prepare")  # gunicorn start and (below) candidate times, read in-process
        availability = bench_availability(base, world, sizes["availability"], rng)
        cpu.phase("availability")
        print(f"availability: {availability['requests_per_s']:.1f} req/s", file=sys.stderr)
        candidates = disjoint_candidates(world, sizes["sequential"], rng)
        cpu.phase("prepare")
        sequential = bench_sequential(base, world, candidates)
        cpu.phase("sequential")
        print(f"sequential: {sequential['booked']} booked", file=sys.stderr)
        candidates = shared_candidates(world, sizes["concurrent_days"], rng)
        cpu.phase("prepare")
        concurrent = bench_concurrent(base, world, candidates, sizes["attempts_per_client"])
        cpu.phase("concurrent")
        print(f"concurrent: {concurrent['booked']} booked", file=sys.stderr)
        if server.poll() is not None:
            raise RuntimeError("gunicorn died:\n" + (tmp / "gunicorn.log").read_text()[-3000:])
        invariant = overlap_check(world)
        expected = seed["bookings"] + sequential["booked"] + concurrent["booked"]
        errors = availability["non_200"] + sequential["other"] + sequential["conflicts"] + concurrent["other"]
        ok = invariant["overlapping_pairs"] == 0 and invariant["bookings"] == expected and errors == 0
        machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
        return {
            "mode": "quick" if quick else "full",
            "machine": machine,
            "sizes": sizes,
            "seed": seed,
            "availability": availability,
            "sequential": sequential,
            "concurrent": concurrent,
            "invariant": invariant,
            "expected_bookings": expected,
            "cpu": cpu.phases,
            "ok": ok and seed["bookings"] == sizes["seed"],
        }
    finally:
        if server is not None:
            stop_group(server)
        if dynamodb is not None:
            devservers.stop(dynamodb)


def interrupted(signum: int, frame: object) -> None:
    """Ctrl-C or SIGTERM: stop the worker threads and unwind, so ``run`` stops the servers."""
    STOP.set()
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer requests: a smoke run")
    args = parser.parse_args()
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    try:
        with tempfile.TemporaryDirectory(prefix="nexioq-bench-") as tmp:
            results = run(args.quick, Path(tmp))
    except KeyboardInterrupt:
        print("interrupted; the servers this run started are stopped", file=sys.stderr)
        return 130
    table = markdown(results)
    print(table)
    out = BASE_DIR / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.md").write_text(table)
    (out / "latest.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
