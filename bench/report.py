"""Statistics, targets, correctness checks and the Markdown report of a run.

Targets (25 bookings/s, p95, p99, the 10 ms and 20% margins) are reported as met or missed; only
correctness failures (an overlap, an unexpected HTTP status, a count that does not add up, more
than one booking out of the one-time race) make the run fail.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

NAN = float("nan")
# The ways table 2 compares, in its order (bench.phases.any_professional measures them).
ANY_WAYS = {
    "baseline": "bare Query of one professional (baseline)",
    "app": "app: the clinic agenda, one Query of its bookings and holds (in-process)",
    "agenda": "bare: the same Query of the clinic agenda",
    "cells_side_by_side": "app before: one cell Query per candidate side by side (in-process)",
    "parallel": "bare: one Query per candidate, 8 at a time",
    "sequential": "bare: one Query per candidate, one after the other",
    "time_first": "bare: one clinic-range Query of the time-first copy, filtered on the candidates",
}


def summary(values: Sequence[float]) -> dict[str, float]:
    """n, mean, median and nearest-rank p95/p99 (NaN when empty)."""
    ordered = sorted(values)

    def rank(q: int) -> float:
        return float(ordered[max(0, math.ceil(len(ordered) * q / 100) - 1)]) if ordered else NAN

    return {
        "n": len(ordered),
        "mean": statistics.fmean(ordered) if ordered else NAN,
        "median": float(statistics.median(ordered)) if ordered else NAN,
        "p95": rank(95),
        "p99": rank(99),
    }


def percentile(values: Sequence[float], share: float) -> float:
    """The value at ``share`` (0..1) of the sorted values, by the nearest index (the cold-start and
    cost benches' few samples; ``summary`` ranks the many of the load benches)."""
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))])


# ---------------------------------------------------------------- verdicts


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of the issue with its value and whether it was met."""
    found = []

    def add(what: str, target: str, value: str, met: bool, raw: str = "", raw_met: bool | None = None) -> None:
        """``raw``: the same figure of the run's raw baseline alone (no app), and whether that alone
        meets the target: when it does not, no app in front of this DynamoDB Local can."""
        found.append({"what": what, "target": target, "value": value, "met": met, "raw": raw, "raw_met": raw_met})

    for a in r["availability"]:
        name = f"availability, {a['professionals']} professionals"
        add(
            f"{name}: DynamoDB requests per response (max)",
            "≤ 2",
            f"{a['dynamo_requests']['max']}",
            a["dynamo_requests"]["max"] <= 2,
        )
        over = a["latency_ms"]["median"] - a["raw_ms"]["median"]
        add(f"{name}: median over the raw BatchGetItem + Query", "≤ 10 ms", f"{over:+.1f} ms", over <= 10)
        raw_p95 = a["raw_ms"]["p95"]
        add(
            f"{name}: p95",
            "< 25 ms",
            f"{a['latency_ms']['p95']:.1f} ms",
            a["latency_ms"]["p95"] < 25,
            f"{raw_p95:.1f} ms",
            raw_p95 < 25,
        )
    if len(r["availability"]) == 2:
        small, large = (a["latency_ms"]["median"] for a in r["availability"])
        change = large / small - 1
        add("availability: median, 20 vs 3 professionals", "within 20%", f"{change:+.0%}", abs(change) <= 0.2)
    w, pairs = r["wizard_concurrent"], r["transactions"]["concurrent"]["pairs_per_s"]
    add(
        f"wizard, {w['clients']} clients: bookings/s",
        "≥ 25",
        f"{w['bookings_per_s']:.1f}",
        w["bookings_per_s"] >= 25,
        f"{pairs:.1f} transaction pairs/s",
        pairs >= 25,
    )
    o = r["race_one_time"]
    add(
        f"{o['patients']} patients on one time: 409 answers",
        f"{o['patients'] - 1}",
        f"{o['conflicts']}",
        o["conflicts"] == o["patients"] - 1,
    )
    add(f"{o['patients']} patients on one time: 5xx answers", "0", f"{o['server_errors']}", o["server_errors"] == 0)
    p99, raw_p99 = o["attempt_latency_ms"]["p99"], r["transactions"]["race"]["latency_ms"]["p99"]
    add(
        f"{o['patients']} patients on one time: p99",
        "< 1 s",
        f"{p99:.0f} ms",
        p99 < 1000,
        f"{raw_p99:.0f} ms",
        raw_p99 < 1000,
    )
    return found


def failures(r: dict[str, Any]) -> list[str]:
    """Correctness failures: any of these makes the run exit non-zero."""
    found = []
    for label, s in r["setup"]["seed"].items():
        if s["failures"] or s["bookings"] != s["planned"]:
            found.append(f"seed {label}: {s['bookings']} of {s['planned']} written; {s['failures']}")
    for a in r["availability"]:
        if a["unexpected_statuses"]:
            found.append(f"availability {a['clinic']}: HTTP {a['unexpected_statuses'][:5]}")
    for key in ("wizard_sequential", "wizard_concurrent"):
        w = r[key]
        if w["booked"] != w["attempts"]:
            found.append(
                f"{key}: {w['booked']} of {w['attempts']} distinct free times booked; {w['other_detail']}, {w['conflicts']} x 409"
            )
    for key in ("race_shared", "race_one_time"):
        if r[key]["other"]:
            found.append(f"{key}: unexpected answers {r[key]['other_detail']}")
    o = r["race_one_time"]
    if o["booked"] != 1 or o["bookings_at_that_time"] != 1:
        found.append(
            f"race_one_time: {o['booked']} booked, {o['bookings_at_that_time']} stored at that time (must be 1)"
        )
    for inv in r["invariant"]:
        if inv["overlapping_pairs"]:
            found.append(f"invariant {inv['clinic']}: {inv['overlapping_pairs']} overlapping confirmed pairs")
        if inv["bookings"] != inv["expected"]:
            found.append(f"invariant {inv['clinic']}: {inv['bookings']} bookings read back, {inv['expected']} expected")
    return found


# ---------------------------------------------------------------- rendering


def _stolen(r: dict[str, Any]) -> str:
    """The share of the measured blocks' CPU time the hypervisor gave to other guests."""
    blocks = [b for name, b in r["cpu"].items() if not name.startswith(("setup", "seed"))]
    total = sum(b["busy"] + b["idle"] + b.get("steal", 0.0) for b in blocks)
    if not total or not any("steal" in b for b in blocks):
        return ""
    return f"{sum(b.get('steal', 0.0) for b in blocks) / total:.0%} of the CPU time was stolen by the host; "


def _raw_reach(t: dict[str, Any]) -> str:
    if t.get("raw_met") is None:
        return ""
    return f"{t['raw']} ({'meets' if t['raw_met'] else 'misses'} it)"


def _ms(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def _n(value: float) -> str:
    """A count that may be missing (a median over no responses)."""
    return "-" if math.isnan(value) else f"{value:g}"


def _trio(s: dict[str, float], keys: Sequence[str] = ("median", "p95", "p99")) -> str:
    return " / ".join(_ms(s[k]) for k in keys)


def _x(app: float, raw: float) -> str:
    return f"x{app / raw:.1f}" if raw and not math.isnan(raw) and not math.isnan(app) else "-"


def _met(met: bool) -> str:
    return "met" if met else "**missed**"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
    ]


def _per_unit(r: dict[str, Any], block: str, key: str) -> float:
    """CPU milliseconds of ``key`` (dynamodb_local, app_server) per unit of work of a CPU block."""
    used, units = r["cpu"].get(block), r["cpu_units"].get(block)
    if not used or not units or not units[0]:
        return NAN
    return float(used[key]) * 1000 / units[0]


def _cpu_ms(r: dict[str, Any], block: str, key: str = "dynamodb_local") -> str:
    return _ms(_per_unit(r, block, key))


def _app_and_raw(r: dict[str, Any], block: str, raw_block: str) -> str:
    """DynamoDB Local CPU per unit of an app block and of its raw counterpart."""
    return f"{_cpu_ms(r, block)} / {_cpu_ms(r, raw_block)}"


def markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    lines = [
        f"# Booking benchmark, {r['mode']} run, {r['started']}",
        "",
        f"{m['cpus']} CPUs, load average {m['load_before']} before and {m['load_after']} after; "
        f"{_stolen(r)}"
        f"Python {m['python']}; app server gunicorn {r['server']['workers']} workers x {r['server']['threads']} threads "
        "(gthread), DynamoDB Local in memory, all on loopback. Latencies are client-side. Each figure is followed "
        "by its raw baseline, measured in the same run, and app ÷ raw.",
        "",
    ]
    lines += _availability(r) + _any(r) + _wizard(r) + _race_shared(r) + _race_one_time(r) + _invariant(r)
    lines += _booking_costs(r) + _cpu(r) + _setup(r)
    lines += ["## Targets", ""]
    lines += _table(
        ["target", "wanted", "measured", "", "the raw baseline alone, same run"],
        [(t["what"], t["target"], t["value"], _met(t["met"]), _raw_reach(t)) for t in r["targets"]],
    )
    lines += [
        "The last column is the same figure for the bare DynamoDB requests alone, with no app in front of "
        "them (the same reads, or transactions of the same size); where even that misses the target, no app "
        "sending those requests can meet it against this machine's DynamoDB Local.",
        "",
    ]
    verdict = "PASS" if not r["failures"] else "FAIL: " + "; ".join(r["failures"])
    lines += [f"**Correctness: {verdict}**", ""]
    return "\n".join(lines)


def _availability(r: dict[str, Any]) -> list[str]:
    av = r["availability"]
    header = [
        "1. Availability of one professional for one week, one client",
        *(f"{a['professionals']} professionals, {a['bookings']:,} bookings" for a in av),
    ]
    rows = [
        (
            "responses (non-200); slots per week",
            *(f"{a['responses']} ({len(a['unexpected_statuses'])}); {a['slots_per_week']:.0f}" for a in av),
        ),
        (
            "DynamoDB requests per response, min / median / max (target ≤ 2)",
            *("{min} / {median:g} / {max}".format(**a["dynamo_requests"]) for a in av),
        ),
        ("app latency median / p95 / p99, ms", *(_trio(a["latency_ms"]) for a in av)),
        (
            "raw " + av[0]["raw_operations"][0].split(" x")[0] + ", same items and weeks: median / p95 / p99, ms",
            *(_trio(a["raw_ms"]) for a in av),
        ),
        ("app ÷ raw, median", *(_x(a["latency_ms"]["median"], a["raw_ms"]["median"]) for a in av)),
        (
            "app - raw, median (target ≤ 10 ms)",
            *(f"{a['latency_ms']['median'] - a['raw_ms']['median']:+.1f} ms" for a in av),
        ),
        (
            "DynamoDB Local CPU per response: app / raw, ms",
            *(_app_and_raw(r, f"availability {a['clinic']}", f"availability {a['clinic']} raw") for a in av),
        ),
        (
            "app server CPU per response, ms",
            *(_cpu_ms(r, f"availability {a['clinic']}", "app_server") for a in av),
        ),
    ]
    if len(av) == 2:
        change = av[1]["latency_ms"]["median"] / av[0]["latency_ms"]["median"] - 1
        rows.append(("median of the larger clinic vs the smaller (target within 20%)", "", f"{change:+.0%}"))
    return _table(header, rows)


def _any(r: dict[str, Any]) -> list[str]:
    columns = [(a, span) for a in r["any_professional"] for span in ("day", "week")]
    header = [
        "2. Any professional: median / p95 ms (app ÷ baseline)",
        *(f"{a['candidates']} candidates, one {span}" for a, span in columns),
    ]
    rows = []
    for way, label in ANY_WAYS.items():
        cells = []
        for a, span in columns:
            s = a["spans"][span]
            lat, base = s[way]["latency_ms"], s["baseline"]["latency_ms"]
            cells.append(f"{_ms(lat['median'])} / {_ms(lat['p95'])} ({_x(lat['median'], base['median'])})")
        rows.append((label, *cells))
    for way, label in ANY_WAYS.items():
        if way == "app":
            continue
        cells = []
        for a, span in columns:
            s = a["spans"][span][way]
            cpu = _per_unit(r, f"any {a['clinic']} {span} {way}", "dynamodb_local")
            cells.append(f"{s['requests']:g} · {s['items']:,.0f} · {s['scanned']:,.0f} · {_ms(cpu)}")
        rows.append((f"{label}: requests · items returned · items read · DynamoDB Local CPU ms", *cells))
    return _table(header, rows)


def _wizard(r: dict[str, Any]) -> list[str]:
    one, many, raw = r["wizard_sequential"], r["wizard_concurrent"], r["transactions"]
    pairs = (raw["sequential"], raw["concurrent"])
    blocks = ("wizard, 1 client", f"wizard, {many['clients']} clients")
    raw_blocks = ("raw transactions, 1 client", f"raw transactions, {many['clients']} clients")

    def steps(w: dict[str, Any]) -> str:
        d = w["dynamo_per_step"]
        return " / ".join(_n(d.get(step, NAN)) for step in ("page", "hold", "confirm"))

    header = [
        "3. Booking through the wizard (step-2 page, hold, confirm), signed-in patients",
        "1 client",
        f"{many['clients']} clients, distinct free times",
    ]
    rows = [
        (
            "bookings (attempts; 409; other)",
            *(f"{w['booked']} ({w['attempts']}; {w['conflicts']}; {w['other']})" for w in (one, many)),
        ),
        ("bookings/s (target ≥ 25 with 16 clients)", *(f"{w['bookings_per_s']:.1f}" for w in (one, many))),
        (
            f"raw hold + confirm transactions ({raw['hold_items']} + {raw['confirm_items']} conditional puts), pairs/s at the same concurrency",
            *(f"{p['pairs_per_s']:.1f}" for p in pairs),
        ),
        (
            "app ÷ raw, throughput",
            *(_x(w["bookings_per_s"], p["pairs_per_s"]) for w, p in zip((one, many), pairs, strict=True)),
        ),
        ("latency per booking median / p95, ms", *(_trio(w["latency_ms"], ("median", "p95")) for w in (one, many))),
        ("raw pair latency median / p95, ms", *(_trio(p["latency_ms"], ("median", "p95")) for p in pairs)),
        (
            "app ÷ raw, median latency",
            *(
                _x(w["latency_ms"]["median"], p["latency_ms"]["median"])
                for w, p in zip((one, many), pairs, strict=True)
            ),
        ),
        ("DynamoDB requests per step, median: page / hold / confirm", *(steps(w) for w in (one, many))),
        (
            "DynamoDB Local CPU per booking: app / raw pair, ms",
            *(_app_and_raw(r, block, raw_block) for block, raw_block in zip(blocks, raw_blocks, strict=True)),
        ),
        ("app server CPU per booking, ms", *(_cpu_ms(r, block, "app_server") for block in blocks)),
    ]
    return _table(header, rows)


def _race_shared(r: dict[str, Any]) -> list[str]:
    s = r["race_shared"]
    block = f"race, {s['clients']} clients over shared times"
    d, c = s["dynamo_per_step"], s["dynamo_per_step_409"]
    rows = [
        ("shared candidate starts", f"{s['candidate_times']} over {r['sizes']['race_days']} day(s), 3 professionals"),
        ("attempts / booked / 409 / other", f"{s['attempts']} / {s['booked']} / {s['conflicts']} / {s['other']}"),
        (
            "bookings/s; latency per booking median / p95, ms",
            f"{s['bookings_per_s']:.1f}; {_trio(s['latency_ms'], ('median', 'p95'))}",
        ),
        ("latency per attempt (booked or 409) median / p95, ms", _trio(s["attempt_latency_ms"], ("median", "p95"))),
        (
            "DynamoDB requests per step, median: booked page / hold / confirm; 409 hold / confirm",
            f"{_n(d.get('page', NAN))} / {_n(d.get('hold', NAN))} / {_n(d.get('confirm', NAN))}; "
            f"{_n(c.get('hold', NAN))} / {_n(c.get('confirm', NAN))}",
        ),
        ("DynamoDB requests per step, histograms {requests: responses}", str(s["dynamo_histogram"])),
        (
            "DynamoDB Local / app server CPU per attempt, ms",
            f"{_cpu_ms(r, block)} / {_cpu_ms(r, block, 'app_server')}",
        ),
    ]
    return _table([f"4. {s['clients']} clients racing over shared times", ""], rows)


def _race_one_time(r: dict[str, Any]) -> list[str]:
    o, raw = r["race_one_time"], r["transactions"]["race"]
    block = f"race, {o['patients']} patients on one time"
    lat, raw_lat = o["attempt_latency_ms"], raw["latency_ms"]
    rows = [
        (
            "exactly one booking",
            f"{'yes' if o['booked'] == 1 and o['bookings_at_that_time'] == 1 else 'NO'} ({o['booked']} booked, {o['bookings_at_that_time']} stored)",
            f"{raw['succeeded']} of {raw['attempts']} succeeded",
            "yes",
        ),
        ("409 answers", f"{o['conflicts']}", f"{raw['attempts'] - raw['succeeded']} cancelled", f"{o['patients'] - 1}"),
        ("5xx answers; other", f"{o['server_errors']}; {o['other']} {o['other_detail'] or ''}", "", "0"),
        ("latency p50 / p95 / p99 over all attempts, ms", _trio(lat), _trio(raw_lat), "p99 < 1,000"),
        ("app ÷ raw, p99", _x(lat["p99"], raw_lat["p99"]), "", ""),
        (
            "DynamoDB requests per answer, median: booked hold / confirm; 409 hold",
            f"{_n(o['dynamo_per_step'].get('hold', NAN))} / {_n(o['dynamo_per_step'].get('confirm', NAN))}; "
            f"{_n(o['dynamo_per_step_409'].get('hold', NAN))}",
            "1 each",
            "",
        ),
        ("wall time, release to last answer", f"{o['seconds']:.2f} s", "", ""),
        (
            "DynamoDB Local / app server CPU per attempt, ms",
            f"{_cpu_ms(r, block)} / {_cpu_ms(r, block, 'app_server')}",
            "",
            "",
        ),
    ]
    header = [
        f"5. {o['patients']} signed-in patients hold and confirm the same time at once",
        "app",
        f"raw: {raw['attempts']} hold-size transactions on the same cells",
        "target",
    ]
    return _table(header, rows)


def _invariant(r: dict[str, Any]) -> list[str]:
    rows = [
        (
            i["clinic"],
            f"{i['bookings']:,}",
            f"{i['expected']:,}",
            f"{i['confirmed']:,}",
            f"**{i['overlapping_pairs']}**",
        )
        for i in r["invariant"]
    ]
    return _table(
        ["6. Read back afterwards: clinic", "bookings", "expected", "confirmed", "overlapping pairs (must be 0)"], rows
    )


def _booking_costs(r: dict[str, Any]) -> list[str]:
    """What one booking costs DynamoDB Local, request by request, against the whole wizard measured."""
    repeat = r["sizes"]["request_repeat"]
    rows = []
    total = 0.0
    for cost in r["request_costs"]:
        cpu = _per_unit(r, cost["block"], "dynamodb_local")
        total += 0.0 if math.isnan(cpu) else cpu
        rows.append(
            (
                cost["step"],
                f"{cost['request']} {cost['key_condition']}".strip(),
                f"{cost['items']:,} / {cost['scanned']:,}" if cost["request"] == "Query" else "",
                _ms(cpu),
                _ms(cost["latency_ms"]["median"]),
            )
        )
    pair = _per_unit(r, "raw transactions, 1 client", "dynamodb_local")
    t = r["transactions"]
    rows.append(
        (
            "hold + confirm",
            f"TransactWriteItems x 2 ({t['hold_items']} + {t['confirm_items']} conditional puts, fresh keys)",
            "",
            _ms(pair),
            _ms(t["sequential"]["latency_ms"]["median"]),
        )
    )
    rows.append(("sum", "", "", _ms(total + pair), ""))
    rows.append(
        ("measured", "a booking through the wizard, 1 client (table 3)", "", _cpu_ms(r, "wizard, 1 client"), "")
    )
    rows.append(
        ("at rest", "DynamoDB Local with nothing asked, per second of wall time", "", _cpu_ms(r, "at rest"), "")
    )
    header = [
        f"Where a booking's DynamoDB Local CPU goes (each read of one booking replayed alone {repeat} times)",
        "request",
        "items returned / read",
        "DynamoDB Local CPU ms",
        "latency median ms",
    ]
    return _table(header, rows)


def _cpu(r: dict[str, Any]) -> list[str]:
    rows = []
    for name, used in r["cpu"].items():
        if name.startswith(("any ", "request ")):
            continue  # per way in table 2, per request in the table above
        other = max(0.0, used["busy"] - used["dynamodb_local"] - used["app_server"] - used["bench"])
        count, unit = r["cpu_units"].get(name, (0, ""))
        per = f"{_cpu_ms(r, name)} / {_cpu_ms(r, name, 'app_server')} per {unit}" if count else ""
        rows.append(
            (
                name,
                f"{used['wall']:.1f}",
                f"{used['dynamodb_local']:.1f}",
                f"{used['app_server']:.1f}",
                f"{used['bench']:.1f}",
                f"{other:.1f}",
                f"{used['idle']:.1f}",
                f"{used.get('steal', 0.0):.1f}",
                f"{count:,} {unit}s" if count else "",
                per,
            )
        )
    header = [
        "CPU seconds per block",
        "wall",
        "DynamoDB Local",
        "app server",
        "bench",
        "other processes",
        "idle",
        "stolen by the host",
        "units",
        "DynamoDB Local / app server ms",
    ]
    return _table(header, rows)


def _setup(r: dict[str, Any]) -> list[str]:
    rows = [
        (
            f"seed {label}",
            f"{s['bookings']:,} bookings in {s['seconds']:.1f} s ({s['bookings'] / max(s['seconds'], 1e-9):.0f}/s, {s['threads']} threads, booking_create)",
        )
        for label, s in r["setup"]["seed"].items()
    ]
    rows.append(("time-first copy for table 2", f"{r['setup']['time_first_seconds']:.1f} s"))
    rows.append(("sizes", ", ".join(f"{k} {v}" for k, v in r["sizes"].items())))
    return _table(["Setup", ""], rows)
