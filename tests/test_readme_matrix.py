"""The README's permission table says what ``access.permissions`` decides, cell by cell.

The expected cells are not written here: for every action in ``MATRIX`` and every column
of the table, a user of the column's kind asks ``require()``, and its answer is the cell:
"yes" when allowed, "404" or "403" as it refuses. A visitor who is not signed in and is
refused reads "sign in first", because every view sends them to sign in before asking
(``tests/test_permission_matrix.py`` checks those redirects URL by URL). A note in
brackets after a cell, like "yes (becomes a patient)", is commentary. So a new action,
a new role or a changed decision fails here until the README says the same.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser

from access.models import Membership, Role
from access.permissions import MATRIX, OWNER, Actor, require, roles_at
from accounts.models import User
from nexioq.errors import Forbidden, NotFound, SignInRequired

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parent.parent / "README.md"
TABLE_HEADER = "| action (`access.permissions.Action`) |"
ANONYMOUS = "anonymous"
NOT_A_MEMBER = "signed in, not a member"
TENANT_ID = "readme-clinic"
MATRIX_ACTIONS = {action.value: action for action in MATRIX}


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def readme_table() -> tuple[list[str], dict[str, list[str]]]:
    """The role columns, and each action's cells under them, as the README has them."""
    lines = README.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(TABLE_HEADER))
    columns = cells(lines[start])[1:]
    rows: dict[str, list[str]] = {}
    for line in lines[start + 2 :]:  # after the header and its |---| line
        if not line.startswith("|"):
            break
        first, *rest = cells(line)
        named = re.match(r"`(\w+)`", first)
        assert named, f"a row that names no action: {line}"
        assert len(rest) == len(columns), f"{named.group(1)}: {len(rest)} cells for {len(columns)} columns"
        rows[named.group(1)] = rest
    return columns, rows


def user_for(column: str) -> User | AnonymousUser:
    """Someone of the column's kind at the clinic TENANT_ID."""
    if column == ANONYMOUS:
        return AnonymousUser()
    slug = re.sub(r"\W+", "-", column.lower())
    user = User.objects.create_user(email=f"{slug}@readme.example", is_staff=column.lower() == OWNER)
    if column.lower() in Role.values:
        Membership.objects.create(user=user, tenant_id=TENANT_ID, role=column.lower())
    return user


def decision(user: User | AnonymousUser, action: str) -> str:
    """What the README should say ``user`` gets for ``action``: asked of require() itself."""
    roles, _professionals = roles_at(user=user, tenant_id=TENANT_ID)
    actor = Actor(tenant_id=TENANT_ID, roles=roles, user=user if isinstance(user, User) else None)
    try:
        require(actor, MATRIX_ACTIONS[action])
    except SignInRequired:
        return "sign in first"
    except NotFound:
        return "404"
    except Forbidden:
        return "403"
    return "yes"


def meaning(cell: str) -> str:
    return re.sub(r"\s*\(.*\)$", "", cell).strip().lower()


def test_it_has_a_column_for_every_kind_of_user() -> None:
    columns, _ = readme_table()

    assert sorted(c.lower() for c in columns) == sorted({ANONYMOUS, NOT_A_MEMBER, OWNER, *Role.values})


def test_it_has_a_row_for_every_action() -> None:
    _, rows = readme_table()

    assert sorted(rows) == sorted(MATRIX_ACTIONS)


def test_every_cell_says_what_require_decides() -> None:
    columns, rows = readme_table()
    users = {column: user_for(column) for column in columns}

    documented = {
        (action, column): meaning(cell)
        for action, row in rows.items()
        for column, cell in zip(columns, row, strict=True)
    }
    decided = {(action, column): decision(users[column], action) for action in MATRIX_ACTIONS for column in columns}

    assert documented == decided
