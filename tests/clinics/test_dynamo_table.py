from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from nexioq import dynamo
from nexioq.dynamo import TableItem


def describe() -> dict:  # type: ignore[type-arg]
    client = TableItem._get_connection().connection.client
    return client.describe_table(TableName=TableItem.Meta.table_name)["Table"]


def test_it_creates_the_table_with_both_indexes_and_ttl(dynamodb_local: str) -> None:
    table = describe()
    client = TableItem._get_connection().connection.client

    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {"GSI1", "GSI2"}
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

        assert dynamo.table_ensure() == "updated: GSI1, GSI2, TTL"
        assert {i["IndexName"] for i in describe()["GlobalSecondaryIndexes"]} == {"GSI1", "GSI2"}
    finally:
        dynamo.configure(host=dynamodb_local, table_name="nexioq-test")


@pytest.mark.parametrize(
    ("sk", "expected"),
    [("SLOT#2026-12-01#14:05#prof-1", ("2026-12-01T14:05:00+00:00", "prof-1"))],
)
def test_it_round_trips_cell_keys(sk: str, expected: tuple[str, str]) -> None:
    start, professional = dynamo.parse_slot_sk(sk)

    assert (start.isoformat(), professional) == expected
    assert dynamo.slot_sk(start, professional) == sk
