"""Every URL of the project, for every role: the expected status.

The clinic is clinic A of the ``people`` fixture; "outsider" is clinic B's admin.
A URL of our own apps without a row here makes ``test_it_has_a_row_for_every_url`` fail;
the third-party trees (``admin/``, ``accounts/``) are covered by rows for their gates.
A refused request (403, 404, or a redirect to a sign-in page) must also leave nothing
written: the clinic's DynamoDB partition and the users, memberships and invitations are
compared before and after it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from access.models import Invitation, Membership
from accounts.models import User
from nexioq.dynamo import iso_utc
from tests.booking.helpers import clinic_partition
from tests.conftest import People, World, at
from tests.matrix import (
    ROLES,
    SIGN_IN,
    THIRD_PARTY_PREFIXES,
    Row,
    SignIn,
    dentist_membership,
    everyone,
    invitation_token,
    refused,
    someone_elses_booking,
    someone_elses_hold,
    staff_gate,
)
from tests.matrix_rows import all_rows

pytestmark = pytest.mark.django_db


ROWS = [
    Row("home", "GET", lambda w, p: reverse("home"), everyone(200)),
    # The uptime check: anyone, signed in or not, and it says nothing of any clinic.
    Row("health", "GET", lambda w, p: reverse("health"), everyone(200)),
    Row(
        "set_language", "POST", lambda w, p: reverse("set_language"), everyone(302), lambda w, p, i: {"language": "en"}
    ),
    Row("booking-start", "GET", lambda w, p: reverse("booking-start", args=[w.slug]), everyone(200)),
    Row(
        "booking-schedule",
        "GET",
        lambda w, p: reverse("booking-schedule", args=[w.slug, w.cleaning.treatment_id]),
        everyone(200),
    ),
    Row(
        "booking-availability",
        "GET",
        lambda w, p: reverse("booking-availability", args=[w.slug, w.cleaning.treatment_id]),
        everyone(200),
    ),
    Row(
        "booking-hold",
        "POST",
        lambda w, p: reverse("booking-hold", args=[w.slug, w.cleaning.treatment_id]),
        everyone(302),
        lambda w, p, i: {"professional": w.ana.professional_id, "start": iso_utc(at(8 + i))},
    ),
    # A hold or a booking of someone else's session is invisible to every role, staff included.
    Row(
        "booking-details",
        "GET",
        lambda w, p: reverse("booking-details", args=[w.slug, someone_elses_hold(w)]),
        everyone(404),
    ),
    Row(
        "booking-done",
        "GET",
        lambda w, p: reverse("booking-done", args=[w.slug, someone_elses_booking(w)]),
        everyone(404),
    ),
    Row(
        "booking-mine",
        "GET",
        lambda w, p: reverse("booking-mine", args=[w.slug]),
        {**everyone(200), "anonymous": SIGN_IN, "outsider": 404},
    ),
    Row("access-staff", "GET", lambda w, p: reverse("access-staff", args=[w.slug]), staff_gate(200)),
    Row(
        "access-staff-invite",
        "POST",
        lambda w, p: reverse("access-staff-invite", args=[w.slug]),
        staff_gate(302),
        lambda w, p, i: {"email": f"new{i}@example.com", "role": "reception"},
    ),
    Row(
        "access-staff-role",
        "POST",
        lambda w, p: reverse("access-staff-role", args=[w.slug, dentist_membership(w, p)]),
        staff_gate(302),
        lambda w, p, i: {"role": "reception"},
    ),
    Row(
        "access-staff-revoke",
        "POST",
        lambda w, p: reverse("access-staff-revoke", args=[w.slug, dentist_membership(w, p)]),
        staff_gate(302),
    ),
    # Only the invited address may accept; everyone else signed in is refused.
    Row(
        "access-invitation",
        "GET",
        lambda w, p: reverse("access-invitation", args=[invitation_token(w, p)]),
        {**everyone(403), "anonymous": SIGN_IN},
    ),
    # Third-party gates: Django admin is for platform staff; allauth's sign-in page for visitors.
    Row("admin:index", "GET", lambda w, p: reverse("admin:index"), {**everyone(SIGN_IN), "owner": 200}),
    Row(
        "admin:clinics_clinic_changelist",
        "GET",
        lambda w, p: reverse("admin:clinics_clinic_changelist"),
        {**everyone(SIGN_IN), "owner": 200},
    ),
    Row(
        "admin:clinics_clinic_suspend",
        "POST",
        lambda w, p: reverse("admin:clinics_clinic_suspend", args=[w.tenant_id]),
        {**everyone(SIGN_IN), "owner": 302},
    ),
    Row("account_login", "GET", lambda w, p: reverse("account_login"), {**everyone(302), "anonymous": 200}),
]
# Every area's rows, from each module of tests/matrix_rows.
ROWS += all_rows()


def client_for(role: str, people: People) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(people, role))
    return client


def stored(world: World) -> dict[str, object]:
    """What a request could have written: the clinic's DynamoDB items, and the identity rows."""
    return {
        "dynamodb": clinic_partition(world.tenant_id),
        **{
            model.__name__: list(model.objects.order_by("pk").values())  # type: ignore[attr-defined]
            for model in (User, Membership, Invitation)
        },
    }


def is_sign_in(location: str) -> bool:
    return urlsplit(location).path in {reverse("account_login"), reverse("admin:login")}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_it_answers_each_role_as_the_matrix_says(row: Row, role: str, world: World, people: People) -> None:
    client = client_for(role, people)
    url = row.url(world, people)
    data = row.data(world, people, ROLES.index(role))
    expected = row.expected[role]
    before = stored(world) if refused(expected) else None

    response = client.get(url) if row.method == "GET" else client.post(url, data)

    assert response.status_code == expected, f"{row.method} {url} as {role}"
    if isinstance(expected, SignIn):
        assert is_sign_in(response["Location"]), f"{row.method} {url} as {role} went to {response['Location']}"
    if before is not None:
        assert stored(world) == before, f"{row.method} {url} as {role} was refused, yet wrote"


def _named_routes(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    found = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += _named_routes(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            found.append((route, f"{namespace}{pattern.name}" if pattern.name else route))
    return found


def test_it_has_a_row_for_every_url() -> None:
    ours = {
        name for route, name in _named_routes(get_resolver().url_patterns) if not route.startswith(THIRD_PARTY_PREFIXES)
    }

    assert ours - {row.name for row in ROWS} == set(), "add these URLs to the permission matrix"
