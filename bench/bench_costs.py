"""The cost sheet: DynamoDB capacity, Lambda, API Gateway and SES per action, per 1,000 bookings, per clinic-month.

    .venv/bin/python -m bench.bench_costs [--runs 10]     (make bench-costs; part of make bench)

Measured, not guessed: its own DynamoDB Local in memory and identity database (``bench/stack.py``,
no app server), one clinic of 3 dentists seeded through ``booking_create`` with a month of bookings
(600 over the next 45 days, each with its confirmation and two reminders), then every action
through Django's views in this process (the test client, users signed in with ``force_login``),
``--runs`` times each:

- a booking through the wizard (the treatments page, step 2, the hold, the confirmation, the
  booking's page), by a returning patient and by one new to the clinic;
- a message sent: the minute's sweep with one message due, delivered inline as the Lambda sweep
  does (``notifications.lambda_handlers.sweep``), less the empty sweep it runs every minute anyway;
- a reschedule (the picker page and the move), a cancellation (the booking's page and the POST);
- a staff calendar week (the calendar page and a whole-clinic week of events), and one 304 poll;
- a patient's portal visit ("my bookings" at the clinic and one booking's page).

Every DynamoDB request carries ``ReturnConsumedCapacity=TOTAL`` (``bench/capacity.py``, a botocore
hook): read units as DynamoDB Local reports them, write units by DynamoDB's billing rules from the
items written (DynamoDB Local's transaction figures are not DynamoDB's; both are kept). Lambda's
duration per request is each request's in-process time scaled by how much slower the wizard page
runs through Zappa's handler (``bench/results/coldstart.json``, ``make bench-coldstart``), billed at
the prd stage's ``memory_size``. Prices are constants below with their page and date.

Prints Markdown and writes bench/results/costs.md and costs.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import capacity

# Before any botocore session exists: every one made afterwards asks for its consumed capacity.
capacity.install()
os.environ.setdefault("OUTBOX_KICK", "0")  # as on Lambda: the minute's sweep sends, no Celery broker

from bench.bench_coldstart import prd_memory_mb  # noqa: E402
from bench.seed import PHONE, World, world_new  # noqa: E402
from bench.stack import STOP, TABLE, ServerOptions, Stack  # noqa: E402

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
HOST = "127.0.0.1"
# A month of bookings, spread over the next 45 days (3 dentists' 30 days cannot take 600 at random).
SEED_DAYS = 45

# ---------------------------------------------------------------- prices (USD, eu-west-1)

# Published on-demand prices for Europe (Ireland), as the pages named published them in 2025. Written
# from those pages, not fetched: this machine reaches neither them nor AWS's price list API, so check
# them there before quoting a customer.
PRICES: dict[str, dict[str, Any]] = {
    "dynamodb_write_request_unit": {
        "usd": 0.705 / 1e6,
        "unit": "WRU",
        "source": "https://aws.amazon.com/dynamodb/pricing/on-demand/ (Europe (Ireland), standard table class; "
        "half the pre-2024-11-01 $1.41 per million after the on-demand price cut)",
    },
    "dynamodb_read_request_unit": {
        "usd": 0.1415 / 1e6,
        "unit": "RRU",
        "source": "https://aws.amazon.com/dynamodb/pricing/on-demand/ (Europe (Ireland); half the former $0.283 per million)",
    },
    "lambda_arm64_gb_second": {
        "usd": 0.0000133334,
        "unit": "GB-s",
        "source": "https://aws.amazon.com/lambda/pricing/ (Arm, first 7.5 billion GB-s a month)",
    },
    "lambda_request": {"usd": 0.20 / 1e6, "unit": "request", "source": "https://aws.amazon.com/lambda/pricing/"},
    "http_api_request": {
        "usd": 1.11 / 1e6,
        "unit": "request",
        "source": "https://aws.amazon.com/api-gateway/pricing/ (HTTP APIs, Europe (Ireland), first 300 million a month)",
    },
    "cloudwatch_logs_ingested_gb": {
        "usd": 0.57,
        "unit": "GB",
        "source": "https://aws.amazon.com/cloudwatch/pricing/ (Logs, standard ingestion, Europe (Ireland))",
    },
    "ses_email": {
        "usd": 0.10 / 1000,
        "unit": "e-mail",
        "source": "https://aws.amazon.com/ses/pricing/ (outbound e-mail from Lambda, $0.10 per 1,000)",
    },
}

# What runs whether anyone books or not, per stage and month (730 hours), smallest sizes.
FIXED_MONTHLY: list[dict[str, Any]] = [
    {
        "what": "RDS for PostgreSQL db.t4g.micro, Single-AZ, 20 GB gp3 (identity)",
        "usd": 0.018 * 730 + 20 * 0.127,
        "source": "https://aws.amazon.com/rds/postgresql/pricing/ ($0.018/h, gp3 $0.127/GB-month)",
    },
    {
        "what": "ElastiCache for Redis OSS cache.t4g.micro, one node (sessions, cache, rate limits)",
        "usd": 0.0184 * 730,
        "source": "https://aws.amazon.com/elasticache/pricing/ ($0.0184/h)",
    },
    {
        "what": "NAT gateway, one AZ (Lambda in the VPC reaching SES, SSM, X-Ray; DynamoDB through a free gateway endpoint)",
        "usd": 0.048 * 730,
        "source": "https://aws.amazon.com/vpc/pricing/ ($0.048/h, plus $0.048/GB processed)",
    },
    {
        "what": "Route 53 hosted zone",
        "usd": 0.50,
        "source": "https://aws.amazon.com/route53/pricing/",
    },
]

# ---------------------------------------------------------------- the clinic-month

CLINIC_MONTH = {
    "dentists": 3,
    "bookings": 600,  # online and at the desk alike cost a booking's writes; all counted as online here
    "new_patient_share": 0.2,  # first booking at the clinic: the patient's record is made too
    "messages_per_booking": 3,  # the confirmation and the 24 h and 2 h reminders
    "cancel_share": 0.10,  # each sends one message more (the cancellation)
    "reschedule_share": 0.05,  # each sends one message more (the new time)
    "portal_visits_per_booking": 1,
    "calendar_screens": 2,  # reception's screens with the calendar open
    "open_hours_per_day": 9,
    "working_days": 22,
    "calendar_week_loads_per_hour": 4,  # opening the calendar or moving to another week, per screen
    "calendar_poll_seconds": 10,  # the calendar's poll while open: a 304 while nothing changed
}
# Per stage, whatever the number of clinics: Zappa's events (zappa_settings.json).
PLATFORM_EVENTS = {"sweep_per_month": 60 * 24 * 30, "keep_warm_per_month": 15 * 24 * 30, "summaries_per_month": 24 * 30}


# ---------------------------------------------------------------- seeding


def seed_month(world: World, bookings: int, rng: random.Random) -> float:
    """``bookings`` over the next SEED_DAYS days, through ``booking_create`` as the system, each with an e-mail."""
    from access.permissions import Actor
    from booking import services

    actor = Actor.system(tenant_id=world.tenant_id)
    began = time.perf_counter()
    for index in range(bookings):
        if STOP.is_set():
            raise KeyboardInterrupt
        professional = world.professionals[index % len(world.professionals)]
        treatment = rng.choice(world.treatments)
        candidate = world.agenda.pick(
            rng, treatment.treatment_id, professional.professional_id, range(1, SEED_DAYS + 1)
        )
        if candidate is None:
            raise RuntimeError(f"no free time left for booking {index}")
        services.booking_create(
            tenant_id=world.tenant_id,
            treatment_id=candidate.treatment_id,
            professional_id=candidate.professional_id,
            start=candidate.start,
            patient=services.PatientDetails(f"Paciente {index}", "p@example.com", PHONE),
            actor=actor,
        )
    return time.perf_counter() - began


def user_with(email: str, *, tenant_id: str, role: str | None) -> Any:
    from allauth.account.models import EmailAddress

    from access.models import Membership
    from accounts.models import User

    user, created = User.objects.get_or_create(email=email)
    if created:
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role is not None:
        Membership.objects.get_or_create(user=user, tenant_id=tenant_id, role=role)
    return user


def client_for(user: Any) -> Any:
    from django.test import Client

    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    return client


# ---------------------------------------------------------------- measuring one action


class Action:
    """One run of an action: its HTTP requests (status, in-process ms) and what DynamoDB consumed."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, int, float]] = []
        self.consumed = capacity.Consumed()

    def call(self, step: str, send: Callable[[], Any], *, expect: tuple[int, ...] = (200, 302)) -> Any:
        with capacity.consumed() as used:
            began = time.perf_counter()
            response = send()
            elapsed = (time.perf_counter() - began) * 1000
        self.consumed.add(used)
        self.requests.append((step, response.status_code, elapsed))
        if response.status_code not in expect:
            raise RuntimeError(f"{step}: HTTP {response.status_code}")
        return response

    def work(self, step: str, run: Callable[[], Any]) -> Any:
        """Work that is not an HTTP request (a scheduled event): counted as one Lambda invocation."""
        with capacity.consumed() as used:
            began = time.perf_counter()
            result = run()
            elapsed = (time.perf_counter() - began) * 1000
        self.consumed.add(used)
        self.requests.append((step, 0, elapsed))
        return result


def booking_run(world: World, client: Any, rng: random.Random) -> tuple[Action, str]:
    """The wizard from the treatments page to the booking's page; returns the action and the booking id."""
    treatment = world.wizard_treatment
    professional = rng.choice(world.professionals)
    candidate = world.agenda.pick(rng, treatment.treatment_id, professional.professional_id, range(1, 61))
    if candidate is None:
        raise RuntimeError("no free time left for the measured bookings")
    base = f"/c/{world.slug}/"
    day = candidate.start.astimezone(world.clinic.zone).date().isoformat()
    action = Action()
    action.call("treatments page", lambda: client.get(base))
    action.call(
        "step 2 page",
        lambda: client.get(
            f"{base}book/{treatment.treatment_id}/", {"professional": professional.professional_id, "date": day}
        ),
    )
    start = candidate.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    hold = action.call(
        "hold",
        lambda: client.post(
            f"{base}book/{treatment.treatment_id}/hold/", {"professional": professional.professional_id, "start": start}
        ),
        expect=(302,),
    )
    done = action.call(
        "confirm", lambda: client.post(hold["Location"], {"name": "Paciente Bench", "phone": PHONE}), expect=(302,)
    )
    action.call("booking page", lambda: client.get(done["Location"]))
    booking_id = done["Location"].rstrip("/").rsplit("/", 1)[-1]
    return action, booking_id


def sweep_run() -> Action:
    """The minute's sweep as the Lambda event runs it: every due item delivered inline."""
    from notifications import lambda_handlers

    action = Action()
    action.work("sweep", lambda: lambda_handlers.sweep({}, None))
    return action


def reschedule_run(world: World, client: Any, booking_id: str, rng: random.Random) -> Action:
    from booking.models import Booking

    booking = Booking.get(*_booking_key(world, booking_id))
    candidate = world.agenda.pick(rng, booking.treatment_id, booking.professional_id, range(1, 61))
    if candidate is None:
        raise RuntimeError("no free time left to reschedule to")
    url = f"/c/{world.slug}/bookings/{booking_id}/reschedule/"
    day = candidate.start.astimezone(world.clinic.zone).date().isoformat()
    action = Action()
    action.call("reschedule page", lambda: client.get(url, {"date": day}))
    start = candidate.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    action.call(
        "move", lambda: client.post(url, {"professional": booking.professional_id, "start": start}), expect=(302,)
    )
    return action


def cancel_run(world: World, client: Any, booking_id: str) -> Action:
    action = Action()
    page = f"/c/{world.slug}/bookings/{booking_id}/"
    action.call("booking page", lambda: client.get(page))
    action.call("cancel", lambda: client.post(page + "cancel/", {"reason": ""}), expect=(302,))
    return action


def calendar_run(world: World, client: Any, monday: dt.date) -> tuple[Action, str, dict[str, str]]:
    zone = world.clinic.zone
    span = {
        "start": dt.datetime.combine(monday, dt.time(0), tzinfo=zone).isoformat(),
        "end": dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(0), tzinfo=zone).isoformat(),
    }
    action = Action()
    action.call("calendar page", lambda: client.get(f"/c/{world.slug}/agenda/"))
    events = action.call("week of events", lambda: client.get(f"/c/{world.slug}/agenda/events.json", span))
    return action, events["ETag"], span


def poll_run(world: World, client: Any, etag: str, span: dict[str, str]) -> Action:
    action = Action()
    action.call(
        "poll (304)",
        lambda: client.get(f"/c/{world.slug}/agenda/events.json", span, HTTP_IF_NONE_MATCH=etag),
        expect=(304,),
    )
    return action


def portal_run(world: World, client: Any, booking_id: str) -> Action:
    action = Action()
    action.call("my bookings", lambda: client.get(f"/c/{world.slug}/my-bookings/"))
    action.call("a booking's page", lambda: client.get(f"/c/{world.slug}/bookings/{booking_id}/"))
    return action


def _booking_key(world: World, booking_id: str) -> tuple[str, str]:
    from nexioq import dynamo

    return dynamo.tenant_pk(world.tenant_id), dynamo.booking_sk(booking_id)


def summarise(runs: list[Action]) -> dict[str, Any]:
    """Medians over the runs: requests, units, and each step's in-process ms."""
    steps: dict[str, list[float]] = {}
    for run in runs:
        for step, _status, ms in run.requests:
            steps.setdefault(step, []).append(ms)
    return {
        "runs": len(runs),
        "http_requests": len(runs[0].requests),
        "dynamodb_requests": statistics.median(r.consumed.request_count for r in runs),
        "kinds": runs[-1].consumed.as_dict()["kinds"],
        "read_units": statistics.median(r.consumed.read_units for r in runs),
        "write_units": statistics.median(r.consumed.billed_write_units for r in runs),
        "write_units_reported_by_dynamodb_local": statistics.median(r.consumed.reported_write_units for r in runs),
        "unreported": sum(sum(r.consumed.unreported.values()) for r in runs),
        "ms_per_step": {step: round(statistics.median(v), 1) for step, v in steps.items()},
        "ms_total": round(statistics.median(sum(ms for _s, _c, ms in r.requests) for r in runs), 1),
    }


def difference(with_one: dict[str, Any], empty: dict[str, Any]) -> dict[str, Any]:
    """A message's own cost: the sweep that delivers it less the empty sweep that runs anyway."""
    result = dict(with_one)
    for key in ("dynamodb_requests", "read_units", "write_units", "write_units_reported_by_dynamodb_local", "ms_total"):
        result[key] = round(with_one[key] - empty[key], 2)
    result["kinds"] = {
        k: n - empty["kinds"].get(k, 0) for k, n in with_one["kinds"].items() if n - empty["kinds"].get(k, 0)
    }
    result["http_requests"] = 0  # the sweep runs every minute anyway: no invocation of its own
    result["ms_per_step"] = {"delivery": result["ms_total"]}
    return result


def measure(world: World, runs: int, rng: random.Random) -> dict[str, Any]:
    from django.conf import settings
    from django.core import mail

    from access.models import Role

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    sweep_run()  # the seed's confirmations, out of the way
    returning = client_for(user_with("bench-costs-returning@example.com", tenant_id=world.tenant_id, role=Role.PATIENT))
    reception = client_for(
        user_with("bench-costs-reception@example.com", tenant_id=world.tenant_id, role=Role.RECEPTION)
    )
    returning.get(f"/c/{world.slug}/")  # slug and the rest cached, as a warm container has them
    results: dict[str, list[Action]] = {
        k: []
        for k in (
            "booking (returning patient)",
            "booking (new patient)",
            "sweep, one message due",
            "sweep, nothing due",
            "reschedule",
            "cancel",
            "calendar week",
            "calendar poll",
            "portal visit",
        )
    }
    today = dt.datetime.now(world.clinic.zone).date()
    first_monday = today + dt.timedelta(days=7 - today.weekday())
    sent_before = len(mail.outbox)
    for index in range(runs):
        if STOP.is_set():
            raise KeyboardInterrupt
        action, booking_id = booking_run(world, returning, rng)
        results["booking (returning patient)"].append(action)
        results["sweep, one message due"].append(sweep_run())
        results["sweep, nothing due"].append(sweep_run())
        newcomer = client_for(user_with(f"bench-costs-new-{index}@example.com", tenant_id=world.tenant_id, role=None))
        action, new_booking = booking_run(world, newcomer, rng)
        results["booking (new patient)"].append(action)
        sweep_run()
        results["portal visit"].append(portal_run(world, returning, booking_id))
        results["reschedule"].append(reschedule_run(world, returning, booking_id, rng))
        sweep_run()
        results["cancel"].append(cancel_run(world, newcomer, new_booking))
        sweep_run()
        action, etag, span = calendar_run(world, reception, first_monday + dt.timedelta(weeks=index % 4))
        results["calendar week"].append(action)
        time.sleep(2.6)  # the ETag is remembered once the change marker is older than 2.5 s (office/views/agenda.py)
        reception.get(f"/c/{world.slug}/agenda/events.json", span)
        etag = reception.get(f"/c/{world.slug}/agenda/events.json", span)["ETag"]
        results["calendar poll"].append(poll_run(world, reception, etag, span))
    measured = {name: summarise(actions) for name, actions in results.items()}
    measured["message sent"] = difference(measured["sweep, one message due"], measured["sweep, nothing due"])
    measured["message sent"]["emails_per_run"] = (len(mail.outbox) - sent_before) / runs
    return measured


# ---------------------------------------------------------------- money


def lambda_scale() -> dict[str, Any]:
    """How much longer a request takes through Zappa's handler than in-process (from the cold-start bench)."""
    path = RESULTS / "coldstart.json"
    if not path.exists():
        return {"factor": 1.0, "source": "no bench/results/coldstart.json: in-process times, unscaled"}
    cold = json.loads(path.read_text())
    warm = cold["warm"]["nexioq"]["wizard page"]["ms"]
    nexioq = cold["warm"]["nexioq"]
    pages = [nexioq[k].get("log_bytes", 0) for k in ("wizard page", "availability")]
    return {
        "log_bytes_per_request": statistics.fmean(pages),
        "log_bytes_per_sweep": nexioq.get("sweep event", {}).get("log_bytes", 0),
        "handler_wizard_page_p50_ms": warm["p50"],
        "keep_warm_ms": cold["warm"]["nexioq"].get("keep warm", {}).get("ms", {}).get("p50", 2.0),
        "source": f"bench/results/coldstart.json of {cold['started']}",
    }


def priced(action: dict[str, Any], *, factor: float, memory_mb: int, log_bytes: float = 0.0) -> dict[str, float]:
    """USD of one action: DynamoDB reads and writes, Lambda (requests, GB-s), API Gateway, SES, logs."""
    p = {name: price["usd"] for name, price in PRICES.items()}
    invocations = action["http_requests"] or (0 if action.get("rides_on_sweep") else 1)
    seconds = action["ms_total"] * factor / 1000
    return {
        "dynamodb_reads": action["read_units"] * p["dynamodb_read_request_unit"],
        "dynamodb_writes": action["write_units"] * p["dynamodb_write_request_unit"],
        "lambda": invocations * p["lambda_request"] + seconds * memory_mb / 1024 * p["lambda_arm64_gb_second"],
        "api_gateway": action["http_requests"] * p["http_api_request"],
        "ses": action.get("emails", 0) * p["ses_email"],
        "cloudwatch_logs": action["http_requests"] * log_bytes / 1e9 * p["cloudwatch_logs_ingested_gb"],
    }


def costs(measured: dict[str, Any], scale: dict[str, Any]) -> dict[str, Any]:
    memory_mb = prd_memory_mb()
    in_process_page = measured["booking (returning patient)"]["ms_per_step"]["step 2 page"]
    factor = scale["handler_wizard_page_p50_ms"] / in_process_page if "handler_wizard_page_p50_ms" in scale else 1.0
    per_action: dict[str, dict[str, float]] = {}
    for name, action in measured.items():
        if name.startswith("sweep"):
            continue
        action = dict(action)
        if name == "message sent":
            action["emails"] = 1
            action["rides_on_sweep"] = True
        per_action[name] = priced(
            action, factor=factor, memory_mb=memory_mb, log_bytes=scale.get("log_bytes_per_request", 0.0)
        )
    total = {name: sum(parts.values()) for name, parts in per_action.items()}
    m = CLINIC_MONTH
    messages_per_booking = m["messages_per_booking"]
    # One booking and what follows it: its messages and a portal visit; new patients' share.
    per_booking = (
        (1 - m["new_patient_share"]) * total["booking (returning patient)"]
        + m["new_patient_share"] * total["booking (new patient)"]
        + messages_per_booking * total["message sent"]
        + m["portal_visits_per_booking"] * total["portal visit"]
    )
    screen_hours = m["calendar_screens"] * m["open_hours_per_day"] * m["working_days"]
    polls = screen_hours * 3600 / m["calendar_poll_seconds"]
    week_loads = screen_hours * m["calendar_week_loads_per_hour"]
    lines = {
        "bookings and their messages and portal visits": m["bookings"] * per_booking,
        "cancellations (and their message)": m["bookings"]
        * m["cancel_share"]
        * (total["cancel"] + total["message sent"]),
        "reschedules (and their message)": m["bookings"]
        * m["reschedule_share"]
        * (total["reschedule"] + total["message sent"]),
        "staff calendar: weeks loaded": week_loads * total["calendar week"],
        "staff calendar: polls (304)": polls * total["calendar poll"],
    }
    # Per stage: the minute's sweep (nothing due: its Queries), keep-warm, the hourly summaries.
    empty_sweep = priced(dict(measured["sweep, nothing due"], http_requests=0), factor=factor, memory_mb=memory_mb)
    sweep_logs = scale.get("log_bytes_per_sweep", 0) / 1e9 * PRICES["cloudwatch_logs_ingested_gb"]["usd"]
    empty_sweep["cloudwatch_logs"] = sweep_logs
    keep_warm_seconds = scale.get("keep_warm_ms", 2.0) / 1000
    keep_warm = {
        "lambda": PRICES["lambda_request"]["usd"]
        + keep_warm_seconds * memory_mb / 1024 * PRICES["lambda_arm64_gb_second"]["usd"]
    }
    platform_events = (
        PLATFORM_EVENTS["sweep_per_month"] * sum(empty_sweep.values())
        + PLATFORM_EVENTS["keep_warm_per_month"] * sum(keep_warm.values())
        + PLATFORM_EVENTS["summaries_per_month"] * sum(empty_sweep.values())
    )
    fixed = sum(item["usd"] for item in FIXED_MONTHLY)
    clinic_month = sum(lines.values())
    thousand_users = 1000 * per_booking + 2 * (
        lines["staff calendar: weeks loaded"] + lines["staff calendar: polls (304)"]
    )
    return {
        "memory_mb": memory_mb,
        "lambda_duration_factor": round(factor, 2),
        "per_action_usd": per_action,
        "per_action_total_usd": total,
        "per_booking_usd": per_booking,
        "per_1000_bookings_usd": 1000 * per_booking,
        "per_1000_bookings_by_service_usd": {
            service: 1000
            * (
                (1 - m["new_patient_share"]) * per_action["booking (returning patient)"][service]
                + m["new_patient_share"] * per_action["booking (new patient)"][service]
                + messages_per_booking * per_action["message sent"][service]
                + m["portal_visits_per_booking"] * per_action["portal visit"][service]
            )
            for service in ("dynamodb_reads", "dynamodb_writes", "lambda", "api_gateway", "ses", "cloudwatch_logs")
        },
        "clinic_month_lines_usd": lines,
        "clinic_month_usd": clinic_month,
        "calendar_polls_per_month": polls,
        "calendar_week_loads_per_month": week_loads,
        "platform_events_month_usd": platform_events,
        "fixed_month": FIXED_MONTHLY,
        "fixed_month_usd": fixed,
        "thousand_users_month_usd": {
            "assumed": "1,000 patients booking once a month at 2 clinics of this size (their staff calendars included)",
            "variable": thousand_users,
            "platform_events": platform_events,
            "fixed": fixed,
            "total": thousand_users + platform_events + fixed,
        },
    }


# ---------------------------------------------------------------- report


def _usd(value: float) -> str:
    if value >= 1:
        return f"${value:,.2f}"
    if value >= 0.01:
        return f"${value:.3f}"
    return f"${value:.5f}"


def markdown(results: dict[str, Any]) -> str:
    m, c = results["measured"], results["costs"]
    lines = [
        f"## Costs per action, measured {results['started']}",
        "",
        f"DynamoDB capacity as consumed in DynamoDB Local ({results['runs']} runs each, medians); Lambda at "
        f"{c['memory_mb']} MB, each request's in-process time x {c['lambda_duration_factor']} "
        f"(the wizard page through Zappa's handler against in-process: {results['lambda_scale']['source']}).",
        "",
        "| action | HTTP requests | DynamoDB requests | read units | write units (DynamoDB Local reports) | in-process ms | USD per action |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, action in m.items():
        if name.startswith("sweep"):
            continue
        kinds = ", ".join(f"{n} {k}" for k, n in action["kinds"].items())
        usd = c["per_action_total_usd"].get(name, 0.0)
        lines.append(
            f"| {name} | {action['http_requests']} | {action['dynamodb_requests']:g} ({kinds}) | {action['read_units']:g} | "
            f"{action['write_units']:g} ({action['write_units_reported_by_dynamodb_local']:g}) | {action['ms_total']:g} | {_usd(usd)} |"
        )
    empty = m["sweep, nothing due"]
    lines += [
        "",
        f"The minute's sweep with nothing due: {empty['dynamodb_requests']:g} requests, {empty['read_units']:g} read units.",
        "",
        "| per 1,000 bookings (with 3 messages and a portal visit each) | USD |",
        "|---|---|",
    ]
    for service, usd in c["per_1000_bookings_by_service_usd"].items():
        lines.append(f"| {service} | {_usd(usd)} |")
    lines += [f"| **total** | **{_usd(c['per_1000_bookings_usd'])}** |", "", "| clinic-month | USD |", "|---|---|"]
    for what, usd in c["clinic_month_lines_usd"].items():
        lines.append(f"| {what} | {_usd(usd)} |")
    lines += [
        f"| **a clinic's month, variable** | **{_usd(c['clinic_month_usd'])}** |",
        f"| per stage: sweep each minute, keep-warm, summaries | {_usd(c['platform_events_month_usd'])} |",
    ]
    for item in c["fixed_month"]:
        lines.append(f"| fixed: {item['what']} | {_usd(item['usd'])} |")
    t = c["thousand_users_month_usd"]
    lines += [
        "",
        f"1,000 users ({t['assumed']}): variable {_usd(t['variable'])} + per stage {_usd(t['platform_events'])} + "
        f"fixed {_usd(t['fixed'])} = **{_usd(t['total'])} a month**.",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="measured runs of each action")
    parser.add_argument("--bookings", type=int, default=CLINIC_MONTH["bookings"], help="bookings seeded over 30 days")
    args = parser.parse_args()
    rng = random.Random(10)
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    began = time.perf_counter()
    load_before = os.getloadavg()[0]
    try:
        with tempfile.TemporaryDirectory(prefix="nexioq-bench-costs-") as tmp:
            stack = Stack(Path(tmp), ServerOptions())
            try:
                stack.start_storage()
                from bench.raw import Bare

                capacity.configure(Bare(stack.endpoint).client, TABLE)
                world = world_new(label="3 dentists", professionals=int(CLINIC_MONTH["dentists"]))
                seed_seconds = seed_month(world, args.bookings, rng)
                measured = measure(world, args.runs, rng)
            finally:
                stack.stop()
    except KeyboardInterrupt:
        print("interrupted; the servers this run started are stopped", file=sys.stderr)
        return 130
    scale = lambda_scale()
    results = {
        "started": started,
        "runs": args.runs,
        "seeded_bookings": args.bookings,
        "seed_seconds": round(seed_seconds, 1),
        "seconds": round(time.perf_counter() - began, 1),
        "load_average_before": load_before,
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}, DynamoDB Local in memory",
        "prices": PRICES,
        "clinic_month_assumptions": CLINIC_MONTH,
        "platform_events": PLATFORM_EVENTS,
        "lambda_scale": scale,
        "measured": measured,
    }
    results["costs"] = costs(measured, scale)
    report = markdown(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "costs.json").write_text(json.dumps(results, indent=2, default=str))
    (RESULTS / "costs.md").write_text(report + "\n")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
