"""``manage.py aws_monitoring``: the exact CloudWatch, CloudWatch Logs and API Gateway calls, checked
by botocore's Stubber on the clients (AWS is the boundary)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from django.core.management import CommandError, call_command

from nexioq.monitoring import Monitoring, MonitoringError, table_index_names
from nexioq.stages import STAGES

TOPIC = "arn:aws:sns:eu-west-1:123456789012:nexioq-alarms"
INDEXES = ["clinic-agenda", "clinic-directory", "outbox-due", "patient-bookings", "professional-agenda"]


def client(service: str) -> Any:
    return boto3.client(service, region_name="eu-west-1", aws_access_key_id="test", aws_secret_access_key="test")


class Clients:
    def __init__(self) -> None:
        self.logs, self.cloudwatch, self.apigateway = client("logs"), client("cloudwatch"), client("apigatewayv2")
        self.stubs = {name: Stubber(getattr(self, name)) for name in ("logs", "cloudwatch", "apigateway")}

    def __getitem__(self, name: str) -> Stubber:
        return self.stubs[name]

    def monitoring(self, stage: str, said: list[str]) -> Monitoring:
        return Monitoring(
            stage=STAGES[stage],
            topic_arn=TOPIC,
            logs=self.logs,
            cloudwatch=self.cloudwatch,
            apigateway=self.apigateway,
            index_names=INDEXES,
            say=said.append,
        )


@pytest.fixture
def aws() -> Iterator[Clients]:
    clients = Clients()
    for stub in clients.stubs.values():
        stub.activate()
    yield clients
    for stub in clients.stubs.values():
        stub.assert_no_pending_responses()
        stub.deactivate()


def metric(namespace: str, name: str, stat: str = "Sum", **dimensions: str) -> dict[str, Any]:
    return {
        "Metric": {
            "Namespace": namespace,
            "MetricName": name,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
        },
        "Period": 300,
        "Stat": stat,
    }


def common(name: str) -> dict[str, Any]:
    return {
        "AlarmName": name,
        "ActionsEnabled": True,
        "AlarmActions": [TOPIC],
        "OKActions": [TOPIC],
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
    }


def prd_alarms(api_id: str) -> list[dict[str, Any]]:
    """Written out by hand: what prd's alarms must be, whatever nexioq.monitoring builds."""

    def throttles(kind: str) -> dict[str, Any]:
        tables = [{"TableName": "nexioq-prd"}] + [
            {"TableName": "nexioq-prd", "GlobalSecondaryIndexName": index} for index in INDEXES
        ]
        return {
            **common(f"nexioq-prd-dynamodb-{kind.lower()}-throttles"),
            "AlarmDescription": f"{kind}s throttled on DynamoDB table nexioq-prd or its indexes",
            "EvaluationPeriods": 1,
            "DatapointsToAlarm": 1,
            "Threshold": 0,
            "Metrics": [
                *(
                    {
                        "Id": f"m{n}",
                        "MetricStat": metric("AWS/DynamoDB", f"{kind}ThrottleEvents", **dims),
                        "ReturnData": False,
                    }
                    for n, dims in enumerate(tables)
                ),
                {"Id": "throttles", "Expression": "SUM(METRICS())", "Label": f"{kind} throttles", "ReturnData": True},
            ],
        }

    return [
        {
            **common("nexioq-prd-5xx-rate"),
            "AlarmDescription": "More than 1% of API Gateway requests answered 5xx in 5 minutes "
            "(with at least 20 requests)",
            "EvaluationPeriods": 1,
            "DatapointsToAlarm": 1,
            "Threshold": 1,
            "Metrics": [
                {"Id": "errors", "MetricStat": metric("AWS/ApiGateway", "5xx", ApiId=api_id), "ReturnData": False},
                {"Id": "requests", "MetricStat": metric("AWS/ApiGateway", "Count", ApiId=api_id), "ReturnData": False},
                {
                    "Id": "rate",
                    "Expression": "IF(requests >= 20, 100 * errors / requests, 0)",
                    "Label": "5xx per 100 requests",
                    "ReturnData": True,
                },
            ],
        },
        {
            **common("nexioq-prd-latency-p99"),
            "AlarmDescription": "API Gateway p99 latency above 3 s in 2 of 3 five-minute periods",
            "Namespace": "AWS/ApiGateway",
            "MetricName": "Latency",
            "Dimensions": [{"Name": "ApiId", "Value": api_id}],
            "ExtendedStatistic": "p99",
            "Period": 300,
            "EvaluationPeriods": 3,
            "DatapointsToAlarm": 2,
            "Threshold": 3000,
        },
        throttles("Read"),
        throttles("Write"),
        {
            **common("nexioq-prd-failed-outbox-items"),
            "AlarmDescription": "A message was given up after its last retry (the clinic's failed list has it)",
            "Namespace": "NexioQ",
            "MetricName": "FailedOutboxItems",
            "Dimensions": [{"Name": "Stage", "Value": "prd"}],
            "Statistic": "Sum",
            "Period": 300,
            "EvaluationPeriods": 1,
            "DatapointsToAlarm": 1,
            "Threshold": 0,
        },
        {
            **common("nexioq-prd-lambda-errors"),
            "AlarmDescription": "Invocations of nexioq-prd failed (crash, timeout, a scheduled event that raised)",
            "Namespace": "AWS/Lambda",
            "MetricName": "Errors",
            "Dimensions": [{"Name": "FunctionName", "Value": "nexioq-prd"}],
            "Statistic": "Sum",
            "Period": 300,
            "EvaluationPeriods": 1,
            "DatapointsToAlarm": 1,
            "Threshold": 0,
        },
    ]


def api(name: str, api_id: str) -> dict[str, Any]:
    return {"Name": name, "ApiId": api_id, "ProtocolType": "HTTP", "RouteSelectionExpression": "x"}


def test_it_sets_up_prd_finding_its_api_and_making_its_log_group(aws: Clients) -> None:
    aws["apigateway"].add_response("get_apis", {"Items": [api("nexioq-dev", "devid")], "NextToken": "t"}, {})
    aws["apigateway"].add_response("get_apis", {"Items": [api("nexioq-prd", "prdid")]}, {"NextToken": "t"})
    aws["logs"].add_response(
        "describe_log_groups",
        {"logGroups": [{"logGroupName": "/aws/lambda/nexioq-prd-other"}]},
        {"logGroupNamePrefix": "/aws/lambda/nexioq-prd"},
    )
    aws["logs"].add_response("create_log_group", {}, {"logGroupName": "/aws/lambda/nexioq-prd"})
    aws["logs"].add_response(
        "put_retention_policy", {}, {"logGroupName": "/aws/lambda/nexioq-prd", "retentionInDays": 30}
    )
    for alarm in prd_alarms("prdid"):
        aws["cloudwatch"].add_response("put_metric_alarm", {}, alarm)
    said: list[str] = []

    aws.monitoring("prd", said).run()

    assert said[:2] == [
        "create_log_group /aws/lambda/nexioq-prd: done",
        "put_retention_policy /aws/lambda/nexioq-prd: done",
    ]
    assert len(said) == 8


def for_dev(value: Any) -> Any:
    """prd's alarm as dev's: its names and dimensions."""
    if isinstance(value, dict):
        if value.get("Name") == "Stage":
            return {**value, "Value": "dev"}
        return {key: for_dev(item) for key, item in value.items()}
    if isinstance(value, list):
        return [for_dev(item) for item in value]
    return value.replace("nexioq-prd", "nexioq-dev") if isinstance(value, str) else value


def test_it_sets_up_dev_with_the_api_given_and_its_log_group_already_there(aws: Clients) -> None:
    aws["logs"].add_response(
        "describe_log_groups",
        {"logGroups": [{"logGroupName": "/aws/lambda/nexioq-dev"}]},
        {"logGroupNamePrefix": "/aws/lambda/nexioq-dev"},
    )
    aws["logs"].add_response(
        "put_retention_policy", {}, {"logGroupName": "/aws/lambda/nexioq-dev", "retentionInDays": 7}
    )
    for alarm in prd_alarms("devid"):
        aws["cloudwatch"].add_response("put_metric_alarm", {}, for_dev(alarm))

    aws.monitoring("dev", []).run(api_id="devid")


def test_a_dry_run_reads_but_writes_nothing(aws: Clients) -> None:
    aws["logs"].add_response("describe_log_groups", {"logGroups": []}, {"logGroupNamePrefix": "/aws/lambda/nexioq-qas"})
    said: list[str] = []

    aws.monitoring("qas", said).run(api_id="qasid", dry_run=True)  # any write would find no stubbed answer

    assert said[0] == "would call create_log_group /aws/lambda/nexioq-qas: {'logGroupName': '/aws/lambda/nexioq-qas'}"
    assert "retentionInDays': 14" in said[1]
    assert [line.split()[3].rstrip(":") for line in said[2:]] == [
        f"nexioq-qas-{name}"
        for name in (
            "5xx-rate",
            "latency-p99",
            "dynamodb-read-throttles",
            "dynamodb-write-throttles",
            "failed-outbox-items",
            "lambda-errors",
        )
    ]


@pytest.mark.parametrize("names", [[], ["nexioq-prd", "nexioq-prd"]])
def test_it_refuses_to_guess_the_api(aws: Clients, names: list[str]) -> None:
    aws["apigateway"].add_response("get_apis", {"Items": [api(name, f"id{n}") for n, name in enumerate(names)]}, {})

    with pytest.raises(MonitoringError, match=f"{len(names)} APIs named nexioq-prd in eu-west-1; pass --api-id"):
        aws.monitoring("prd", []).run()


def test_the_throttle_alarms_cover_every_index_of_the_table() -> None:
    assert table_index_names() == INDEXES


def test_the_command_runs_the_steps_with_clients_of_the_stages_region(
    aws: Clients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    made: list[tuple[str, str]] = []

    def boto3_client(service: str, region_name: str) -> Any:
        made.append((service, region_name))
        return {"logs": aws.logs, "cloudwatch": aws.cloudwatch, "apigatewayv2": aws.apigateway}[service]

    monkeypatch.setattr(boto3, "client", boto3_client)
    aws["apigateway"].add_response("get_apis", {"Items": []}, {})

    with pytest.raises(CommandError, match="pass --api-id"):
        call_command("aws_monitoring", "--stage", "prd", "--alarm-topic-arn", TOPIC)
    aws["logs"].add_response("describe_log_groups", {"logGroups": []}, {"logGroupNamePrefix": "/aws/lambda/nexioq-dev"})
    call_command("aws_monitoring", "--stage", "dev", "--alarm-topic-arn", TOPIC, "--api-id", "x", "--dry-run")

    assert sorted(set(made)) == [("apigatewayv2", "eu-west-1"), ("cloudwatch", "eu-west-1"), ("logs", "eu-west-1")]
    assert capsys.readouterr().out.count("would call put_metric_alarm nexioq-dev-") == 6
