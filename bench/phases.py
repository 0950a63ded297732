"""The measured phases, in the order a run calls them.

Each phase measures the app and, in the same run and as close in time as it can, the raw
DynamoDB work it is compared with (``bench.raw``), interleaved in chunks so a busy moment of the
machine lands on both. CPU is charged per block with ``CpuMeter.measure``; every result is a plain
dict that ``bench.report`` renders and ``latest.json`` keeps.
"""

from __future__ import annotations

import collections
import datetime as dt
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import requests

from bench.patients import TIMEOUT, Attempt, Wizard
from bench.raw import Bare, Call, ScratchTransactions, Sent, recorded, time_first_query
from bench.report import ANY_WAYS, summary
from bench.seed import SEED_DAYS, Candidate, World
from bench.stack import STOP, CpuMeter

# "Any professional" samples its ranges from the first weeks only: the time-first copy covers them.
ANY_WINDOW_DAYS = 21


def chunks[T](items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for first in range(0, len(items), size):
        yield items[first : first + size]


def together[T](count: int, work: Callable[[int], T]) -> tuple[list[T], float]:
    """``work(0..count-1)`` on ``count`` threads released at once; results, and seconds from release to the last."""
    released: list[float] = []
    barrier = threading.Barrier(count, action=lambda: released.append(time.perf_counter()))

    def run(index: int) -> T:
        barrier.wait(timeout=TIMEOUT)
        return work(index)

    with ThreadPoolExecutor(count) as pool:
        try:
            results = [future.result() for future in [pool.submit(run, i) for i in range(count)]]
        except BaseException:
            STOP.set()
            barrier.abort()
            raise
    return results, time.perf_counter() - released[0]


def warm_up(base: str, worlds: Sequence[World]) -> None:
    """Import, connect and cache the slug in every app worker: new connections land on any of them."""

    def visit(index: int) -> None:
        world = worlds[index % len(worlds)]
        treatment, professional = world.wizard_treatment, world.professionals[0]
        url = f"{base}/c/{world.slug}/book/{treatment.treatment_id}/"
        with requests.Session() as session:
            session.get(url, params={"professional": professional.professional_id}, timeout=TIMEOUT).raise_for_status()
            session.get(
                url + "availability.json", params={"professional": professional.professional_id}, timeout=TIMEOUT
            )

    for _ in range(2):
        together(16, visit)


# ---------------------------------------------------------------- 1. availability of one professional


def _availability_calls(world: World, first_day: dt.date) -> list[Call]:
    """The requests the availability view makes for one professional and one week, recorded in-process."""
    from django.utils import timezone

    from booking import selectors
    from clinics.selectors import clinic_context

    treatment, professional = world.wizard_treatment, world.professionals[0]
    with recorded() as calls:
        context = clinic_context(
            tenant_id=world.tenant_id,
            treatment_id=treatment.treatment_id,
            professional_id=professional.professional_id,
        )
        assert context.treatment is not None and context.professional is not None
        selectors.availability(
            clinic=context.clinic,
            treatment=context.treatment,
            professionals=[context.professional],
            first_day=first_day,
            last_day=first_day + dt.timedelta(days=6),
            now=timezone.now(),
        )
    return calls


def availability(
    base: str, world: World, bare: Bare, cpu: CpuMeter, *, count: int, rng: random.Random
) -> dict[str, Any]:
    """Sequential GETs of availability.json (one professional, one week), each week also replayed raw."""
    treatment, professional = world.wizard_treatment, world.professionals[0]
    url = f"{base}/c/{world.slug}/book/{treatment.treatment_id}/availability.json"
    firsts = [world.today + dt.timedelta(days=rng.randint(1, SEED_DAYS - 6)) for _ in range(count)]
    calls = {day: _availability_calls(world, day) for day in sorted(set(firsts))}
    operations = collections.Counter(tuple(c.operation for c in recorded_calls) for recorded_calls in calls.values())
    app_ms: list[float] = []
    raw_ms: list[float] = []
    dynamo: list[int] = []
    unexpected: list[int] = []
    slots = 0
    with requests.Session() as session:
        for chunk in chunks(firsts, 25):
            if STOP.is_set():
                break
            with cpu.measure(f"availability {world.label} raw"):
                raw_ms += [bare.replay(calls[day]).ms for day in chunk]
            with cpu.measure(f"availability {world.label}"):
                for day in chunk:
                    params = {"professional": professional.professional_id, "start": day.isoformat()}
                    began = time.perf_counter()
                    response = session.get(url, params=params, timeout=TIMEOUT)
                    app_ms.append((time.perf_counter() - began) * 1000)
                    dynamo.append(int(response.headers.get("X-Dynamo-Requests", -1)))
                    if response.status_code == 200:
                        slots += len(response.json()["slots"])
                    else:
                        unexpected.append(response.status_code)
    return {
        "clinic": world.label,
        "professionals": len(world.professionals),
        "bookings": world.seeded,
        "responses": len(app_ms),
        "unexpected_statuses": unexpected,
        "slots_per_week": slots / max(1, len(app_ms)),
        "dynamo_requests": {"min": min(dynamo), "median": summary(dynamo)["median"], "max": max(dynamo)},
        "raw_operations": [" + ".join(ops) + f" x{n}" for ops, n in operations.items()],
        "latency_ms": summary(app_ms),
        "raw_ms": summary(raw_ms),
    }


# ---------------------------------------------------------------- 2. "any professional"


@dataclass
class AnySample:
    """One range to read for every candidate, with the requests each way of reading it sends."""

    start: dt.datetime
    end: dt.datetime
    per_professional: list[Call]  # the app's Queries, one per candidate
    time_first: list[Call]  # one Query (and its pages) of the time-first copy


def _any_sample(world: World, first_day: dt.date, days: int, scratch_pk: str) -> AnySample:
    from django.utils import timezone

    from booking import selectors

    ids = [p.professional_id for p in world.professionals]
    spec = selectors.spec_for(world.wizard_treatment)
    start, end = selectors.local_day_bounds(world.clinic, first_day, first_day + dt.timedelta(days=days - 1))
    # The range selectors.availability reads: a start near midnight needs its buffers checked.
    start -= dt.timedelta(minutes=spec.buffer_before_minutes)
    end += dt.timedelta(minutes=spec.duration_minutes + spec.buffer_after_minutes)
    with recorded() as calls:
        selectors.occupied_by_professional(
            tenant_id=world.tenant_id, professional_ids=ids, start=start, end=end, now=timezone.now()
        )
    if len(calls) != len(ids):
        raise RuntimeError(f"expected one Query per candidate, recorded {len(calls)} for {len(ids)}")
    time_first = time_first_query(scratch_pk=scratch_pk, professional_ids=ids, start=start, end=end)
    return AnySample(start, end, calls, time_first)


def any_professional(
    world: World, bare: Bare, cpu: CpuMeter, *, samples: int, rng: random.Random, scratch_pk: str
) -> dict[str, Any]:
    """Reading every candidate's cells for a day and a week, four ways, against one professional's Query."""
    from django.utils import timezone

    from booking import selectors

    ids = [p.professional_id for p in world.professionals]

    def in_process(sample: AnySample) -> Sent:
        began = time.perf_counter()
        selectors.occupied_by_professional(
            tenant_id=world.tenant_id, professional_ids=ids, start=sample.start, end=sample.end, now=timezone.now()
        )
        return Sent(ms=(time.perf_counter() - began) * 1000, requests=len(ids))

    results: dict[str, Any] = {"clinic": world.label, "candidates": len(ids), "spans": {}}
    with ThreadPoolExecutor(selectors.CANDIDATE_READERS) as readers:
        ways: dict[str, Callable[[AnySample], Sent]] = {
            "baseline": lambda s: bare.replay(s.per_professional[:1]),
            "app": in_process,
            "parallel": lambda s: bare.replay_parallel(s.per_professional, readers),
            "sequential": lambda s: bare.replay(s.per_professional),
            "time_first": lambda s: bare.replay(s.time_first),
        }
        for span, days in (("day", 1), ("week", 7)):
            firsts = [
                world.today + dt.timedelta(days=rng.randint(1, ANY_WINDOW_DAYS - days + 1)) for _ in range(samples)
            ]
            prepared = [_any_sample(world, first, days, scratch_pk) for first in firsts]
            sent: dict[str, list[Sent]] = {way: [] for way in ways}
            for number, chunk in enumerate(chunks(prepared, 10)):
                if STOP.is_set():
                    break
                order = list(ANY_WAYS)  # the report labels every way by these keys
                order = order[number % len(order) :] + order[: number % len(order)]  # no way always goes first
                for way in order:
                    with cpu.measure(f"any {world.label} {span} {way}"):
                        sent[way] += [ways[way](sample) for sample in chunk]
            results["spans"][span] = {
                way: {
                    "latency_ms": summary([s.ms for s in parts]),
                    "requests": summary([s.requests for s in parts])["median"],
                    "items": summary([s.items for s in parts])["median"],
                    "scanned": summary([s.scanned for s in parts])["median"],
                    "calls": len(parts),
                }
                for way, parts in sent.items()
            }
    return results


# ---------------------------------------------------------------- raw transactions


def transactions(
    bare: Bare,
    scratch: ScratchTransactions,
    cpu: CpuMeter,
    *,
    sequential: int,
    clients: int,
    per_client: int,
    race: int,
) -> dict[str, Any]:
    """The raw cost of a booking's two writes: bare TransactWriteItems of the hold's and the
    confirmation's size, one client, ``clients`` at once, and ``race`` at once on the same cells."""
    sizes = scratch.sizes

    def pair() -> float:
        hold = bare.replay([scratch.fresh(sizes.hold)])
        confirm = bare.replay([scratch.fresh(sizes.confirm)])
        if not (hold.ok and confirm.ok):
            raise RuntimeError("a raw transaction on fresh keys was cancelled")
        return hold.ms + confirm.ms

    with cpu.measure("raw transactions, 1 client"):
        began = time.perf_counter()
        one = [pair() for _ in range(sequential) if not STOP.is_set()]
        one_wall = time.perf_counter() - began
    with cpu.measure(f"raw transactions, {clients} clients"):
        batches, wall = together(clients, lambda _: [pair() for _ in range(per_client) if not STOP.is_set()])
    many = [ms for batch in batches for ms in batch]
    contested = [scratch.contested(sizes.hold) for _ in range(race)]
    with cpu.measure(f"raw transactions, {race} on the same cells"):
        outcomes, _ = together(race, lambda index: bare.replay([contested[index]]))
    return {
        "hold_items": sizes.hold,
        "confirm_items": sizes.confirm,
        "sequential": {"pairs": len(one), "pairs_per_s": len(one) / one_wall, "latency_ms": summary(one)},
        "concurrent": {
            "clients": clients,
            "pairs": len(many),
            "pairs_per_s": len(many) / wall,
            "latency_ms": summary(many),
        },
        "race": {
            "attempts": race,
            "succeeded": sum(o.ok for o in outcomes),
            "latency_ms": summary([o.ms for o in outcomes]),
        },
    }


# ---------------------------------------------------------------- 3 and 4. the wizard


def _attempts_summary(attempts: list[Attempt], seconds: float) -> dict[str, Any]:
    booked = [a for a in attempts if a.outcome == "booked"]
    others = collections.Counter(a.outcome for a in attempts if a.outcome.startswith("other"))

    def steps(outcome: str) -> dict[str, float]:
        counted = collections.defaultdict(list)
        for attempt in attempts:
            if attempt.outcome == outcome:
                for step, requests_made in attempt.dynamo.items():
                    counted[step].append(requests_made)
        return {step: summary(values)["median"] for step, values in counted.items()}

    return {
        "attempts": len(attempts),
        "booked": len(booked),
        "conflicts": sum(a.outcome == "conflict" for a in attempts),
        "other": sum(others.values()),
        "other_detail": dict(others),
        "server_errors": sum(any(s >= 500 for s in a.statuses.values()) for a in attempts),
        "seconds": seconds,
        "bookings_per_s": len(booked) / seconds if seconds else 0.0,
        "latency_ms": summary([a.seconds * 1000 for a in booked]),
        "attempt_latency_ms": summary([a.seconds * 1000 for a in attempts]),
        "dynamo_per_step": steps("booked"),
        "dynamo_per_step_409": steps("conflict"),
        "dynamo_histogram": {
            f"{step} ({outcome})": dict(
                sorted(
                    collections.Counter(
                        a.dynamo[step] for a in attempts if a.outcome == outcome and step in a.dynamo
                    ).items()
                )
            )
            for step, outcome in [
                ("hold", "booked"),
                ("confirm", "booked"),
                ("hold", "conflict"),
                ("confirm", "conflict"),
            ]
        },
    }


def wizard_sequential(
    base: str, world: World, session: requests.Session, candidates: list[Candidate], cpu: CpuMeter
) -> dict[str, Any]:
    """One patient books distinct free times, one after the other."""
    wizard = Wizard(base, world)
    with cpu.measure("wizard, 1 client"):
        began = time.perf_counter()
        attempts = [wizard.book(session, c) for c in candidates if not STOP.is_set()]
        result = _attempts_summary(attempts, time.perf_counter() - began)
    world.booked["wizard, 1 client"] = result["booked"]
    return result


def wizard_concurrent(
    base: str, world: World, sessions: list[requests.Session], per_client: list[list[Candidate]], cpu: CpuMeter
) -> dict[str, Any]:
    """``len(sessions)`` patients at once, each on free times no other client tries: no one should get a 409."""
    wizard = Wizard(base, world)

    def client(index: int) -> list[Attempt]:
        return [wizard.book(sessions[index], c) for c in per_client[index] if not STOP.is_set()]

    name = f"wizard, {len(sessions)} clients"
    with cpu.measure(name):
        batches, seconds = together(len(sessions), client)
    result = _attempts_summary([a for batch in batches for a in batch], seconds)
    world.booked[name] = result["booked"]
    return result


def race_shared(
    base: str,
    world: World,
    sessions: list[requests.Session],
    candidates: list[Candidate],
    *,
    per_client: int,
    cpu: CpuMeter,
) -> dict[str, Any]:
    """Patients at once, each trying its own random sample of the same overlapping starts: holds collide (409)."""
    wizard = Wizard(base, world)

    def client(index: int) -> list[Attempt]:
        picks = random.Random(1000 + index).sample(candidates, min(per_client, len(candidates)))
        return [wizard.book(sessions[index], c) for c in picks if not STOP.is_set()]

    name = f"race, {len(sessions)} clients over shared times"
    with cpu.measure(name):
        batches, seconds = together(len(sessions), client)
    result = _attempts_summary([a for batch in batches for a in batch], seconds)
    world.booked[name] = result["booked"]
    return result | {"candidate_times": len(candidates)}


# ---------------------------------------------------------------- 5. everyone on one time


def race_one_time(
    base: str, world: World, sessions: list[requests.Session], candidate: Candidate, cpu: CpuMeter
) -> dict[str, Any]:
    """Every patient has the step-2 page loaded; released together, each holds the same time and,
    if the hold is theirs, confirms. Exactly one booking may come out of it."""
    from booking import selectors

    wizard = Wizard(base, world)
    with ThreadPoolExecutor(16) as pool:
        pages = list(pool.map(lambda session: wizard.page(session, candidate).status_code, sessions))
    if set(pages) != {200}:
        raise RuntimeError(f"step-2 page before the race: {collections.Counter(pages)}")
    # Each patient arrives on a new connection (keeping the cookies): a keep-alive connection left
    # idle since the page would be closed by gunicorn under the burst, and a POST is not retried.
    for session in sessions:
        session.close()
    name = f"race, {len(sessions)} patients on one time"
    with cpu.measure(name):
        attempts, seconds = together(len(sessions), lambda i: wizard.book(sessions[i], candidate, with_page=False))
    result = _attempts_summary(attempts, seconds)
    world.booked[name] = result["booked"]
    stored = [
        b
        for b in selectors.bookings_in_range(
            tenant_id=world.tenant_id,
            start=candidate.start,
            end=candidate.start + dt.timedelta(minutes=1),
            professional_id=candidate.professional_id,
        )
        if b.status == "confirmed"
    ]
    return result | {"bookings_at_that_time": len(stored)}


# ---------------------------------------------------------------- 6. the invariant, read back


def invariant(world: World) -> dict[str, Any]:
    """Every booking of the clinic read back; overlapping confirmed pairs per professional, buffers included."""
    from booking.models import Booking, BookingStatus
    from nexioq import dynamo

    pk = dynamo.tenant_pk(world.tenant_id)
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
    return {
        "clinic": world.label,
        "bookings": len(bookings),
        "expected": world.expected_bookings,
        "confirmed": sum(len(v) for v in by_professional.values()),
        "overlapping_pairs": overlaps,
    }
