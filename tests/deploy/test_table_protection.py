"""``manage.py dynamo_table --stage``: the stage's table, protected in prd (deletion protection and
point-in-time recovery), as it is.

Against the suite's DynamoDB Local, which supports deletion protection (CreateTable, UpdateTable,
DescribeTable, and refusing DeleteTable) but not continuous backups (UnknownOperationException for
DescribeContinuousBackups and UpdateContinuousBackups): those two are answered at botocore's
boundary by a ``before-call`` hook, the mechanism botocore's ``Stubber`` uses, after botocore has
validated the request against the service model.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore import handlers as botocore_handlers
from botocore.awsrequest import AWSResponse
from django.core.management import CommandError, call_command

from nexioq import dynamo
from nexioq.dynamo import TableItem
from nexioq.stages import STAGES


@dataclass
class ContinuousBackups:
    """What DynamoDB keeps of a table's point-in-time recovery, and every call made about it."""

    enabled: set[str] = field(default_factory=set)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def describe(self, *, params: dict[str, Any], **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        body = json.loads(params["body"])
        self.calls.append(("DescribeContinuousBackups", body))
        return self._answer(body["TableName"])

    def update(self, *, params: dict[str, Any], **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        # The request as botocore serialised it, once validated against the service model.
        body = json.loads(params["body"])
        self.calls.append(("UpdateContinuousBackups", body))
        if body["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]:
            self.enabled.add(body["TableName"])
        return self._answer(body["TableName"])

    def _answer(self, table: str) -> tuple[AWSResponse, dict[str, Any]]:
        status = "ENABLED" if table in self.enabled else "DISABLED"
        description = {
            "ContinuousBackupsStatus": "ENABLED",
            "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": status},
        }
        return AWSResponse("", 200, {}, None), {"ContinuousBackupsDescription": description}


@pytest.fixture
def backups(monkeypatch: pytest.MonkeyPatch, dynamodb_local: str) -> Iterator[ContinuousBackups]:
    """Continuous backups answered for every botocore session made from now on (PynamoDB makes one
    per connection, and the command points the table at the stage's, which makes a new one)."""
    state = ContinuousBackups()
    monkeypatch.setattr(
        botocore_handlers,
        "BUILTIN_HANDLERS",
        [
            *botocore_handlers.BUILTIN_HANDLERS,
            ("before-call.dynamodb.DescribeContinuousBackups", state.describe),
            ("before-call.dynamodb.UpdateContinuousBackups", state.update),
        ],
    )
    yield state


@pytest.fixture
def stage_tables(dynamodb_local: str) -> Iterator[None]:
    """The stages' tables on DynamoDB Local are this test's: unprotected and deleted afterwards."""
    yield
    client = TableItem._get_connection().connection.client
    existing = set(client.list_tables()["TableNames"])
    for table in [stage.table for stage in STAGES.values()] + [RESTORED]:
        if table in existing:
            client.update_table(TableName=table, DeletionProtectionEnabled=False)
            client.delete_table(TableName=table)


RESTORED = "nexioq-prd-restored"


def describe(table: str) -> dict[str, Any]:
    return TableItem._get_connection().connection.client.describe_table(TableName=table)["Table"]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("dynamo_table", *args, stdout=out)
    return out.getvalue()


@pytest.mark.usefixtures("stage_tables")
def test_it_creates_prds_table_protected_and_leaves_it_so(backups: ContinuousBackups) -> None:
    first = run("--stage", "prd")

    assert (
        first == "DynamoDB table nexioq-prd (eu-west-1): created, with deletion protection and point-in-time recovery\n"
    )
    table = describe("nexioq-prd")
    assert table["DeletionProtectionEnabled"] is True
    assert {index["IndexName"] for index in table["GlobalSecondaryIndexes"]} == {
        index.Meta.index_name for index in TableItem._indexes.values()
    }
    assert backups.calls == [
        ("DescribeContinuousBackups", {"TableName": "nexioq-prd"}),
        (
            "UpdateContinuousBackups",
            {"TableName": "nexioq-prd", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}},
        ),
    ]
    # The test's table is the suite's again (the command ran in this process).
    assert (TableItem.Meta.table_name, TableItem.Meta.region) == ("nexioq-test", "us-east-1")

    backups.calls.clear()
    again = run("--stage", "prd")

    assert again == "DynamoDB table nexioq-prd (eu-west-1): up to date\n"
    assert backups.calls == [("DescribeContinuousBackups", {"TableName": "nexioq-prd"})]


@pytest.mark.usefixtures("stage_tables")
def test_it_protects_an_existing_prd_table_that_was_not(backups: ContinuousBackups) -> None:
    run("--stage", "dev")
    client = TableItem._get_connection().connection.client
    # A prd table made before protection was asked for: the same table under prd's name.
    dynamo.configure(host=TableItem.Meta.host, table_name="nexioq-prd", region="eu-west-1")
    try:
        dynamo.table_ensure()
    finally:
        dynamo.configure(host=TableItem.Meta.host, table_name="nexioq-test", region="us-east-1")
    assert describe("nexioq-prd").get("DeletionProtectionEnabled") is False

    out = run("--stage", "prd")

    assert out == "DynamoDB table nexioq-prd (eu-west-1): updated: deletion protection, point-in-time recovery\n"
    assert describe("nexioq-prd")["DeletionProtectionEnabled"] is True
    assert backups.enabled == {"nexioq-prd"}
    with pytest.raises(client.exceptions.ClientError, match="protected against deletion"):
        client.delete_table(TableName="nexioq-prd")


@pytest.mark.usefixtures("stage_tables")
def test_it_protects_a_restored_copy_the_stage_runs_on(backups: ContinuousBackups) -> None:
    """A point-in-time restore makes a table without deletion protection or point-in-time recovery."""
    dynamo.configure(host=TableItem.Meta.host, table_name=RESTORED, region="eu-west-1")
    try:
        dynamo.table_ensure()
    finally:
        dynamo.configure(host=TableItem.Meta.host, table_name="nexioq-test", region="us-east-1")

    out = run("--stage", "prd", "--table", RESTORED)

    assert out == f"DynamoDB table {RESTORED} (eu-west-1): updated: deletion protection, point-in-time recovery\n"
    assert describe(RESTORED)["DeletionProtectionEnabled"] is True
    assert backups.enabled == {RESTORED}
    assert "nexioq-prd" not in TableItem._get_connection().connection.client.list_tables()["TableNames"]


@pytest.mark.usefixtures("stage_tables")
@pytest.mark.parametrize("stage", ["dev", "qas"])
def test_dev_and_qas_go_without_and_say_so(stage: str, backups: ContinuousBackups) -> None:
    out = run("--stage", stage)

    assert out.splitlines() == [
        f"DynamoDB table nexioq-{stage} (eu-west-1): created",
        f"{stage} goes without deletion protection and point-in-time recovery "
        "(Stage.protect_table is off: its data can be made again)",
    ]
    assert describe(f"nexioq-{stage}").get("DeletionProtectionEnabled") is False
    assert backups.calls == []


def test_without_a_stage_it_is_the_local_table_as_before(backups: ContinuousBackups) -> None:
    assert run() == "DynamoDB table nexioq-test: up to date\n"
    assert backups.calls == []


def test_it_refuses_an_unknown_stage(dynamodb_local: str) -> None:
    with pytest.raises(CommandError, match="unknown stage 'staging'"):
        run("--stage", "staging")


def test_it_refuses_a_table_name_without_a_stage(dynamodb_local: str) -> None:
    with pytest.raises(CommandError, match="give --stage too"):
        run("--table", RESTORED)
