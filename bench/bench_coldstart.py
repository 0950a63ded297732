"""Cold start and per-request latency through Zappa's handler, against a bare Django project packaged the same way.

    .venv/bin/python -m bench.bench_coldstart [--cold 15] [--warm 300]     (make bench-coldstart; part of make bench)

Builds two Lambda packages for this machine's architecture with ``deploy.package.build_package``:
NexioQ's prd stage, and a bare Django project (``django-admin startproject``, one view, Django
alone plus Zappa's handler requirements, its own zappa_settings.json with the same runtime,
architecture and API Gateway v2), and unzips each into a folder of its own. Then, in one run:

- **Cold start**: a fresh isolated interpreter (``python -I -S``: no site-packages, no environment
  variables read by Python; the package folder the only path added) from exec to the first answer
  of ``handler.lambda_handler`` for an API Gateway v2 event. NexioQ: a signed-in patient's step 2
  of the wizard (a session in Redis, the user in PostgreSQL, the clinic in DynamoDB) and, in other
  processes, ``/health/``; the bare project: its one page. ``--cold`` times each, interleaved (one
  of each in turn, the order rotating), so a busy moment of the machine lands on all of them.
- **Warm**: one process each, ``--warm`` requests after a warm-up: NexioQ's wizard page and its
  availability JSON alternating (random professional and day), the minute's sweep event and the
  keep-warm event; the bare page. p50/p95/p99 in ms as the handler returns, and the DynamoDB
  requests per answer (``X-Dynamo-Requests``).

NexioQ runs with production settings (``NEXIOQ_ENV=production`` from its zappa_settings, JSON logs,
X-Ray on with no daemon to receive it, as on Lambda) against a throw-away stack this run starts on
loopback: DynamoDB Local in memory, PostgreSQL (``deploy.postgres.PostgresCluster``) and
redis-server. Two settings of the package are changed in the unzipped copy, because the rehearsal
has no AWS: ``PARAMETERS_PATH`` (SSM) is emptied and ``DYNAMODB_TABLE`` names the bench's table.
The clinic is seeded through ``booking_create`` (3 dentists, 600 bookings over 90 days).

Prints Markdown and writes bench/results/coldstart.md and coldstart.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.report import percentile
from bench.stack import REGION, STOP, TABLE, ServerOptions, Stack
from deploy import lambda_events
from nexioq import devservers

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
WORK = BASE_DIR / "var" / "bench-coldstart"  # the packages and the bare project (its packaging env is reused)
CHILD = (Path(__file__).parent / "lambda_child.py").read_text()
HOST = "reservas.nexioq.example"
SECRET_KEY = "bench-coldstart-" + secrets.token_hex(24)
STAGE = "prd"
BOOKINGS = 600
TIMEOUT = 120

BARE_VIEW = """from django.http import HttpResponse


def home(request):
    return HttpResponse("<!doctype html><title>Bare</title><h1>Hello from a bare Django project</h1>")
"""


def stats(values: list[float], scale: float = 1.0, digits: int = 3) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": round(statistics.median(values) * scale, digits),
        "p95": round(percentile(values, 0.95) * scale, digits),
        "p99": round(percentile(values, 0.99) * scale, digits),
        "min": round(min(values) * scale, digits),
        "max": round(max(values) * scale, digits),
    }


# ---------------------------------------------------------------- the packages


def bare_project(arch: str, memory_mb: int) -> Path:
    """``django-admin startproject bare`` with one view and Zappa settings like NexioQ's prd stage."""
    root = WORK / "bare"
    if not (root / "manage.py").exists():
        root.mkdir(parents=True, exist_ok=True)
        django_admin = Path(sys.executable).with_name("django-admin")
        subprocess.run([str(django_admin), "startproject", "bare", str(root)], check=True)
        settings = root / "bare" / "settings.py"
        text = settings.read_text()
        text = text.replace("DEBUG = True", "DEBUG = False").replace("ALLOWED_HOSTS = []", "ALLOWED_HOSTS = ['*']")
        settings.write_text(text)
        (root / "bare" / "views.py").write_text(BARE_VIEW)
        urls = root / "bare" / "urls.py"
        urls.write_text(
            urls.read_text()
            .replace("from django.urls import path", "from django.urls import path\n\nfrom bare import views")
            .replace("path('admin/', admin.site.urls),", "path('admin/', admin.site.urls),\n    path('', views.home),")
            .replace('path("admin/", admin.site.urls),', 'path("admin/", admin.site.urls),\n    path("", views.home),')
        )
    django_pin = next(
        line for line in (BASE_DIR / "requirements.txt").read_text().splitlines() if line.startswith("Django==")
    )
    (root / "requirements.txt").write_text(f"{django_pin}\n{boto3_pin()}\n")
    nexioq_stage = prd_settings()
    zappa = {
        STAGE: {
            "project_name": "bare",
            "django_settings": "bare.settings",
            "aws_region": "eu-west-1",
            "runtime": "python3.13",
            "architecture": arch,
            "memory_size": memory_mb,
            "apigateway_version": "v2",
            "debug": nexioq_stage.get("debug", False),
            "log_level": nexioq_stage.get("log_level", "INFO"),
            "s3_bucket": "bare-bench-deployments",
            "exclude": ["var", "dist", "__pycache__", "*.sqlite3", "pip", "setuptools", "_distutils_hack"],
        }
    }
    (root / "zappa_settings.json").write_text(json.dumps(zappa, indent=2))
    return root


def boto3_pin() -> str:
    """boto3 as NexioQ's package has it (django-ses brings it). Zappa's handler imports boto3; on Lambda
    the Python runtime provides it, here nothing does, so the bare package carries the same version."""
    site = BASE_DIR / "var" / "package"
    found = sorted(site.glob("*/lib/python*/site-packages/boto3-*.dist-info"))
    if not found:
        raise RuntimeError("build NexioQ's package first: boto3's version is read from it")
    return "boto3==" + found[0].name.removeprefix("boto3-").removesuffix(".dist-info")


def prd_settings() -> dict[str, Any]:
    """NexioQ's prd stage with what it extends merged in, as Zappa reads it (and make package)."""
    from deploy.package import stage_settings

    return stage_settings(json.loads((BASE_DIR / "zappa_settings.json").read_text()), STAGE)


def prd_memory_mb() -> int:
    """The memory prd runs with (Lambda's CPU share follows it)."""
    return int(str(prd_settings().get("memory_size", 512)))


def build(arch: str, memory_mb: int) -> dict[str, Any]:
    from deploy.package import build_package

    WORK.mkdir(parents=True, exist_ok=True)
    built: dict[str, Any] = {}
    began = time.perf_counter()
    # NexioQ as `make package` builds it (the defaults); the bare project differs only in what it names.
    nexioq = build_package(STAGE, arch=arch, output=WORK / f"nexioq-{STAGE}-{arch}.zip")
    built["nexioq"] = {"result": nexioq, "seconds": time.perf_counter() - began}
    began = time.perf_counter()
    root = bare_project(arch, memory_mb)
    bare = build_package(
        STAGE,
        arch=arch,
        output=WORK / f"bare-{STAGE}-{arch}.zip",
        project_dir=root,
        requirements=(root / "requirements.txt",),
        handler_requirements=(BASE_DIR / "requirements-lambda.txt",),
        settings_file=root / "zappa_settings.json",
    )
    built["bare"] = {"result": bare, "seconds": time.perf_counter() - began}
    return built


def unzip(archive: Path, folder: Path) -> None:
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(folder)
    # zipfile drops the permission bits: what Lambda runs must be readable, and binaries executable.
    for path in folder.rglob("*"):
        if path.is_file():
            path.chmod(0o755)


def override_package_env(folder: Path, values: dict[str, str]) -> None:
    """Zappa's handler sets the package's environment variables over the process's; change two of them."""
    settings = folder / "zappa_settings.py"
    text = settings.read_text()
    settings.write_text(
        text + f"\n# bench_coldstart: no SSM, the bench's table\nENVIRONMENT_VARIABLES.update({values!r})\n"
    )


# ---------------------------------------------------------------- events


def http_event(path: str, query: dict[str, str] | None = None, *, cookies: list[str] | None = None) -> dict[str, Any]:
    """A GET through API Gateway's HTTP API, as the custom domain sends it (no stage in the path)."""
    headers = {"user-agent": "bench-coldstart", "accept": "text/html,application/json", "accept-language": "es"}
    return lambda_events.http_event(
        "GET", path, host=HOST, query=urlencode(query or {}), cookies=cookies or [], headers=headers
    )


def scheduled_event(event: Mapping[str, str]) -> dict[str, Any]:
    """What EventBridge sends for one of the prd stage's rules."""
    return lambda_events.scheduled_event(event, lambda_name=f"nexioq-{STAGE}")


# ---------------------------------------------------------------- the measured processes


class Child:
    """One interpreter running Zappa's handler from ``folder`` (``bench/lambda_child.py``)."""

    def __init__(self, folder: Path, env: dict[str, str], log: Path) -> None:
        self.spawned = time.time()
        with log.open("ab") as err:
            self.process = subprocess.Popen(
                [PYTHON, "-I", "-S", "-c", CHILD, str(folder)],
                cwd=folder,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                bufsize=1,
            )
        self.log = log

    def ask(self, event: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(event) + "\n")
        self.process.stdin.flush()
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(
                    f"the handler process exited ({self.process.wait()}):\n{self.log.read_text()[-3000:]}"
                )
            if line.startswith("BENCH "):
                answer: dict[str, Any] = json.loads(line[6:])
                answer["received"] = time.time()
                return answer

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


# The base interpreter (not the virtualenv's, whose site-packages would stand behind the package).
PYTHON = getattr(sys, "_base_executable", sys.executable)


def cold(folder: Path, env: dict[str, str], event: dict[str, Any], log: Path, *, expect: int = 200) -> dict[str, float]:
    child = Child(folder, env, log)
    try:
        answer = child.ask(event)
    finally:
        child.close()
    if answer["status"] != expect:
        raise RuntimeError(f"cold start answered {answer['status']}, expected {expect}:\n{log.read_text()[-3000:]}")
    return {
        "total": answer["received"] - child.spawned,
        "interpreter": answer["started"] - child.spawned,
        "import_handler": answer["imported"] - answer["started"],
        "first_call": answer["answered"] - answer["imported"],
        "handler_ms": answer["ms"],
    }


def warm(child: Child, events: list[tuple[str, dict[str, Any], int]], warmup: int = 10) -> dict[str, Any]:
    """Every event in turn after ``warmup`` of them; per kind: handler ms and DynamoDB requests."""
    for _name, event, _expect in events[:warmup]:
        child.ask(event)
    measured: dict[str, dict[str, list[float]]] = {}
    for name, event, expect in events:
        if STOP.is_set():
            raise KeyboardInterrupt
        logged = child.log.stat().st_size
        answer = child.ask(event)
        if answer["status"] != expect:
            raise RuntimeError(f"{name}: HTTP {answer['status']}, expected {expect}:\n{child.log.read_text()[-3000:]}")
        kind = measured.setdefault(name, {"ms": [], "dynamo": [], "log": []})
        kind["ms"].append(answer["ms"])
        # What the process wrote to its log (CloudWatch Logs on Lambda) for this event.
        kind["log"].append(float(child.log.stat().st_size - logged))
        if answer["dynamo"] is not None:
            kind["dynamo"].append(float(answer["dynamo"]))
    return {
        name: {
            "ms": stats(v["ms"], digits=1),
            "mean_ms": round(statistics.fmean(v["ms"]), 1),
            "log_bytes": round(statistics.median(v["log"])),
            "dynamodb_requests": {
                "min": min(v["dynamo"]),
                "median": statistics.median(v["dynamo"]),
                "max": max(v["dynamo"]),
            }
            if v["dynamo"]
            else None,
        }
        for name, v in measured.items()
    }


# ---------------------------------------------------------------- the stack and the clinic


def start_stack(tmp: Path) -> tuple[Stack, Any, Any, dict[str, str]]:
    """PostgreSQL, Redis, DynamoDB Local with the table; Django in this process on the same stores."""
    from deploy.postgres import PostgresCluster

    cluster = PostgresCluster()
    cluster.start()
    database_url = cluster.createdb("nexioq")
    redis_port = devservers.free_port()
    redis = devservers.start_redis(port=redis_port, data_dir=tmp / "redis")
    shared = {
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
    }
    # This process writes the sessions the handler reads: the same cache, backend and key.
    os.environ.update(
        shared
        | {
            "SESSION_ENGINE": "django.contrib.sessions.backends.cache",
            "OUTBOX_KICK": "0",
            # The seed's confirmations are sent here, into memory, before anything is measured.
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    stack = Stack(tmp, ServerOptions())
    stack.start_storage()  # migrate runs against DATABASE_URL
    return stack, cluster, redis, shared


def child_env(stack: Stack, shared: dict[str, str], folder: Path, memory_mb: int) -> dict[str, str]:
    """What Lambda would give the function, plus the secrets SSM would, pointed at the bench's stack."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "HOME": str(folder),
        "LAMBDA_TASK_ROOT": str(folder),
        "AWS_LAMBDA_FUNCTION_NAME": f"nexioq-{STAGE}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "ALLOWED_HOSTS": HOST,
        "DYNAMODB_ENDPOINT": stack.endpoint,
        "DYNAMODB_COUNT_HEADER": "1",
        **shared,
    }


def seed_clinic(rng: random.Random) -> tuple[Any, list[str]]:
    """The clinic with BOOKINGS bookings, and a signed-in patient's session cookie."""
    from django.conf import settings
    from django.test import Client

    from access.models import Membership, Role
    from accounts.models import User
    from bench.seed import plan_bookings, seed_bookings, world_new

    world = world_new(label="3 dentists", professionals=3)
    result = seed_bookings(world, plan_bookings(world, BOOKINGS, rng), STOP)
    if result.failures:
        raise RuntimeError(f"seed failed: {result.failures}")
    # Every seeded booking's confirmation is due now: send them all here, so the handler's sweep
    # event measures the minute's sweep with nothing due (it would otherwise call SES, unreachable).
    from notifications import lambda_handlers

    while lambda_handlers.sweep({}, None):
        pass
    user, _ = User.objects.get_or_create(email="bench-coldstart@example.com")
    Membership.objects.get_or_create(user=user, tenant_id=world.tenant_id, role=Role.PATIENT)
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return world, [cookie]


def wizard_events(
    world: Any, cookies: list[str], count: int, rng: random.Random
) -> list[tuple[str, dict[str, Any], int]]:
    treatment = world.wizard_treatment.treatment_id
    events = []
    for index in range(count):
        professional = rng.choice(world.professionals).professional_id
        day = (world.today + dt.timedelta(days=rng.randint(1, 60))).isoformat()
        if index % 2 == 0:
            path = f"/c/{world.slug}/book/{treatment}/"
            events.append(
                ("wizard page", http_event(path, {"professional": professional, "date": day}, cookies=cookies), 200)
            )
        else:
            path = f"/c/{world.slug}/book/{treatment}/availability.json"
            events.append(
                ("availability", http_event(path, {"professional": professional, "start": day}, cookies=cookies), 200)
            )
    return events


# ---------------------------------------------------------------- the run


def run(cold_runs: int, warm_requests: int, tmp: Path) -> dict[str, Any]:
    from deploy.package import host_arch

    arch = host_arch()
    memory_mb = prd_memory_mb()
    results: dict[str, Any] = {"arch": arch, "memory_size_mb": memory_mb, "stage": STAGE}
    print(f"building the packages ({arch})...", file=sys.stderr)
    built = build(arch, memory_mb)
    results["packages"] = {
        name: {
            "zipped_mb": round(b["result"].zipped_bytes / 2**20, 1),
            "unzipped_mb": round(b["result"].unzipped_bytes / 2**20, 1),
            "build_seconds": round(b["seconds"], 1),
        }
        for name, b in built.items()
    }
    folders = {name: tmp / name for name in built}
    for name, b in built.items():
        unzip(b["result"].path, folders[name])
    rng = random.Random(10)
    stack, cluster, redis, shared = start_stack(tmp / "stack")
    try:
        world, cookies = seed_clinic(rng)
        override_package_env(folders["nexioq"], {"PARAMETERS_PATH": "", "DYNAMODB_TABLE": TABLE})
        nexioq_env = child_env(stack, shared, folders["nexioq"], memory_mb)
        bare_env = {"PATH": nexioq_env["PATH"], "LANG": "C.UTF-8", "HOME": str(folders["bare"])}
        day = (world.today + dt.timedelta(days=7)).isoformat()
        page = http_event(
            f"/c/{world.slug}/book/{world.wizard_treatment.treatment_id}/",
            {"professional": world.professionals[0].professional_id, "date": day},
            cookies=cookies,
        )
        kinds = {
            "nexioq wizard page": (folders["nexioq"], nexioq_env, page),
            "nexioq /health/": (folders["nexioq"], nexioq_env, http_event("/health/")),
            "bare page": (folders["bare"], bare_env, http_event("/")),
        }
        logs = tmp / "logs"
        logs.mkdir()
        # One untimed start of each: the first read of the package's files from disk is not a cold start's.
        for name, (folder, env, event) in kinds.items():
            cold(folder, env, event, logs / f"{name.replace('/', '')}.log")
        load_before = os.getloadavg()
        began = time.perf_counter()
        timings: dict[str, list[dict[str, float]]] = {name: [] for name in kinds}
        order = list(kinds)
        for index in range(cold_runs):
            for name in order[index % len(order) :] + order[: index % len(order)]:
                if STOP.is_set():
                    raise KeyboardInterrupt
                folder, env, event = kinds[name]
                timings[name].append(cold(folder, env, event, logs / f"{name.replace('/', '')}.log"))
        results["cold_seconds"] = round(time.perf_counter() - began, 1)
        results["load_average_during_cold"] = [load_before, os.getloadavg()]
        results["cold"] = {
            name: {part: stats([t[part] for t in runs]) for part in runs[0]} for name, runs in timings.items()
        }
        nexioq_total = [t["total"] for t in timings["nexioq wizard page"]]
        bare_total = [t["total"] for t in timings["bare page"]]
        results["cold_ratio"] = {
            "wizard_page_over_bare_p50": round(statistics.median(nexioq_total) / statistics.median(bare_total), 2),
            "health_over_bare_p50": round(
                statistics.median(t["total"] for t in timings["nexioq /health/"]) / statistics.median(bare_total), 2
            ),
            "wizard_page_over_bare_p95": round(percentile(nexioq_total, 0.95) / percentile(bare_total, 0.95), 2),
        }
        # Warm: one process each, as a warm Lambda container serves one request after another.
        began = time.perf_counter()
        child = Child(folders["nexioq"], nexioq_env, logs / "warm-nexioq.log")
        try:
            child.ask(page)
            events = wizard_events(world, cookies, 2 * warm_requests, rng)
            sweep = scheduled_event({"function": "notifications.lambda_handlers.sweep"})
            events += [("sweep event", sweep, None)] * 50  # type: ignore[list-item]
            events += [("keep warm", scheduled_event(lambda_events.KEEP_WARM), None)] * 50  # type: ignore[list-item]
            events += [("/health/", http_event("/health/"), 200)] * 50
            warm_nexioq = warm(child, events)
        finally:
            child.close()
        child = Child(folders["bare"], bare_env, logs / "warm-bare.log")
        try:
            child.ask(http_event("/"))
            warm_bare = warm(child, [("bare page", http_event("/"), 200)] * warm_requests)
        finally:
            child.close()
        results["warm"] = {"nexioq": warm_nexioq, "bare": warm_bare}
        results["warm_seconds"] = round(time.perf_counter() - began, 1)
        results["seeded"] = {"bookings": BOOKINGS, "professionals": 3}
    finally:
        stack.stop()
        devservers.stop(redis)
        cluster.stop()
    return results


def markdown(r: dict[str, Any]) -> str:
    lines = [
        f"## Cold start and per-request latency through Zappa's handler, {r['started']}",
        "",
        f"Packages for {r['arch']} (stage {r['stage']}): NexioQ {r['packages']['nexioq']['zipped_mb']} MB zipped / "
        f"{r['packages']['nexioq']['unzipped_mb']} MB unzipped; bare Django {r['packages']['bare']['zipped_mb']} / "
        f"{r['packages']['bare']['unzipped_mb']} MB. Load average before / after the cold runs: "
        f"{r['load_average_during_cold'][0][0]:.2f} / {r['load_average_during_cold'][1][0]:.2f} ({r['machine']}).",
        "",
        "| cold start, exec to first answer (s) | p50 | p95 | min | max | interpreter | import handler | first call (Django setup + request) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, parts in r["cold"].items():
        t = parts["total"]
        lines.append(
            f"| {name} ({t['n']} runs) | **{t['p50']:.3f}** | {t['p95']:.3f} | {t['min']:.3f} | {t['max']:.3f} | "
            f"{parts['interpreter']['p50']:.3f} | {parts['import_handler']['p50']:.3f} | {parts['first_call']['p50']:.3f} |"
        )
    ratio = r["cold_ratio"]
    lines += [
        "",
        f"Ratio NexioQ ÷ bare Django, p50: wizard page **x{ratio['wizard_page_over_bare_p50']}**, /health/ "
        f"x{ratio['health_over_bare_p50']} (p95: x{ratio['wizard_page_over_bare_p95']}).",
        "",
        "| warm, through the handler (ms) | requests | p50 | p95 | p99 | DynamoDB requests per answer | log bytes per event |",
        "|---|---|---|---|---|---|---|",
    ]
    for app, kinds in r["warm"].items():
        for name, k in kinds.items():
            d = k["dynamodb_requests"]
            dynamo = (
                f"{d['min']:g}-{d['max']:g} (median {d['median']:g})"
                if d and d["min"] != d["max"]
                else (f"{d['min']:g}" if d else "-")
            )
            lines.append(
                f"| {app}: {name} | {k['ms']['n']} | {k['ms']['p50']} | {k['ms']['p95']} | {k['ms']['p99']} | {dynamo} | {k['log_bytes']:,} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold", type=int, default=15, help="cold starts of each kind")
    parser.add_argument("--warm", type=int, default=300, help="warm requests of each kind")
    args = parser.parse_args()
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    began = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="nexioq-bench-coldstart-") as tmp:
            results = run(args.cold, args.warm, Path(tmp))
    except KeyboardInterrupt:
        print("interrupted; the servers this run started are stopped", file=sys.stderr)
        return 130
    results["started"] = started
    results["seconds"] = round(time.perf_counter() - began, 1)
    results["machine"] = f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.machine()}"
    report = markdown(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "coldstart.json").write_text(json.dumps(results, indent=2, default=str))
    (RESULTS / "coldstart.md").write_text(report + "\n")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
