"""The production rehearsal: the prd Lambda package, unzipped and run as Lambda runs it.

The package is built by ``deploy.package`` for this machine's architecture (the arm64 one differs
only in its wheels), unzipped into a temporary folder and run by a process whose cwd and
``sys.path`` are that folder alone (``python -S -P``: no site-packages, not the repository).
Settings are production's: ``NEXIOQ_ENV=production`` and the rest of the stage's variables come
from the ``zappa_settings.py`` Zappa wrote into the package, the secrets from SSM Parameter Store.

Real parts: PostgreSQL (a throw-away cluster), Redis, DynamoDB Local (a table of the rehearsal's
own), an SMTP server. AWS is replaced at its boundary, and only there: SSM by a local endpoint
that answers GetParametersByPath (``AWS_ENDPOINT_URL_SSM``), SES by the SMTP sink (Django's SMTP
backend instead of django-ses), API Gateway and EventBridge by the events they send.

The deploy steps run from inside the package (``manage.py migrate``, ``dynamo_table``, a seed), then
Zappa's ``handler.lambda_handler`` receives API Gateway v2 (HTTP API, payload 2.0) events through
``lambda_driver.py``, and the minute's scheduled event sends the confirmation the seed's booking is
due.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import select
import shutil
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import brotli
import pytest

from deploy.lambda_events import API_HOST, KEEP_WARM, http_event, scheduled_event
from deploy.package import BASE_DIR, PackageResult, build_package, host_arch, stage_settings
from deploy.postgres import PostgresCluster
from nexioq.mailsink import MailSink
from tests.local_ssm import LocalSSM
from tests.servers import RedisServer

STAGE = "prd"
LAMBDA_NAME = f"nexioq-{STAGE}"
HOST = API_HOST  # no custom domain here: the API's own, with the stage in the path
ORIGIN = f"https://{HOST}"
CLINIC = "sonrisa"
ADMIN = "admin@sonrisa.example"
PATIENT_EMAIL = "rehearsal.patient@example.com"
DRIVER = Path(__file__).with_name("lambda_driver.py")

# What SSM Parameter Store holds under /nexioq/prd/ (the suite's servers fill in the URLs).
SECRET_KEY = "rehearsal-" + uuid.uuid4().hex * 2
DEMO_PASSWORD = "rehearsal-" + uuid.uuid4().hex[:12]

# The deploy's seed: the demo clinic's catalogue and people (seed_demo's own steps, which it
# refuses to run in production for its published password) and one booking, whose confirmation
# the outbox holds due now.
SEED = f"""
import datetime as dt
import uuid
from django.utils import timezone
from access.permissions import Actor
from booking import selectors, services
from booking.management.commands import seed_demo as demo
from clinics.selectors import clinic_get, professional_list, treatment_list

command = demo.Command()
clinic = command.clinic(slug="sonrisa", tenant_id=demo.DEMO_TENANT_ID, name="Clínica Dental Sonrisa",
                        address="Calle 93 # 15-40, Bogotá", phone="+57 601 555 0199")
command.treatments(clinic, demo.TREATMENTS)
command.professionals(clinic, demo.PROFESSIONALS)
second = command.clinic(slug="norte", tenant_id=demo.SECOND_TENANT_ID, name="Clínica Dental Norte",
                        address="Carrera 43A # 1-50, Medellín", phone="+57 604 555 0142")
command.users(first=clinic, second=second)
clinic = clinic_get(tenant_id=clinic.tenant_id)
treatment = next(t for t in treatment_list(tenant_id=clinic.tenant_id) if t.treatment_id == "limpieza")
professional = next(p for p in professional_list(tenant_id=clinic.tenant_id) if p.professional_id == "dra-gomez")
now = timezone.now()
today = now.astimezone(clinic.zone).date()
slots = [slot for offset in range(1, 8) for slot in selectors.availability(
    clinic=clinic, treatment=treatment, professionals=[professional],
    first_day=today + dt.timedelta(days=offset), last_day=today + dt.timedelta(days=offset), now=now)]
services.booking_create(
    tenant_id=clinic.tenant_id, treatment_id=treatment.treatment_id, professional_id=professional.professional_id,
    start=slots[0].start, actor=Actor.system(tenant_id=clinic.tenant_id), booking_id=uuid.uuid4().hex,
    patient=services.PatientDetails(name="Paciente Ensayo", email="{PATIENT_EMAIL}", phone="+573104567890"),
)
print("seeded")
"""


# ---------------------------------------------------------------- the Lambda process


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-cased names
    cookies: list[str]
    body: bytes
    base64: bool
    request_id: str

    @property
    def text(self) -> str:
        return self.body.decode()


class LambdaProcess:
    """The package's handler in its own process (``lambda_driver.py``), one invocation at a time."""

    def __init__(self, folder: Path, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self.invocations: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-S", "-P", "-c", DRIVER.read_text()],
            cwd=folder,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        self.ready = self._read(timeout=60)

    def _read(self, *, timeout: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            raise AssertionError(f"The Lambda process did not answer (exit {self.process.poll()}):\n{self.log()}")
        return dict(json.loads(line))

    def invoke(self, event: dict[str, Any], *, request_id: str | None = None) -> dict[str, Any]:
        assert self.process.stdin is not None
        request_id = request_id or str(uuid.uuid4())
        self.process.stdin.write(json.dumps({"event": event, "request_id": request_id}) + "\n")
        self.process.stdin.flush()
        answer = self._read(timeout=60)
        assert answer["error"] is None, answer["error"] + self.log()
        self.invocations.append({"request_id": request_id, **answer})
        return answer

    def http(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        cookies: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> Response:
        request_id = str(uuid.uuid4())
        result = self.invoke(
            rehearsal_event(method, path, query=query, cookies=cookies or {}, headers=headers or {}, body=body),
            request_id=request_id,
        )["result"]
        raw = result.get("body") or ""
        encoded = bool(result.get("isBase64Encoded"))
        response = Response(
            status=int(result["statusCode"]),
            headers={name.lower(): value for name, value in result.get("headers", {}).items()},
            cookies=list(result.get("cookies", [])),
            body=base64.b64decode(raw) if encoded else raw.encode(),
            base64=encoded,
            request_id=request_id,
        )
        self.statuses.append(response.status)
        return response

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def json_lines(self) -> list[dict[str, Any]]:
        lines = []
        for line in self.log().splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()


def rehearsal_event(
    method: str, path: str, *, query: str, cookies: dict[str, str], headers: dict[str, str], body: bytes | None
) -> dict[str, Any]:
    """A browser's request as API Gateway hands it to the function, on the API's own domain (the
    stage is the first segment of the path)."""
    browser_headers = {
        "accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "accept-encoding": "gzip, deflate, br",
        "accept-language": "es-CO,es;q=0.9",
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64) rehearsal",
        "x-amzn-trace-id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}",
    }
    return http_event(
        method,
        path,
        host=HOST,
        stage=STAGE,
        query=query,
        cookies=[f"{name}={value}" for name, value in cookies.items()],
        headers=browser_headers | headers,
        body=body,
    )


def stage_event(function: str) -> dict[str, Any]:
    """The stage's "events" entry for ``function`` (prd has dev's, through "extends")."""
    events = stage_settings(json.loads((BASE_DIR / "zappa_settings.json").read_text()), STAGE)["events"]
    assert isinstance(events, list)
    return next(event for event in events if event["function"] == function)


class Browser:
    """Cookies kept between requests, as a browser would; forms read from the page."""

    def __init__(self, handler: LambdaProcess) -> None:
        self.handler = handler
        self.cookies: dict[str, str] = {}

    def get(self, path: str, **kwargs: Any) -> Response:
        return self._keep(self.handler.http("GET", path, cookies=self.cookies, **kwargs))

    def post(self, path: str, data: list[tuple[str, str]], *, referer: str | None = None) -> Response:
        headers = {
            "content-type": "application/x-www-form-urlencoded",
            "origin": ORIGIN,
            "referer": f"{ORIGIN}/{STAGE}{referer or path}",
        }
        body = urlencode(data).encode()
        return self._keep(self.handler.http("POST", path, cookies=self.cookies, headers=headers, body=body))

    def _keep(self, response: Response) -> Response:
        for cookie in response.cookies:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in cookie.lower() or value in {"", '""'}:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response


class Forms(HTMLParser):
    """Every form of a page: its attributes and the fields a browser would submit."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[tuple[dict[str, str], list[tuple[str, str]]]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append((values, []))
        elif not self.forms:
            return
        fields = self.forms[-1][1]
        if tag == "input" and values.get("name"):
            kind = values.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in values:
                return
            if kind not in {"submit", "button"}:
                fields.append((values["name"], values.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = values.get("name")
        elif tag == "option" and self._select and "selected" in values:
            fields.append((self._select, values.get("value", "")))
        elif tag == "textarea":
            self._textarea = values.get("name")
            fields.append((self._textarea or "", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            fields = self.forms[-1][1]
            name, value = fields[-1]
            fields[-1] = (name, value + data)

    def having(self, field_name: str) -> list[tuple[str, str]]:
        for _, fields in self.forms:
            if any(name == field_name for name, _ in fields):
                return list(fields)
        raise AssertionError(f"no form with a {field_name!r} field")


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def prd_package(tmp_path_factory: pytest.TempPathFactory) -> PackageResult:
    """The prd package for this machine, built once (the packaging environment is cached in var/package)."""
    return build_package(STAGE, arch=host_arch(), output=tmp_path_factory.mktemp("package") / "nexioq-prd.zip")


@dataclass
class Rehearsal:
    folder: Path
    handler: LambdaProcess
    ssm: LocalSSM
    sink: MailSink
    deploy_log: str
    secrets: dict[str, str]
    env: dict[str, str]


@pytest.fixture(scope="module")
def rehearsal(
    prd_package: PackageResult,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server: PostgresCluster,
    dynamodb_local: str,
    _redis_process: RedisServer,
    _smtp_sink_server: MailSink,
) -> Iterator[Rehearsal]:
    folder = tmp_path_factory.mktemp("lambda-task")
    with zipfile.ZipFile(prd_package.path) as archive:
        archive.extractall(folder)
    database = f"rehearsal_{uuid.uuid4().hex[:8]}"
    database_url = postgres_server.createdb(database)
    _redis_process.start()
    sink = _smtp_sink_server
    sink.clear()
    sink.accept()
    secrets = {
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": f"{HOST},reservas.nexioq.example",
        "DATABASE_URL": database_url,
        "REDIS_URL": _redis_process.url,
        "DEMO_PASSWORD": DEMO_PASSWORD,
    }
    ssm = LocalSSM({f"/nexioq/{STAGE}/{name}": value for name, value in secrets.items()})
    ssm.start()
    table = f"rehearsal-{uuid.uuid4().hex[:8]}"
    stage_env = _package_environment(folder)
    env = {
        # What Lambda's runtime provides: the region, the role's credentials, a UTF-8 locale.
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "ASIAREHEARSAL",
        "AWS_SECRET_ACCESS_KEY": "rehearsal-secret",
        "AWS_SESSION_TOKEN": "rehearsal-token",
        "PYTHONPATH": str(folder),
        "PYTHONDONTWRITEBYTECODE": "1",  # Lambda's file system is read-only
        # AWS at the boundary: SSM answers locally; DynamoDB is DynamoDB Local; SES is an SMTP server.
        "AWS_ENDPOINT_URL_SSM": ssm.url,
        "DYNAMODB_ENDPOINT": dynamodb_local,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": sink.host,
        "EMAIL_PORT": str(sink.port),
        # The driver sets the handler's table to this one (the stage's name is nexioq-prd).
        "REHEARSAL_DYNAMODB_TABLE": table,
        # Lambda's own: X-Ray's SDK works in its Lambda mode (the driver sets _X_AMZN_TRACE_ID per
        # invocation, as the runtime does); no daemon listens, segments go over UDP unread.
        "LAMBDA_TASK_ROOT": str(folder),
        "AWS_LAMBDA_FUNCTION_NAME": f"nexioq-{STAGE}",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
    }
    # `zappa manage prd <command>` runs a management command with the stage's variables: so here.
    manage_env = {**env, **stage_env, "DYNAMODB_TABLE": table}
    deploy_log = ""
    for command in (["migrate", "--noinput"], ["dynamo_table"], ["shell", "-c", SEED]):
        result = subprocess.run(
            [sys.executable, "-S", "-P", "manage.py", *command],
            cwd=folder,
            env=manage_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        deploy_log += result.stdout + result.stderr
        assert result.returncode == 0, f"manage.py {command[0]}: {result.stdout}{result.stderr}"
    handler = LambdaProcess(folder, env, tmp_path_factory.mktemp("lambda-log") / "stderr.log")
    yield Rehearsal(folder=folder, handler=handler, ssm=ssm, sink=sink, deploy_log=deploy_log, secrets=secrets, env=env)
    handler.close()
    ssm.stop()
    postgres_server.dropdb(database)
    shutil.rmtree(folder, ignore_errors=True)


def _package_environment(folder: Path) -> dict[str, str]:
    """The stage's environment variables, from the settings module Zappa wrote into the package."""
    namespace: dict[str, Any] = {}
    exec((folder / "zappa_settings.py").read_text(), namespace)  # noqa: S102 -- Zappa's generated literals
    return dict(namespace["ENVIRONMENT_VARIABLES"])


@pytest.fixture(scope="module")
def admin(rehearsal: Rehearsal) -> Browser:
    """The demo clinic's admin, signed in through allauth's form with its CSRF token."""
    browser = Browser(rehearsal.handler)
    page = browser.get("/accounts/login/")
    assert page.status == 200, page.text
    assert "Contraseña" in page.text  # allauth's own Spanish catalogue, which the package keeps
    assert "csrftoken" in browser.cookies
    form = dict(Forms(page.text).having("csrfmiddlewaretoken"))
    signed_in = browser.post(
        "/accounts/login/",
        [("csrfmiddlewaretoken", form["csrfmiddlewaretoken"]), ("login", ADMIN), ("password", DEMO_PASSWORD)],
    )
    assert signed_in.status == 302, signed_in.text
    assert signed_in.headers["location"].startswith(f"/{STAGE}/")
    assert "sessionid" in browser.cookies
    return browser


# ---------------------------------------------------------------- tests


def test_it_builds_a_package_within_lambdas_limits(prd_package: PackageResult) -> None:
    assert prd_package.arch == host_arch()
    assert prd_package.over_budget == [], prd_package.summary()
    with zipfile.ZipFile(prd_package.path) as archive:
        names = set(archive.namelist())
        handler_settings = archive.read("zappa_settings.py").decode()
    # Zappa's debug mode would log every raw event (bodies, cookies) and show tracebacks in a 500.
    assert "DEBUG=False" in handler_settings and "LOG_LEVEL='INFO'" in handler_settings
    # Zappa looks for a WebSocket handler in what it scans: not in the packaging environment.
    assert "WEBSOCKET_HANDLER_MODULE" not in handler_settings
    # The handler Zappa runs, its settings, the collected static files with their manifest.
    assert {"handler.py", "zappa_settings.py", "django_zappa_app.py", "staticfiles/staticfiles.json"} <= names
    # Deploy tooling, tests and sources of the static files stay out.
    assert not any(name.startswith(("deploy/", "tests/", "bench/", "docs/", "static/src/", "var/")) for name in names)
    # Bytecode only for the libraries (no source beside a .pyc), and the project's beside its source.
    assert "django/db/models/query.pyc" in names and "django/db/models/query.py" not in names
    tag = sys.implementation.cache_tag
    assert {"booking/services.py", f"booking/__pycache__/services.{tag}.pyc"} <= names
    # Only our languages' catalogues and locale data.
    assert "babel/locale-data/es_CO.dat" in names and "babel/locale-data/fr.dat" not in names
    assert "django/conf/locale/es/LC_MESSAGES/django.mo" in names
    assert not any(name.startswith("django/conf/locale/fr/") for name in names)


def test_it_runs_from_the_package_alone(rehearsal: Rehearsal) -> None:
    # The deploy's steps ran from the package: migrations, the table, the seed.
    assert "Applying accounts.0001_initial... OK" in rehearsal.deploy_log
    assert re.search(r"DynamoDB table rehearsal-[0-9a-f]{8}: created", rehearsal.deploy_log)
    assert "seeded" in rehearsal.deploy_log
    assert rehearsal.handler.ready["sys_path"][0] == str(rehearsal.folder)
    probe = subprocess.run(
        [sys.executable, "-S", "-P", "-c", "import django, zappa; print(django.__file__); import pytest"],
        cwd=rehearsal.folder,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(rehearsal.folder), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.stdout.startswith(str(rehearsal.folder)), probe.stdout + probe.stderr
    # A dev-only package is not there to import.
    assert "ModuleNotFoundError: No module named 'pytest'" in probe.stderr


def test_it_reads_its_secrets_from_ssm_at_start(rehearsal: Rehearsal) -> None:
    response = rehearsal.handler.http("GET", "/health/")  # the handler loads the settings on its first event

    assert response.status == 200
    # Production settings refuse to load without these, and only SSM has them.
    assert not set(rehearsal.secrets) & set(rehearsal.env)
    # migrate, dynamo_table, the seed and the handler: each process read them once, at start.
    assert len(rehearsal.ssm.requests) == 4
    for request in rehearsal.ssm.requests:
        assert request["target"] == "AmazonSSM.GetParametersByPath"
        assert request["Path"] == f"/nexioq/{STAGE}/"
        assert request["WithDecryption"] is True


def test_it_answers_the_health_check(rehearsal: Rehearsal) -> None:
    response = rehearsal.handler.http("GET", "/health/")

    assert response.status == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert json.loads(response.body) == {"status": "ok", "dynamodb": "ok", "database": "ok"}


def test_it_serves_the_wizard_in_spanish(rehearsal: Rehearsal) -> None:
    response = rehearsal.handler.http("GET", f"/c/{CLINIC}/")

    assert response.status == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert not response.base64
    page = response.text
    assert '<html lang="es"' in page
    assert "Valoración inicial" in page and "Limpieza dental (profilaxis)" in page
    # Prices formatted by Babel's Spanish (Colombia) data, which the package keeps.
    assert "$60.000" in page and "COP" not in page, page
    # Links carry the stage: Zappa strips it from the path and hands it to Django as SCRIPT_NAME.
    assert f'href="/{STAGE}/c/{CLINIC}/book/valoracion/"' in page


def test_it_serves_a_static_file_by_its_hashed_name_with_a_years_cache(rehearsal: Rehearsal) -> None:
    page = rehearsal.handler.http("GET", f"/c/{CLINIC}/").text
    match = re.search(rf'href="/{STAGE}(/static/css/app\.[0-9a-f]{{12}}\.css)"', page)
    assert match is not None, page
    stylesheet = match.group(1)

    brotli_copy = rehearsal.handler.http("GET", stylesheet)
    gzip_copy = rehearsal.handler.http("GET", stylesheet, headers={"accept-encoding": "gzip"})
    plain = rehearsal.handler.http("GET", stylesheet, headers={"accept-encoding": "identity"})

    for response in (brotli_copy, gzip_copy, plain):
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/css")
        assert response.headers["cache-control"] == "max-age=315360000, public, immutable"
    # Whitenoise's compressed copies go back as binary bodies (base64, which API Gateway decodes):
    # brotli for a browser that takes it, gzip for one that takes only that.
    assert brotli_copy.headers["content-encoding"] == "br"
    assert gzip_copy.headers["content-encoding"] == "gzip"
    assert brotli_copy.base64 and gzip_copy.base64
    assert brotli.decompress(brotli_copy.body) == plain.body
    assert gzip.decompress(gzip_copy.body) == plain.body
    assert len(brotli_copy.body) < len(gzip_copy.body) < len(plain.body)
    assert b".bg-white" in plain.body or b"--tw" in plain.body


def test_it_signs_in_and_refuses_a_stale_edit_with_409(rehearsal: Rehearsal, admin: Browser) -> None:
    path = f"/c/{CLINIC}/admin/treatments/valoracion/"
    page = admin.get(path)
    assert page.status == 200, page.text
    form = Forms(page.text).having("version")
    fields = dict(form)
    assert fields["name"] == "Valoración inicial"

    renamed = [(name, "Valoración inicial y plan" if name == "name" else value) for name, value in form]
    saved = admin.post(path, renamed)
    stale = admin.post(path, [(name, "Valoración (otra pestaña)" if name == "name" else v) for name, v in form])

    assert saved.status == 302, saved.text
    assert saved.headers["location"] == f"/{STAGE}/c/{CLINIC}/admin/treatments/"
    assert stale.status == 409, stale.text
    # The page shows what is saved now, with its version, for the admin to start over from.
    current = dict(Forms(stale.text).having("version"))
    assert current["name"] == "Valoración inicial y plan"
    assert int(current["version"]) == int(fields["version"]) + 1


def test_it_refuses_a_form_post_without_csrf_with_403(rehearsal: Rehearsal, admin: Browser) -> None:
    path = f"/c/{CLINIC}/admin/treatments/limpieza/"
    form = Forms(admin.get(path).text).having("version")
    without_token = [(name, "Limpieza (sin token)" if name == "name" else value) for name, value in form]
    without_token = [(name, value) for name, value in without_token if name != "csrfmiddlewaretoken"]

    refused = admin.post(path, without_token)

    assert refused.status == 403, refused.text
    assert "Este formulario expiró" in refused.text
    assert dict(Forms(admin.get(path).text).having("version"))["name"] == "Limpieza dental (profilaxis)"


def test_it_answers_an_unknown_url_with_404_in_the_products_layout(rehearsal: Rehearsal) -> None:
    response = rehearsal.handler.http("GET", "/no-such-page/")

    assert response.status == 404
    assert "No encontramos esa página" in response.text
    assert "Reservas en línea con NexioQ" in response.text
    assert re.search(rf"/{STAGE}/static/css/app\.[0-9a-f]{{12}}\.css", response.text)


def test_the_scheduled_sweep_sends_the_due_confirmation(rehearsal: Rehearsal) -> None:
    sweep = scheduled_event(stage_event("notifications.lambda_handlers.sweep"), lambda_name=LAMBDA_NAME)
    assert sweep["resources"][0].endswith("rule/nexioq-prd-notifications.lambda_handlers.sweep")

    answer = rehearsal.handler.invoke(sweep)

    assert answer["result"] >= 1
    delivered = [message for message in rehearsal.sink.messages if message["To"] == PATIENT_EMAIL]
    assert len(delivered) == 1, [message["To"] for message in rehearsal.sink.messages]
    assert delivered[0]["Subject"].startswith("Tu cita"), delivered[0]["Subject"]
    # A second sweep finds nothing due: the item left the due index.
    again = rehearsal.handler.invoke(
        scheduled_event(stage_event("notifications.lambda_handlers.sweep"), lambda_name=LAMBDA_NAME)
    )
    assert again["result"] == 0
    assert len([message for message in rehearsal.sink.messages if message["To"] == PATIENT_EMAIL]) == 1


def test_it_takes_the_keep_warm_event(rehearsal: Rehearsal) -> None:
    # prd keeps warm: Zappa adds this rule; the handler answers it without touching the app.
    assert stage_settings(json.loads((BASE_DIR / "zappa_settings.json").read_text()), STAGE)["keep_warm"] is True

    answer = rehearsal.handler.invoke(scheduled_event(KEEP_WARM, lambda_name=LAMBDA_NAME))

    assert answer["result"] is None


def test_its_log_lines_are_json_with_request_ids_and_no_personal_data(rehearsal: Rehearsal, admin: Browser) -> None:
    response = rehearsal.handler.http("GET", f"/c/{CLINIC}/")
    assert response.status == 200

    lines = rehearsal.handler.json_lines()
    requests = [line for line in lines if line.get("logger") == "nexioq.request"]
    assert any(line["request_id"] == response.request_id and line["status"] == 200 for line in requests)
    sent = {invocation["request_id"] for invocation in rehearsal.handler.invocations}
    assert {line["request_id"] for line in requests} <= sent
    # What the app and Django log while serving carries the request's id (the CSRF refusal does).
    served = [line for line in lines if line["logger"].startswith(("nexioq.", "django."))]
    assert served and all(line.get("request_id") in sent for line in served), served
    # Zappa's access line (client IP, user agent) is off: the request line above replaces it.
    assert not [line for line in lines if line["logger"].startswith("zappa")]
    assert "203.0.113.7" not in rehearsal.handler.log()
    log = rehearsal.handler.log()
    # No e-mail address (the admin signed in with one, the seed's patient has one) and no secret.
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", log), log
    for secret in (SECRET_KEY, DEMO_PASSWORD):
        assert secret not in log
    # No response was a 500, and nothing was logged as an error.
    assert 500 not in rehearsal.handler.statuses
    assert not [line for line in lines if line.get("level") in {"ERROR", "CRITICAL"}], log
