"""The permission matrix's vocabulary: roles, rows and the usual expectations.

``tests/test_permission_matrix.py`` requests every row as every role; the rows of each
area live in ``tests/matrix_rows``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from access.models import Invitation, Membership
from tests.conftest import People, World, anonymous, at, book, hold

ROLES = ("owner", "admin", "dentist", "reception", "patient", "anonymous", "outsider")
THIRD_PARTY_PREFIXES = ("admin/", "accounts/")


class SignIn(int):
    """A 302 to a sign-in page: a refusal, like 403 and 404."""


SIGN_IN = SignIn(302)


def refused(status: int) -> bool:
    return isinstance(status, SignIn) or status in (403, 404)


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    url: Callable[[World, People], str]
    expected: dict[str, int]
    data: Callable[[World, People, int], dict[str, Any]] = lambda w, p, i: {}


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def staff_gate(allowed: int) -> dict[str, int]:
    return {
        "owner": allowed,
        "admin": allowed,
        "dentist": 403,
        "reception": 403,
        "patient": 403,
        "anonymous": SIGN_IN,
        "outsider": 404,
    }


def someone_elses_booking(world: World) -> str:
    return book(world, at(15), professional=world.ben, patient_id="not-you").booking_id


def someone_elses_hold(world: World) -> str:
    return hold(world, at(16), professional=world.ben, actor=anonymous(world, "someone-else")).hold_id


def dentist_membership(world: World, people: People) -> int:
    return Membership.objects.get(user=people.dentist, tenant_id=world.tenant_id).pk


def invitation_token(world: World, people: People) -> str:
    return Invitation.objects.create(
        tenant_id=world.tenant_id,
        email="invited@example.com",
        role="reception",
        token="token-for-the-matrix",
        expires_at=at(0).replace(year=2027),
    ).token
