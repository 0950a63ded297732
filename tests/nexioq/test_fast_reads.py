"""Reads are decoded by ``json.loads`` instead of botocore's model walk, and come out the same."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from nexioq import dynamo
from nexioq.dynamo import TableItem

ITEM: dict[str, Any] = {
    "PK": {"S": "FASTREAD#1"},
    "SK": {"S": "ITEM#ñandú 🦷"},
    "entity": {"S": "test"},
    "n": {"N": "12.50"},
    "flag": {"BOOL": True},
    "nothing": {"NULL": True},
    "names": {"SS": ["Ana", "Ben"]},
    "numbers": {"NS": ["1", "2"]},
    "history": {"L": [{"M": {"at": {"S": "2026-12-01T15:00:00Z"}, "note": {"S": 'quote " and \\\\ backslash'}}}]},
}


def client(*, fast: bool, endpoint: str) -> Any:
    session = botocore.session.get_session()
    if not fast:
        for operation in dynamo.FAST_READS:
            session.unregister(f"before-parse.dynamodb.{operation}", dynamo._parse_read)
    return session.create_client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def without_metadata(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@pytest.mark.parametrize("binary", [False, True], ids=["plain", "binary"])
def test_it_returns_what_botocore_would(dynamodb_local: str, binary: bool) -> None:
    table = TableItem.Meta.table_name
    item = {**ITEM, "blob": {"B": b"\x00\xff"}} if binary else ITEM
    fast, slow = client(fast=True, endpoint=dynamodb_local), client(fast=False, endpoint=dynamodb_local)
    fast.put_item(TableName=table, Item=item)
    key = {"PK": item["PK"], "SK": item["SK"]}
    reads = [
        ("get_item", {"TableName": table, "Key": key, "ConsistentRead": True}),
        (
            "query",
            {
                "TableName": table,
                "KeyConditionExpression": "PK = :pk",
                "ExpressionAttributeValues": {":pk": item["PK"]},
                "ConsistentRead": True,
            },
        ),
        ("batch_get_item", {"RequestItems": {table: {"Keys": [key], "ConsistentRead": True}}}),
        ("transact_get_items", {"TransactItems": [{"Get": {"TableName": table, "Key": key}}]}),
    ]
    for operation, arguments in reads:
        quick = getattr(fast, operation)(**arguments)
        assert without_metadata(quick) == without_metadata(getattr(slow, operation)(**arguments)), operation
        assert quick["ResponseMetadata"]["HTTPStatusCode"] == 200
    got = fast.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    assert got["n"] == {"N": "12.5"}  # DynamoDB keeps numbers normalised
    if binary:
        assert got["blob"] == {"B": b"\x00\xff"}  # left to botocore: bytes, not base64 text


def test_it_leaves_errors_to_botocore(dynamodb_local: str) -> None:
    fast = client(fast=True, endpoint=dynamodb_local)
    with pytest.raises(fast.exceptions.ResourceNotFoundException):
        fast.get_item(TableName="no-such-table", Key={"PK": {"S": "x"}, "SK": {"S": "y"}})
