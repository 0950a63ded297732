"""Cognito groups of every shape a token can carry: junk changes nothing, valid groups still apply.

The sign-in flow itself is tested end to end in ``test_cognito_oidc.py``; here the claims are
handed to the adapter directly, as allauth would after reading the token.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from access.adapters import PLATFORM_OWNER_GROUP, CognitoAccountAdapter, roles_from_groups
from access.models import Membership, Role
from nexioq.dynamo import ID_RE
from tests.conftest import make_user

ROLES = [role.value for role in Role]
JUNK_GROUPS = [
    ":admin",
    "admin",
    "t:unknown-role",
    "t:Admin",
    "t:admin ",
    "t:",
    ":",
    "",
    "t\n:admin",  # a newline is no tenant id, even at the end
    "t:admin\n",
    "\nt:admin",
    "t t:admin",
    "t#x:admin",
    "ténant:admin",
    "t\x00:admin",
    "\u202et:admin",
    "a:b:admin",
    "x" * 65 + ":admin",
    " nexioq-owners",
    "NEXIOQ-OWNERS",
]


def sign_in(claims: Any) -> SimpleNamespace:
    """What allauth hands the adapter: the social account with the token's claims."""
    return SimpleNamespace(account=SimpleNamespace(extra_data=claims))


# ---------------------------------------------------------------- roles_from_groups


@pytest.mark.parametrize("group", JUNK_GROUPS)
def test_it_reads_no_role_from_a_malformed_group(group: str) -> None:
    assert roles_from_groups([group]) == (False, [])


@pytest.mark.parametrize("junk", [None, 7, 1.5, True, {"t": "admin"}, ["t:admin"], ("t", "admin"), b"t:admin"])
def test_it_skips_groups_that_are_not_strings(junk: object) -> None:
    assert roles_from_groups([junk, "clinic-a:reception"]) == (False, [("clinic-a", "reception")])


def test_it_reads_valid_groups_among_junk() -> None:
    groups: list[object] = [*JUNK_GROUPS, 3, None, "clinic-a:admin", "x" * 64 + ":dentist", PLATFORM_OWNER_GROUP]

    assert roles_from_groups(groups) == (True, [("clinic-a", "admin"), ("x" * 64, "dentist")])


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=80),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
# A tenant id with whitespace or control characters around it is no tenant id.
TENANTISH = st.builds(
    lambda before, tenant_id, after: f"{before}{tenant_id}{after}",
    st.sampled_from(["", "", " ", "\n", "\t", "\x00", "\u202e"]),
    st.from_regex(ID_RE, fullmatch=True),
    st.sampled_from(["", "", " ", "\n", "\r\n", "\x00", "\u200f"]),
)
GROUPISH = st.builds(
    lambda tenant, sep, role: f"{tenant}{sep}{role}",
    st.text(max_size=70) | TENANTISH,
    st.sampled_from([":", "::", "", ": "]),
    st.sampled_from(ROLES) | st.text(max_size=12),
)


@settings(max_examples=300, deadline=None, database=None)
@given(groups=st.lists(GROUPISH | JSON, max_size=8))
def test_it_only_ever_reads_well_formed_roles(groups: list[object]) -> None:
    _owner, pairs = roles_from_groups(groups)

    for tenant_id, role in pairs:
        assert ID_RE.fullmatch(tenant_id), tenant_id
        assert role in ROLES
        assert f"{tenant_id}:{role}" in groups


# ---------------------------------------------------------------- apply_groups


@pytest.fixture
def user(db: None):  # type: ignore[no-untyped-def]
    """A receptionist at clinic-a and a patient at clinic-b, before signing in through Cognito."""
    user = make_user("cognito.user@example.com")
    Membership.objects.create(user=user, tenant_id="clinic-a", role=Role.RECEPTION)
    Membership.objects.create(user=user, tenant_id="clinic-b", role=Role.PATIENT)
    return user


def roles_of(user: Any) -> set[tuple[str, str]]:
    return set(Membership.objects.filter(user=user).values_list("tenant_id", "role"))


BEFORE = {("clinic-a", "reception"), ("clinic-b", "patient")}


@pytest.mark.parametrize(
    "claims",
    [
        None,
        "cognito:groups",
        ["clinic-a:admin"],
        {},
        {"cognito:groups": None},
        {"cognito:groups": {"clinic-a": "admin"}},
        {"cognito:groups": 7},
        {"cognito:groups": 7.5},
        {"cognito:groups": True},
        {"id_token": "eyJhbGciOi.a-jwt-not-decoded.x"},
        {"id_token": ["clinic-a:admin"]},
        {"id_token": 12},
        {"id_token": {"cognito:groups": {"clinic-a": "admin"}}},
        {"id_token": {"cognito:groups": 3}},
        {"userinfo": "clinic-a:admin"},
    ],
)
def test_it_leaves_the_roles_alone_when_the_claims_carry_no_list_of_groups(user: Any, claims: Any) -> None:
    CognitoAccountAdapter.apply_groups(user, sign_in(claims))

    user.refresh_from_db()
    assert roles_of(user) == BEFORE
    assert not user.is_staff


def test_it_creates_no_membership_from_junk_groups(user: Any) -> None:
    junk: list[object] = [*JUNK_GROUPS, 1, None, {"clinic-c": "admin"}, ["clinic-c:admin"], [["clinic-c:admin"]]]

    CognitoAccountAdapter.apply_groups(user, sign_in({"cognito:groups": junk}))

    user.refresh_from_db()
    # The groups are the truth for staff roles: none is valid, so the receptionist role goes; patients stay.
    assert roles_of(user) == {("clinic-b", "patient")}
    assert not user.is_staff


@pytest.mark.parametrize("where", ["cognito:groups", "id_token", "userinfo"])
def test_it_applies_the_valid_groups_among_junk(user: Any, where: str) -> None:
    groups: list[object] = [*JUNK_GROUPS, 42, None, "clinic-c:dentist", "clinic-a:admin", PLATFORM_OWNER_GROUP]
    claims: dict[str, Any] = (
        {"cognito:groups": groups} if where == "cognito:groups" else {where: {"cognito:groups": groups}}
    )

    CognitoAccountAdapter.apply_groups(user, sign_in(claims))

    user.refresh_from_db()
    assert roles_of(user) == {("clinic-a", "admin"), ("clinic-c", "dentist"), ("clinic-b", "patient")}
    assert user.is_staff


def test_it_takes_a_single_group_as_a_string(user: Any) -> None:
    CognitoAccountAdapter.apply_groups(user, sign_in({"cognito:groups": "clinic-a:dentist"}))

    assert roles_of(user) == {("clinic-a", "dentist"), ("clinic-b", "patient")}


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    claims=st.dictionaries(
        st.sampled_from(["cognito:groups", "id_token", "userinfo", "sub"]), JSON | st.lists(GROUPISH)
    )
)
def test_it_never_makes_a_membership_that_is_not_a_valid_group(user: Any, claims: dict[str, Any]) -> None:
    CognitoAccountAdapter.apply_groups(user, sign_in(claims))

    for tenant_id, role in roles_of(user) - BEFORE:
        assert ID_RE.fullmatch(tenant_id), tenant_id
        assert role in ROLES
