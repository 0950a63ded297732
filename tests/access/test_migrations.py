"""Memberships and invitations moved from the clinics app to access: existing rows survive."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("clinics", "0001_initial"), ("accounts", "0001_initial")]
AFTER = [("access", "0001_initial")]


def test_it_keeps_memberships_and_invitations_when_their_tables_move() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("access", None)])
    # Back to the accounts of that time too (later columns have no default the old model would fill).
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("accounts", "User").objects.create(email="kept@example.com", password="!")
    old.get_model("clinics", "Membership").objects.create(user_id=user.pk, tenant_id="t-1", role="dentist")
    old.get_model("clinics", "Invitation").objects.create(
        tenant_id="t-1",
        email="new@example.com",
        role="reception",
        token="tok",
        expires_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    new = executor.loader.project_state(AFTER).apps
    assert list(new.get_model("access", "Membership").objects.values_list("tenant_id", "role")) == [("t-1", "dentist")]
    assert new.get_model("access", "Invitation").objects.get().email == "new@example.com"
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
