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
from dataclasses import dataclass, field
from typing import Any

import requests

from bench.patients import TIMEOUT, Attempt, Wizard
from bench.raw import Bare, Call, ScratchTransactions, Sent, recorded, time_first_query
from bench.report import ANY_WAYS, summary
from bench.seed import PHONE, SEED_DAYS, Candidate, World
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


# ---------------------------------------------------------------- 0. one booking, recorded


def recorded_booking(world: World, candidate: Candidate) -> dict[str, list[Call]]:
    """One booking through the wizard's views in-process (Django's test client, a patient signed
    in with force_login), with every DynamoDB request of each step recorded. The raw transactions
    are built to the size of its hold and confirm; ``request_costs`` replays its reads."""
    from django.test import Client

    from access.models import Membership, Role
    from accounts.models import User

    user, _ = User.objects.get_or_create(email="bench-recorded@example.com")
    # A returning patient: a first booking at a clinic also makes their record in its directory
    # (a Query and a transaction more, once), which is not the booking's own cost.
    Membership.objects.get_or_create(user=user, tenant_id=world.clinic.tenant_id, role=Role.PATIENT)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    url = f"/c/{world.slug}/book/{candidate.treatment_id}/"
    day = candidate.start.astimezone(world.clinic.zone).date().isoformat()
    page = {"professional": candidate.professional_id, "date": day}
    client.get(url, {"professional": candidate.professional_id})  # caches the slug, as the server has
    steps: dict[str, list[Call]] = {}
    with recorded() as steps["page"]:
        answer = client.get(url, page)
    if answer.status_code == 200:
        with recorded() as steps["hold"]:
            hold = {"professional": candidate.professional_id, "start": candidate.start.strftime("%Y-%m-%dT%H:%M:%SZ")}
            answer = client.post(url + "hold/", hold)
    if answer.status_code == 302:
        with recorded() as steps["confirm"]:
            answer = client.post(answer["Location"], {"name": "Paciente Bench", "phone": PHONE})
    if set(steps) != {"page", "hold", "confirm"} or answer.status_code != 302:
        raise RuntimeError(f"the recorded booking stopped after {list(steps)}: HTTP {answer.status_code}")
    world.booked["recorded booking"] = 1
    return steps


def request_costs(steps: dict[str, list[Call]], bare: Bare, cpu: CpuMeter, *, repeat: int) -> list[dict[str, Any]]:
    """Every read of the recorded booking replayed raw ``repeat`` times, alone: what each costs
    DynamoDB Local. (Its two transactions are measured by ``transactions``, on fresh keys.)"""
    costs = []
    for step, calls in steps.items():
        for index, call in enumerate(calls):
            if call.operation == "TransactWriteItems":
                continue
            block = f"request {step} {index}"
            with cpu.measure(block):
                sent = [bare.replay([call]) for _ in range(repeat)]
            costs.append(
                {
                    "step": step,
                    "request": call.operation,
                    "key_condition": call.params.get("KeyConditionExpression", ""),
                    "items": sent[0].items,
                    "scanned": sent[0].scanned,
                    "block": block,
                    "latency_ms": summary([s.ms for s in sent]),
                }
            )
    return costs


def at_rest(cpu: CpuMeter, seconds: float) -> None:
    """Nothing is asked of DynamoDB Local: what it burns anyway is charged to every block by its wall time."""
    with cpu.measure("at rest"):
        time.sleep(seconds)


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


@dataclass
class _WeekReads:
    """One clinic's share of the availability phase: its weeks, their recorded requests, what was measured."""

    world: World
    firsts: list[dt.date]
    calls: dict[dt.date, list[Call]]
    app_ms: list[float] = field(default_factory=list)
    raw_ms: list[float] = field(default_factory=list)
    dynamo: list[int] = field(default_factory=list)
    unexpected: list[int] = field(default_factory=list)
    slots: int = 0


def availability(
    base: str, worlds: Sequence[World], bare: Bare, cpu: CpuMeter, *, count: int, rng: random.Random
) -> list[dict[str, Any]]:
    """Sequential GETs of availability.json (one professional, one week) per clinic, each week also
    replayed raw. Clinics and raw/app alternate chunk by chunk, in a rotating order, so neither
    clinic nor the baseline always runs first or on a quieter moment."""
    reads = []
    for world in worlds:
        firsts = [world.today + dt.timedelta(days=rng.randint(1, SEED_DAYS - 6)) for _ in range(count)]
        reads.append(_WeekReads(world, firsts, {day: _availability_calls(world, day) for day in sorted(set(firsts))}))
    turns = [(r, raw) for r in reads for raw in (True, False)]
    with requests.Session() as session:
        for number, first in enumerate(range(0, count, 25)):
            for r, raw in turns[number % len(turns) :] + turns[: number % len(turns)]:
                if STOP.is_set():
                    break
                chunk = r.firsts[first : first + 25]
                with cpu.measure(f"availability {r.world.label}" + (" raw" if raw else "")):
                    if raw:
                        r.raw_ms += [bare.replay(r.calls[day]).ms for day in chunk]
                    else:
                        _availability_gets(base, session, r, chunk)
    return [_availability_result(r) for r in reads]


def _availability_gets(base: str, session: requests.Session, r: _WeekReads, days: Sequence[dt.date]) -> None:
    world = r.world
    url = f"{base}/c/{world.slug}/book/{world.wizard_treatment.treatment_id}/availability.json"
    for day in days:
        params = {"professional": world.professionals[0].professional_id, "start": day.isoformat()}
        began = time.perf_counter()
        response = session.get(url, params=params, timeout=TIMEOUT)
        r.app_ms.append((time.perf_counter() - began) * 1000)
        r.dynamo.append(int(response.headers.get("X-Dynamo-Requests", -1)))
        if response.status_code == 200:
            r.slots += len(response.json()["slots"])
        else:
            r.unexpected.append(response.status_code)


def _availability_result(r: _WeekReads) -> dict[str, Any]:
    operations = collections.Counter(tuple(c.operation for c in calls) for calls in r.calls.values())
    return {
        "clinic": r.world.label,
        "professionals": len(r.world.professionals),
        "bookings": r.world.seeded,
        "responses": len(r.app_ms),
        "unexpected_statuses": r.unexpected,
        "slots_per_week": r.slots / max(1, len(r.app_ms)),
        "dynamo_requests": {"min": min(r.dynamo), "median": summary(r.dynamo)["median"], "max": max(r.dynamo)},
        "raw_operations": [" + ".join(ops) + f" x{n}" for ops, n in operations.items()],
        "latency_ms": summary(r.app_ms),
        "raw_ms": summary(r.raw_ms),
    }


# ---------------------------------------------------------------- 2. "any professional"


@dataclass
class AnySample:
    """One range to read for every candidate, with the requests each way of reading it sends."""

    start: dt.datetime
    end: dt.datetime
    per_professional: list[Call]  # one cell Query per candidate
    agenda: list[Call]  # the app's one Query of the clinic agenda (and its pages)
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
    with recorded() as agenda:
        selectors.occupied_from_agenda(
            tenant_id=world.tenant_id, professional_ids=ids, start=start, end=end, now=timezone.now()
        )
    time_first = time_first_query(scratch_pk=scratch_pk, professional_ids=ids, start=start, end=end)
    return AnySample(start, end, calls, agenda, time_first)


def any_professional(
    world: World, bare: Bare, cpu: CpuMeter, *, samples: int, rng: random.Random, scratch_pk: str
) -> dict[str, Any]:
    """Reading every candidate's occupied time for a day and a week, several ways, against one professional's Query."""
    from django.utils import timezone

    from booking import selectors

    ids = [p.professional_id for p in world.professionals]

    def in_process(sample: AnySample) -> Sent:
        """The app's way for several candidates: selectors.availability reads the clinic agenda."""
        began = time.perf_counter()
        selectors.occupied_from_agenda(
            tenant_id=world.tenant_id, professional_ids=ids, start=sample.start, end=sample.end, now=timezone.now()
        )
        return Sent(ms=(time.perf_counter() - began) * 1000, requests=len(sample.agenda))

    def cells_side_by_side(sample: AnySample) -> Sent:
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
            "agenda": lambda s: bare.replay(s.agenda),
            "cells_side_by_side": cells_side_by_side,
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
    bookings = list(
        Booking.query(pk, Booking.sk.between(*dynamo.prefix_range(dynamo.BOOKING_PREFIX)), consistent_read=True)
    )
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
