"""Hostile input on every URL of ours: whatever arrives, the answer is below 500.

Each URL is a ``Family``: its path segments and its query or form fields, each with the values a
real page sends and hostile ones (calendar edges, times without a zone, ids longer than a DynamoDB
key, control and bidirectional characters, broken percent-escapes, repeated parameters, huge
bodies, wrong methods). A request starts valid and has a few of its parts corrupted, so the fuzz
gets past the forms into the services. Requests go as anonymous, the clinic's patient and its
admin; the Django admin's clinic pages as platform staff. A 500 raises in the test client (its
default), so the failure shows the traceback and hypothesis's smallest request.

A URL of ours without a family fails ``test_it_has_a_family_for_every_url``. A deeper run:
``NEXIOQ_FUZZ_EXAMPLES=500 .venv/bin/python -m pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.test import Client, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import Resolver404, get_resolver, path, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from access.models import Invitation, Membership, Role
from nexioq.dynamo import iso_utc
from nexioq.middleware import wants_json
from nexioq.urls import urlpatterns as project_urls
from tests.conftest import DAY, People, World, at, book
from tests.test_permission_matrix import THIRD_PARTY_PREFIXES, _named_routes

pytestmark = pytest.mark.django_db

# No example database (the run leaves no files behind); more examples on demand.
FUZZ = settings(
    max_examples=int(os.environ.get("NEXIOQ_FUZZ_EXAMPLES", "40")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ROLES = ("anonymous", "patient", "admin")
PLATFORM_STAFF = ("owner",)
WRONG_METHODS = ("PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "PROPFIND")
# Django's limits are 2.5 MB of form data and 1,000 fields: one past each.
HUGE_VALUE = 2_700_000
MANY_FIELDS = 1_200

# ---------------------------------------------------------------- hostile values

EDGE_DATES = (
    "0001-01-01",
    "9999-12-31",
    "2026-02-29",
    "2028-02-29",
    "2028-02-30",
    "2026-02-30",
    "2026-12-31",
    "10000-01-01",
    "-2026-12-01",
    "0000-00-00",
    "2026-00-01",
    "2026-12-00",
    "2026-12-32",
    "2026-W49-2",
    "20261201",
    "2026-12-01T00:00",
    "1970-01-01",
    "2038-01-19",
)
EDGE_INSTANTS = (
    "2026-12-01T12:00:00",  # no zone: must be refused, not taken as UTC
    "2026-12-01T12:00",
    "2026-12-01 12:00:00",
    "2026-12-01T12:00:00Z",
    "2026-12-01T12:00:00+00:00",
    "2026-12-01T12:00:00-05:00",
    "2026-12-01T12:00:00+14:00",
    "2026-12-01T12:00:00-23:59",
    "2026-12-01T12:00:00+24:00",
    "2026-12-01T12:00:00+99:99",
    "2026-12-01T12:00:00.999999Z",
    "2026-12-01T25:00:00Z",
    "2026-02-29T12:00:00Z",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",
    "0001-01-01T04:59:59Z",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-01:00",
    "9999-12-31T23:59:59+14:00",
    "10000-01-01T00:00:00Z",
    "-0001-01-01T00:00:00Z",
    "1e400",
    "NaN",
)
NASTY = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\t\r\n",
    "\r\nSet-Cookie: x=1",
    "\u202e",
    "\u200f\u200e",
    "\u202egnp.exe",
    "\ufeff",
    "\ufffd",
    "\\ud800",
    "\\udcff\\ud83d",
    "%00",
    "%ED%A0%80",
    "😀",
    "👩🏽‍⚕️",
    "Ω≈ç√",
    "../../etc/passwd",
    "#",
    "a#b",
    "?x=1",
    "/",
    "null",
    "None",
    "undefined",
    "-1",
    "0",
    "1e309",
    "NaN",
    "9" * 40,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{}",
    "[]",
    "any",
)
# Longer than any DynamoDB key (2,048 bytes for a partition key, 1,024 for a sort key).
LONG = st.builds(lambda c, n: c * n, st.sampled_from(["a", "é", "😀", "\x00", "-", "9"]), st.integers(1_990, 2_600))
DATES = st.one_of(
    st.sampled_from(EDGE_DATES),
    st.dates().map(dt.date.isoformat),
    st.integers(-99_999, 99_999).map(lambda year: f"{year:04d}-02-29"),
)
ZONES = st.one_of(
    st.none(),
    st.just(dt.UTC),
    st.timedeltas(min_value=-dt.timedelta(hours=23, minutes=59), max_value=dt.timedelta(hours=23, minutes=59)).map(
        dt.timezone
    ),
)
INSTANTS = st.one_of(
    st.sampled_from(EDGE_INSTANTS),
    st.builds(lambda moment, zone: moment.replace(tzinfo=zone).isoformat(), st.datetimes(), ZONES),
)
NUMBERS = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["-0", "+7", "\u0667", "\uff11", "1_0", " 7 ", "7.0", "0x7", "9" * 5_000]),
)
TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=30), LONG, DATES, INSTANTS, NUMBERS)
ASCII = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
# Appended to a query string or a form body as they are: escapes no browser would send.
RAW = (
    "%",
    "%zz",
    "start=%ED%A0%80",
    "%ED%A0%80=1",
    "start=%FF%FE",
    "name=%C0%AF",
    "a=%00",
    "&&&",
    "=",
    "==",
    "start",
    "start=",
    "date=%",
    "%26=%3D",
    "+=+",
)

# Ways to spoil a valid value: what a hand-edited URL or a script sends.
MUTATIONS: tuple[Callable[[str], str], ...] = (
    lambda v: v.removesuffix("Z"),  # an instant without its zone
    lambda v: v.replace("Z", "+14:00"),
    lambda v: v + "\x00",
    lambda v: "\u202e" + v,
    lambda v: v * (2_100 // max(len(v), 1) + 1),  # longer than a DynamoDB key
    lambda v: v.upper(),
    lambda v: v[:-1],
    lambda v: f" {v} ",
    lambda v: v + "/..",
    lambda v: v.replace("-", "\u2011"),
    lambda v: v + "😀",
    lambda v: v.replace("2026", "9999"),
)

# Ways to spoil a valid instant ("2026-12-01T13:00:00Z"): mostly by dropping its zone.
INSTANT_MUTATIONS: tuple[Callable[[str], str], ...] = (
    lambda v: v.removesuffix("Z"),
    lambda v: v.removesuffix(":00Z"),
    lambda v: v.replace("T", " ").removesuffix("Z"),
    lambda v: v.replace("Z", ".000001"),
    lambda v: v.replace("Z", "+14:00"),
    lambda v: v.replace("Z", "-23:59"),
    lambda v: "0001" + v[4:],
    lambda v: "9999-12-31" + v[10:].replace("Z", "-01:00"),
)

Targets = dict[str, Any]
Values = Callable[[Targets], st.SearchStrategy[str]]


def text(targets: Targets) -> st.SearchStrategy[str]:
    return TEXT


def one_of(*values: str) -> Values:
    return lambda targets: st.sampled_from(values)


def target(name: str) -> Values:
    """Real ids of the test's clinic: a hold, a booking, a membership that exist."""
    return lambda targets: st.sampled_from(targets[name])


@dataclass(frozen=True)
class Part:
    """A path segment or a field: what a real page sends, and what else may arrive."""

    valid: Values
    hostile: Values = text
    mutations: tuple[Callable[[str], str], ...] = MUTATIONS


@dataclass(frozen=True)
class Family:
    name: str  # the URL's name
    methods: tuple[str, ...]
    segments: dict[str, Part] = field(default_factory=dict)
    fields: dict[str, Part] = field(default_factory=dict)
    roles: tuple[str, ...] = ROLES
    json: bool = False
    weight: int = 1  # times the examples: the wizard's writes have the most paths


SLUG = Part(target("slug"))
TREATMENT = Part(target("treatment"))
PROFESSIONAL = Part(target("professional"), lambda t: st.one_of(TEXT, target("hold")(t)))
DAY_FIELD = Part(one_of(DAY.isoformat(), (DAY + dt.timedelta(days=1)).isoformat()), lambda t: DATES | TEXT)
START = Part(target("start"), lambda t: INSTANTS | TEXT, INSTANT_MUTATIONS)
MEMBERSHIP = Part(target("membership"), lambda t: NUMBERS)
STAFF_ROLE = Part(one_of(*(r.value for r in Role)), lambda t: TEXT | st.sampled_from(["owner", "ADMIN"]))
TENANT = Part(target("tenant"))
NEXT = Part(one_of("/", "/admin/"), lambda t: TEXT | st.sampled_from(["https://evil.example/", "//evil", "\\\\evil"]))
CLINIC_FIELDS = {
    "name": Part(one_of("Clínica Fuzz", "Dental Ω")),
    "time_zone": Part(one_of("America/Bogota", "Pacific/Kiritimati", "UTC")),
    "country": Part(one_of("CO", "MX")),
    "currency": Part(one_of("COP", "MXN")),
    "address": Part(one_of("Calle 1 # 2-3", "")),
    "phone": Part(one_of("+57 601 555 0100", "")),
    "email": Part(one_of("hola@clinica.example", "")),
    "grid_minutes": Part(one_of("5", "15", "30"), lambda t: NUMBERS | TEXT),
    "min_notice_minutes": Part(one_of("0", "120"), lambda t: NUMBERS | TEXT),
    "max_advance_days": Part(one_of("0", "60", "730"), lambda t: NUMBERS | TEXT),
    "cancellation_cutoff_hours": Part(one_of("0", "24"), lambda t: NUMBERS | TEXT),
    "language": Part(one_of("es", "en"), lambda t: TEXT | st.sampled_from(["fr", "ES"])),
    "reminder_offsets": Part(one_of("24 h, 2 h", "30 min", ""), lambda t: TEXT | NUMBERS),
}

FAMILIES = {
    family.name: family
    for family in [
        Family("home", ("GET",)),
        Family("health", ("GET", "POST")),
        Family("set_language", ("POST", "GET"), fields={"language": Part(one_of("en", "es")), "next": NEXT}),
        Family("booking-start", ("GET",), {"clinic_slug": SLUG}),
        Family(
            "booking-schedule",
            ("GET",),
            {"clinic_slug": SLUG, "treatment_id": TREATMENT},
            {"professional": PROFESSIONAL, "date": DAY_FIELD},
        ),
        Family(
            "booking-availability",
            ("GET",),
            {"clinic_slug": SLUG, "treatment_id": TREATMENT},
            {
                "start": DAY_FIELD,
                "days": Part(one_of("1", "7"), lambda t: NUMBERS | TEXT),
                "professional": PROFESSIONAL,
            },
            json=True,
        ),
        Family(
            "booking-hold",
            ("POST",),
            {"clinic_slug": SLUG, "treatment_id": TREATMENT},
            {"professional": PROFESSIONAL, "start": START},
            weight=3,
        ),
        Family(
            "booking-details",
            ("GET", "POST"),
            {"clinic_slug": SLUG, "hold_id": Part(target("hold"))},
            {
                "name": Part(one_of("Ana Pérez", "José Ñúñez")),
                "phone": Part(one_of("300 123 4567", "+57 300 765 4321")),
            },
            weight=2,
        ),
        # The first booking is the patient's: the simplest request, the patient's own, is shown.
        Family(
            "booking-done",
            ("GET",),
            {"clinic_slug": SLUG, "booking_id": Part(target("booking"))},
            roles=("patient", "anonymous", "admin"),
        ),
        Family("booking-mine", ("GET",), {"clinic_slug": SLUG}),
        Family("access-staff", ("GET",), {"clinic_slug": SLUG}),
        Family(
            "access-staff-invite",
            ("POST",),
            {"clinic_slug": SLUG},
            {"email": Part(lambda t: st.uuids().map(lambda u: f"new-{u.hex[:8]}@example.com")), "role": STAFF_ROLE},
        ),
        Family(
            "access-staff-role", ("POST",), {"clinic_slug": SLUG, "membership_id": MEMBERSHIP}, {"role": STAFF_ROLE}
        ),
        Family("access-staff-revoke", ("POST",), {"clinic_slug": SLUG, "membership_id": MEMBERSHIP}),
        Family("access-invitation", ("GET", "POST"), {"token": Part(target("token"))}),
        Family(
            "admin:clinics_clinic_changelist",
            ("GET",),
            fields={"q": Part(one_of("", "fuzz", "Clínica")), "after": Part(one_of("", "clínica#x", "zzz"))},
            roles=PLATFORM_STAFF,
        ),
        Family(
            "admin:clinics_clinic_add",
            ("GET", "POST"),
            fields={"slug": Part(lambda t: st.uuids().map(lambda u: f"fuzz-{u.hex[:10]}")), **CLINIC_FIELDS},
            roles=PLATFORM_STAFF,
        ),
        Family(
            "admin:clinics_clinic_change",
            ("GET", "POST"),
            {"tenant_id": TENANT},
            {"version": Part(one_of("1", "2"), lambda t: NUMBERS | TEXT), **CLINIC_FIELDS},
            roles=PLATFORM_STAFF,
        ),
        Family("admin:clinics_clinic_suspend", ("POST",), {"tenant_id": TENANT}, {"next": NEXT}, PLATFORM_STAFF),
        Family("admin:clinics_clinic_unsuspend", ("POST",), {"tenant_id": TENANT}, {"next": NEXT}, PLATFORM_STAFF),
        Family("admin:clinics_app_index", ("GET",), roles=PLATFORM_STAFF),
    ]
}

# ---------------------------------------------------------------- requests


@dataclass
class Fuzzed:
    role: str
    method: str
    path: str  # percent-encoded, query string included
    body: bytes
    content_type: str
    headers: dict[str, str]

    def __repr__(self) -> str:
        body = self.body[:300] + (b"..." if len(self.body) > 300 else b"")
        return (
            f"Fuzzed(role={self.role!r}, method={self.method!r}, path={self.path[:600]!r}, "
            f"content_type={self.content_type!r}, headers={self.headers!r}, body={body!r} ({len(self.body)} bytes))"
        )


def _path(name: str, segments: dict[str, str]) -> str:
    """The URL with each segment as sent: percent-encoded, so a '/' or a NUL stays inside its segment."""
    placeholders = {key: f"{9_000_000 + i}" for i, key in enumerate(segments)}
    url = reverse(name, kwargs=placeholders)
    for key, value in segments.items():
        url = url.replace(placeholders[key], quote(value, safe=""), 1)
    return url


@st.composite
def requests(draw: st.DrawFn, family: Family, targets: Targets) -> Fuzzed:
    """A valid request of the family with some parts corrupted; shrinks towards the valid one."""

    def value(part: Part, how: str = "valid") -> str:
        if how == "mutated":
            return draw(st.sampled_from(part.mutations))(draw(part.valid(targets)))
        return draw(part.valid(targets) if how == "valid" else part.hostile(targets))

    # A few parts spoiled, the rest as a page sends them: the request gets past the parts it does not spoil.
    spoiled = draw(st.sets(st.sampled_from([*family.segments, *family.fields, "-"]), max_size=3))
    role = draw(st.sampled_from(family.roles))
    wrong_method = draw(st.sampled_from([False, False, False, False, True]))
    method = draw(st.sampled_from(WRONG_METHODS if wrong_method else family.methods))
    segments = {
        key: value(part, draw(st.sampled_from(["hostile", "mutated"])) if key in spoiled else "valid")
        for key, part in family.segments.items()
    }
    url = _path(family.name, segments)

    pairs: list[tuple[str, str]] = []
    for name, part in family.fields.items():
        how = draw(st.sampled_from(["hostile", "mutated", "missing", "repeated"])) if name in spoiled else "valid"
        if how == "repeated":
            pairs += [(name, value(part)), (name, value(part, draw(st.sampled_from(["valid", "hostile"]))))]
        elif how != "missing":
            pairs.append((name, value(part, how)))
    pairs += draw(st.lists(st.tuples(TEXT, TEXT), max_size=2))  # fields nobody asked for
    raw = draw(st.lists(st.sampled_from(RAW), max_size=2))
    huge = draw(st.sampled_from([None] * 10 + ["value", "fields"]))
    if huge == "value":
        pairs.append(("pad", "x" * HUGE_VALUE))
    elif huge == "fields":
        pairs += [(f"f{i}", "1") for i in range(MANY_FIELDS)]
    encoded = "&".join(part for part in [urlencode(pairs), *raw] if part)

    body, content_type = b"", "application/octet-stream"
    if method in ("GET", "HEAD"):
        url = f"{url}?{encoded}"
    else:
        kind = draw(st.sampled_from(["form", "form", "form", "multipart", "json", "garbage"]))
        if kind == "form":
            body, content_type = encoded.encode(), "application/x-www-form-urlencoded"
        elif kind == "multipart":
            grouped: dict[str, list[str]] = {}
            for key, item in pairs:
                grouped.setdefault(key, []).append(item)
            body, content_type = encode_multipart(BOUNDARY, grouped), MULTIPART_CONTENT
        elif kind == "json":
            body, content_type = json.dumps(dict(pairs)).encode(), "application/json"
        else:
            body = draw(st.binary(max_size=200))
            content_type = draw(
                st.sampled_from(
                    [
                        "multipart/form-data",
                        "multipart/form-data; boundary=",
                        "multipart/form-data; boundary=x",
                        "application/x-www-form-urlencoded; charset=utf-16",
                        "application/x-www-form-urlencoded; charset=no-such-charset",
                        "text/plain",
                    ]
                )
            )
        if draw(st.booleans()):
            url = f"{url}?{urlencode(draw(st.lists(st.tuples(TEXT, TEXT), max_size=2)))}"

    headers = draw(
        st.sampled_from(["none", "none", "none", "htmx", "json"]).flatmap(
            lambda kind: {
                "none": st.just({}),
                "htmx": st.fixed_dictionaries(
                    {"HX-Request": st.just("true"), "HX-Target": st.sampled_from(["times"]) | ASCII}
                ),
                "json": st.just({"Accept": "application/json"}),
            }[kind]
        )
    )
    return Fuzzed(role, method, url, body, content_type, headers)


def send(clients: dict[str, Client], fuzzed: Fuzzed) -> HttpResponse:
    response: HttpResponse = clients[fuzzed.role].generic(
        fuzzed.method, fuzzed.path, data=fuzzed.body, content_type=fuzzed.content_type, headers=fuzzed.headers
    )
    return response


def _url_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


def _naive(value: str) -> bool:
    try:
        return dt.datetime.fromisoformat(value.strip()).tzinfo is None
    except ValueError:
        return False


def check(family: Family, fuzzed: Fuzzed, response: HttpResponse) -> None:
    status = response.status_code
    assert status < 500, f"{status} for {fuzzed!r}"
    request: HttpRequest = response.wsgi_request  # type: ignore[attr-defined]
    reached = _url_name(request) == family.name
    if (family.json and reached) or (status >= 400 and wants_json(request)):
        assert response["Content-Type"].startswith("application/json"), f"not JSON: {status} for {fuzzed!r}"
        if request.method != "HEAD":  # a HEAD answer has no body
            json.loads(response.content)
    if family.name == "booking-hold" and reached and request.method == "POST":
        try:
            start = request.POST.get("start")
        except (BadRequest, SuspiciousOperation, MultiPartParserError):
            return  # a body Django refuses to read held nothing
        if start is not None and _naive(start):
            assert 400 <= status < 500, f"a time without a zone was taken ({status}): {fuzzed!r}"


def fuzz(family: Family, targets: Targets, clients: dict[str, Client], config: settings = FUZZ) -> None:
    answered: list[int] = []

    @config
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        fuzzed = data.draw(requests(family, targets), label=family.name)
        response = send(clients, fuzzed)
        answered.append(response.status_code)
        check(family, fuzzed, response)

    run()
    # Hypothesis tries the simplest request first, all parts valid: a fuzz that never gets past
    # the gates (a wrong valid value, a broken fixture) would test only the 404 page.
    assert min(answered) < 400, f"every request to {family.name} was refused: {sorted(set(answered))}"


# ---------------------------------------------------------------- the clinic the requests aim at


@pytest.fixture
def clients(people: People) -> dict[str, Client]:
    made = {"anonymous": Client()}
    for role in ("patient", "admin", "owner"):
        made[role] = Client()
        made[role].force_login(getattr(people, role))
    return made


@pytest.fixture
def targets(world: World, people: People, clients: dict[str, Client]) -> Targets:
    """Real ids for the valid values: holds made through the wizard by each role, bookings, memberships, invitations."""
    holds = []
    for i, role in enumerate(ROLES):
        response = clients[role].post(
            reverse("booking-hold", args=[world.slug, world.cleaning.treatment_id]),
            {"professional": world.ben.professional_id, "start": iso_utc(at(14 + i))},
        )
        assert response.status_code == 302, response.content
        holds.append(resolve(response["Location"]).kwargs["hold_id"])
    mine = book(world, at(10), professional=world.ben, patient_id=str(people.patient.pk)).booking_id
    theirs = book(world, at(12), professional=world.ben, patient_id="someone-else").booking_id
    tokens = []
    for email, days in ((people.patient.email, 7), ("else@example.com", 7), (people.admin.email, -1)):
        token = uuid.uuid4().hex
        Invitation.objects.create(
            tenant_id=world.tenant_id,
            email=email,
            role=Role.RECEPTION,
            token=token,
            expires_at=at(0) + dt.timedelta(days=days),
        )
        tokens.append(token)
    memberships = Membership.objects.filter(tenant_id=world.tenant_id).exclude(user=people.admin)
    return {
        "slug": [world.slug],
        "tenant": [world.tenant_id],
        "treatment": [world.cleaning.treatment_id, world.whitening.treatment_id, world.check.treatment_id],
        "professional": [world.ana.professional_id, world.ben.professional_id, "any"],
        "start": [iso_utc(at(hour, minute)) for hour in (8, 9, 13) for minute in (0, 15)],
        "hold": holds,
        "booking": [mine, theirs, *holds],
        "membership": [str(pk) for pk in memberships.values_list("pk", flat=True)],
        "token": tokens,
    }


# ---------------------------------------------------------------- the tests


# Past the hold allowance every hold would be a 429 (tested in tests/nexioq/test_error_pages.py).
@override_settings(HOLD_RATE_PER_IP="100000/10m", HOLD_RATE_PER_SESSION="100000/10m")
@pytest.mark.parametrize("family", FAMILIES.values(), ids=list(FAMILIES))
def test_it_answers_hostile_input_below_500(family: Family, targets: Targets, clients: dict[str, Client]) -> None:
    fuzz(family, targets, clients, settings(FUZZ, max_examples=FUZZ.max_examples * family.weight))


def test_it_has_a_family_for_every_url() -> None:
    routes = _named_routes(get_resolver().url_patterns)
    ours = {name for route, name in routes if not route.startswith(THIRD_PARTY_PREFIXES)}
    clinic_admin = {name for _route, name in routes if name.startswith("admin:clinics_")}

    assert (ours | clinic_admin) - set(FAMILIES) - set(_area_families()) == set(), "add a fuzz family for these URLs"


def _area_families() -> dict[str, Family]:
    """The families each area keeps in its own ``tests/**/test_*_fuzz.py`` (``FAMILIES``)."""
    found: dict[str, Family] = {}
    root = Path(__file__).resolve().parent
    for module_path in sorted(root.rglob("test_*fuzz*.py")):
        if module_path == Path(__file__).resolve():
            continue
        module = importlib.import_module(".".join(("tests", *module_path.relative_to(root).with_suffix("").parts)))
        found |= getattr(module, "FAMILIES", {})
    return found


# A URL that breaks on a date at the edge of the calendar: the fuzz must find it.
def _fragile(request: HttpRequest) -> HttpResponse:
    return HttpResponse(dt.date.fromisoformat(request.GET.get("date", DAY.isoformat())).isoformat())


urlpatterns = [path("fragile/", _fragile, name="fragile"), *project_urls]


@override_settings(ROOT_URLCONF=__name__)
def test_it_finds_a_500(targets: Targets, clients: dict[str, Client]) -> None:
    fragile = Family("fragile", ("GET",), fields={"date": DAY_FIELD})

    with pytest.raises(ValueError):
        fuzz(fragile, targets, clients, settings(FUZZ, max_examples=200))
