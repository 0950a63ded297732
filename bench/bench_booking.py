"""Benchmark of the public booking path, every figure next to a raw DynamoDB baseline from the same run.

    .venv/bin/python bench/bench_booking.py [--quick] [--workers 2] [--threads 8]     (make bench)

On a private stack bound to loopback (bench/stack.py): DynamoDB Local in memory, the app under
gunicorn with X-Dynamo-Requests on and the hold rate limits raised. Two clinics are seeded
through ``booking_create`` (bench/seed.py): 3 professionals with 1,000 bookings and 20 with
7,000 over the next 90 days (a fifth of that with --quick). Then, in this order
(bench/phases.py):

1. availability.json of one professional for one week, sequential, in both clinics, each week
   also replayed raw (the app's BatchGetItem + Query, recorded in-process, sent by a bare client);
2. "any professional": every candidate's cells for a day and a week, read the app's way (one
   Query per candidate side by side), one after the other, and as one Query of a time-first
   copy of the cells, against one professional's Query;
   raw TransactWriteItems of the app's hold and confirm sizes: 1 client, 16 clients, and 200
   at once on the same cells;
3. the wizard (step-2 page, hold, confirm) as signed-in patients: 1 client, then 16 at once on
   distinct free times;
4. 16 clients racing over shared times;
5. 200 signed-in patients holding and confirming the same time at once;
6. every booking read back: no overlap, counts add up.

Prints a Markdown report and writes bench/results/latest.md and latest.json. Exits 1 on a
correctness failure (bench/report.py ``failures``); targets are reported as met or missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
# These import no Django; bench.phases and bench.raw read settings, so they are imported once
# the stack has set the environment.
from bench import report, seed  # noqa: E402
from bench.stack import STOP, CpuMeter, ServerOptions, Stack  # noqa: E402

if TYPE_CHECKING:
    from bench.raw import Bare, ScratchTransactions

RESULTS = BASE_DIR / "bench" / "results"
CLIENTS = 16
RACE_PATIENTS = 200


@dataclass(frozen=True)
class Sizes:
    small_bookings: int
    large_bookings: int
    availability: int  # GETs per clinic
    any_samples: int  # ranges per clinic and span
    sequential: int  # wizard bookings by one client
    per_client: int  # wizard bookings per client of the 16
    race_days: int  # days of shared times in the 16-client race
    race_per_client: int
    raw_pairs: int  # raw hold + confirm transactions, one client
    request_repeat: int  # replays of each read of the recorded booking

    @classmethod
    def of(cls, *, quick: bool) -> Sizes:
        if quick:
            return cls(300, 2100, 40, 10, 15, 4, 1, 4, 30, 20)
        return cls(1000, 7000, 300, 40, 100, 20, 8, 16, 200, 100)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller seed and fewer requests: a smoke run")
    parser.add_argument("--workers", type=int, default=ServerOptions.workers, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=ServerOptions.threads, help="threads per gunicorn worker")
    args = parser.parse_args()
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    options = ServerOptions(workers=args.workers, threads=args.threads)
    try:
        with tempfile.TemporaryDirectory(prefix="nexioq-bench-") as tmp:
            results = run(Sizes.of(quick=args.quick), options, Path(tmp))
    except KeyboardInterrupt:
        print("interrupted; the servers this run started are stopped", file=sys.stderr)
        return 130
    text = report.markdown(results)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(text)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    return 1 if results["failures"] else 0


def interrupted(signum: int, frame: object) -> None:
    """Ctrl-C or SIGTERM: stop the client threads and unwind, so ``run`` stops the servers."""
    STOP.set()
    raise KeyboardInterrupt


def run(sizes: Sizes, options: ServerOptions, tmp: Path) -> dict[str, Any]:
    rng = random.Random(42)
    stack = Stack(tmp, options)
    cpu = CpuMeter()
    results: dict[str, Any] = {
        "mode": "quick" if sizes.small_bookings < 1000 else "full",
        "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "sizes": asdict(sizes),
        "server": asdict(options),
        "cpu_units": {},
    }
    load_before = os.getloadavg()
    try:
        with cpu.measure("setup"):
            stack.start_storage()
        assert stack.dynamodb is not None
        cpu.watch(dynamodb_pid=stack.dynamodb.pid)
        small, large, setup = seed_clinics(sizes, rng, cpu, results)
        results["setup"] = setup
        results |= measure(stack, sizes, rng, cpu, small, large, results["cpu_units"])
    finally:
        stack.stop()
    results["cpu"] = {name: {k: round(v, 2) for k, v in used.items()} for name, used in cpu.blocks.items()}
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_before": " ".join(f"{x:.1f}" for x in load_before),
        "load_after": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    results["targets"] = report.targets(results)
    results["failures"] = report.failures(results)
    return results


def seed_clinics(
    sizes: Sizes, rng: random.Random, cpu: CpuMeter, results: dict[str, Any]
) -> tuple[seed.World, seed.World, dict[str, Any]]:
    """Both clinics, their bookings, and the time-first copy of the cells table 2 reads."""
    from bench import phases, raw
    from booking import selectors

    setup: dict[str, Any] = {"seed": {}}
    worlds = []
    for label, professionals, bookings in (
        ("3 professionals", 3, sizes.small_bookings),
        ("20 professionals", 20, sizes.large_bookings),
    ):
        world = seed.world_new(label=label, professionals=professionals)
        plan = seed.plan_bookings(world, bookings, rng)
        with cpu.measure(f"seed {label}"):
            done = seed.seed_bookings(world, plan, STOP)
        results["cpu_units"][f"seed {label}"] = (done.bookings, "booking")
        setup["seed"][label] = asdict(done) | {"planned": len(plan), "threads": seed.SEED_THREADS}
        print(f"seeded {label}: {done.bookings} bookings in {done.seconds:.1f} s", file=sys.stderr)
        worlds.append(world)
    began = time.perf_counter()
    for world in worlds:
        start, end = selectors.local_day_bounds(
            world.clinic, world.today, world.today + dt.timedelta(phases.ANY_WINDOW_DAYS + 1)
        )
        world.time_first_pk = raw.time_first_copy(
            tenant_id=world.tenant_id,
            professional_ids=[p.professional_id for p in world.professionals],
            start=start,
            end=end,
        )
    setup["time_first_seconds"] = time.perf_counter() - began
    return worlds[0], worlds[1], setup


def measure(
    stack: Stack,
    sizes: Sizes,
    rng: random.Random,
    cpu: CpuMeter,
    small: seed.World,
    large: seed.World,
    units: dict[str, Any],
) -> dict[str, Any]:
    """Phases 0 to 6, in order: the reads first, then everything that books."""
    from bench import phases, raw

    bare = raw.Bare(stack.endpoint)
    phases.at_rest(cpu, 5)
    units["at rest"] = (5, "second")
    booking = phases.recorded_booking(large, seed.disjoint_candidates(large, 1, rng)[0])
    out: dict[str, Any] = {"request_costs": phases.request_costs(booking, bare, cpu, repeat=sizes.request_repeat)}
    for cost in out["request_costs"]:
        units[cost["block"]] = (sizes.request_repeat, "request")
    stack.start_app()
    phases.warm_up(stack.base, [small, large])
    assert stack.app is not None
    cpu.watch(app_pgid=stack.app.pid)
    out |= measure_reads(stack, sizes, rng, cpu, bare, small, large, units)
    sizes_tx = raw.transaction_sizes(
        raw.only(booking["hold"], "TransactWriteItems"), raw.only(booking["confirm"], "TransactWriteItems")
    )
    out |= measure_bookings(stack, sizes, rng, cpu, raw.ScratchTransactions(sizes_tx), bare, small, large, units)
    stack.check_app_alive()
    out["invariant"] = [phases.invariant(world) for world in (small, large)]
    if any(out[key]["other"] for key in ("wizard_sequential", "wizard_concurrent", "race_shared", "race_one_time")):
        out["app_errors"] = stack.app_errors()
    return out


def measure_reads(
    stack: Stack,
    sizes: Sizes,
    rng: random.Random,
    cpu: CpuMeter,
    bare: Bare,
    small: seed.World,
    large: seed.World,
    units: dict[str, Any],
) -> dict[str, Any]:
    """1. one professional's week over HTTP; 2. every candidate's cells, four ways, in-process and raw."""
    from bench import phases

    out: dict[str, Any] = {"any_professional": []}
    out["availability"] = phases.availability(stack.base, [small, large], bare, cpu, count=sizes.availability, rng=rng)
    for a in out["availability"]:
        units[f"availability {a['clinic']}"] = units[f"availability {a['clinic']} raw"] = (a["responses"], "response")
        print(f"availability {a['clinic']}: median {a['latency_ms']['median']:.1f} ms", file=sys.stderr)
    for world in (small, large):
        a = phases.any_professional(
            world, bare, cpu, samples=sizes.any_samples, rng=rng, scratch_pk=world.time_first_pk
        )
        for span, ways in a["spans"].items():
            for way, s in ways.items():
                units[f"any {world.label} {span} {way}"] = (s["calls"], "call")
        out["any_professional"].append(a)
    return out


def measure_bookings(
    stack: Stack,
    sizes: Sizes,
    rng: random.Random,
    cpu: CpuMeter,
    scratch: ScratchTransactions,
    bare: Bare,
    small: seed.World,
    large: seed.World,
    units: dict[str, Any],
) -> dict[str, Any]:
    """The raw transactions, then 3. the wizard, 4. the shared-times race (smaller clinic), 5. the
    one-time race; the wizard and the one-time race book at the larger clinic."""
    from bench import patients, phases

    out: dict[str, Any] = {}
    t = phases.transactions(
        bare, scratch, cpu, sequential=sizes.raw_pairs, clients=CLIENTS, per_client=sizes.per_client, race=RACE_PATIENTS
    )
    units["raw transactions, 1 client"] = (t["sequential"]["pairs"], "pair")
    units[f"raw transactions, {CLIENTS} clients"] = (t["concurrent"]["pairs"], "pair")
    units[f"raw transactions, {RACE_PATIENTS} on the same cells"] = (RACE_PATIENTS, "attempt")
    out["transactions"] = t

    # Signed in before any clock starts: 1 + 16 patients for the wizard phases, 200 for the race.
    one, clients, crowd = (
        patients.signed_in(stack.base, first, n) for first, n in ((0, 1), (1, CLIENTS), (100, RACE_PATIENTS))
    )
    sequential = seed.disjoint_candidates(large, sizes.sequential, rng)
    disjoint = seed.disjoint_candidates(large, CLIENTS * sizes.per_client, rng)
    one_time = seed.disjoint_candidates(large, 1, rng)[0]
    shared = seed.shared_candidates(small, sizes.race_days, rng)

    w = phases.wizard_sequential(stack.base, large, one[0], sequential, cpu)
    units["wizard, 1 client"] = (w["booked"], "booking")
    out["wizard_sequential"] = w
    print(f"wizard, 1 client: {w['bookings_per_s']:.1f} bookings/s", file=sys.stderr)
    per_client = [disjoint[i::CLIENTS] for i in range(CLIENTS)]
    w = phases.wizard_concurrent(stack.base, large, clients, per_client, cpu) | {"clients": CLIENTS}
    units[f"wizard, {CLIENTS} clients"] = (w["booked"], "booking")
    out["wizard_concurrent"] = w
    print(f"wizard, {CLIENTS} clients: {w['bookings_per_s']:.1f} bookings/s", file=sys.stderr)
    s = phases.race_shared(stack.base, small, clients, shared, per_client=sizes.race_per_client, cpu=cpu)
    out["race_shared"] = s | {"clients": CLIENTS}
    units[f"race, {CLIENTS} clients over shared times"] = (s["attempts"], "attempt")
    o = phases.race_one_time(stack.base, large, crowd, one_time, cpu)
    out["race_one_time"] = o | {"patients": RACE_PATIENTS}
    units[f"race, {RACE_PATIENTS} patients on one time"] = (o["attempts"], "attempt")
    print(f"race, {RACE_PATIENTS} patients on one time: {o['booked']} booked, {o['conflicts']} x 409", file=sys.stderr)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
