from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from nexioq import dynamo
from nexioq.dynamo import TableItem


def describe() -> dict:  # type: ignore[type-arg]
    client = TableItem._get_connection().connection.client
    return client.describe_table(TableName=TableItem.Meta.table_name)["Table"]


INDEXES = {"patient-bookings", "clinic-directory", "professional-agenda", "clinic-agenda", "outbox-due"}


def test_it_creates_the_table_with_its_named_indexes_and_ttl(dynamodb_local: str) -> None:
    table = describe()
    client = TableItem._get_connection().connection.client

    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == INDEXES
    assert {k["AttributeName"] for k in table["KeySchema"]} == {"PK", "SK"}
    ttl = client.describe_time_to_live(TableName=TableItem.Meta.table_name)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")


def test_it_is_idempotent(dynamodb_local: str) -> None:
    out = io.StringIO()

    call_command("dynamo_table", stdout=out)
    call_command("dynamo_table", stdout=out)

    assert out.getvalue().count("up to date") == 2


def test_it_adds_a_missing_index_to_an_existing_table(dynamodb_local: str) -> None:
    dynamo.configure(host=dynamodb_local, table_name="nexioq-older")
    try:
        client = TableItem._get_connection().connection.client
        client.create_table(
            TableName="nexioq-older",
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
            ],
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            BillingMode="PAY_PER_REQUEST",
        )

        changes = dynamo.table_ensure()

        assert changes.startswith("updated: ") and changes.endswith(", TTL")
        assert set(changes.removeprefix("updated: ").removesuffix(", TTL").split(", ")) == INDEXES
        assert {i["IndexName"] for i in describe()["GlobalSecondaryIndexes"]} == INDEXES
    finally:
        client.delete_table(TableName="nexioq-older")
        dynamo.configure(host=dynamodb_local, table_name="nexioq-test")


@pytest.mark.parametrize(
    ("professional_id", "start"),
    [("prof-1", dt.datetime(2026, 12, 1, 14, 5, tzinfo=dt.UTC)), ("a_b-9", dt.datetime(1999, 1, 1, tzinfo=dt.UTC))],
)
def test_it_round_trips_cell_keys(professional_id: str, start: dt.datetime) -> None:
    sk = dynamo.cell_sk(professional_id, start)

    assert sk.startswith(f"{dynamo.CELL_PREFIX}{professional_id}#")
    assert dynamo.parse_cell_sk(sk) == (professional_id, start)


@pytest.mark.parametrize("bad", ["", "x" * 65, "a#b", "ü", "a b", "a\x00", None, 7])
def test_it_refuses_ids_that_cannot_name_anything(bad: object) -> None:
    with pytest.raises(dynamo.InvalidId):
        dynamo.tenant_pk(bad)  # type: ignore[arg-type]


def test_it_keeps_request_tokens_within_dynamodbs_36_characters() -> None:
    tokens = {dynamo.request_token(purpose, tenant_id="t" * 36, item_id="x" * 64) for purpose in ("hold", "book")}

    assert len(tokens) == 2
    assert all(1 <= len(token) <= 36 for token in tokens)


def test_it_creates_a_table_in_the_current_layout(dynamodb_local: str) -> None:
    """A new table has nothing for dynamo_migrate to rewrite (make run runs it right after)."""
    out = io.StringIO()

    call_command("dynamo_migrate", stdout=out)

    assert f"version {dynamo.LAYOUT_VERSION}, up to date" in out.getvalue()
