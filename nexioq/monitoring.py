"""CloudWatch for a stage: its Lambda's log retention and the alarms an operator is paged by.

``manage.py aws_monitoring --stage prd --alarm-topic-arn <SNS topic>`` runs ``Monitoring.run``.
Every write is a put (``put_retention_policy``, ``put_metric_alarm``) that replaces what is
there, so running it again after a change is how alarms are updated. The AWS clients are passed
in: tests hand in clients with botocore's Stubber on them.

The alarms and why their thresholds are what they are:

- **5xx rate** above 1 % of API Gateway's requests in 5 minutes, counted only once at least 20
  requests came in (at night 1 failure of 3 requests is not an outage; Lambda errors page for a
  crash whatever the traffic).
- **p99 latency** above 3 s in 2 of 3 five-minute periods: one period can be a cold start.
- **DynamoDB throttles**: any read or write throttled on the table or one of its indexes in
  5 minutes. The table is on demand, so a throttle means a hot partition or the account's limit:
  worth a look at once. Reads and writes are two alarms (an alarm takes at most 10 metrics).
- **Failed outbox items**: any message given up after its last retry (the ``FailedOutboxItems``
  metric the delivery writes in Embedded Metric Format, notifications.services); the clinic sees
  it in its failed list, the operator wants to know why.
- **Lambda errors**: any invocation that failed (a crash, a timeout, a scheduled sweep that
  raised). Django turns a view's exception into a 500, so this counts only what escaped it.

Missing data is "not breaching": no traffic is no alarm.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nexioq.logs import METRIC_NAMESPACE
from nexioq.stages import Stage

PERIOD = 300
ERROR_RATE_PERCENT = 1
ERROR_RATE_MIN_REQUESTS = 20
LATENCY_P99_MS = 3000


class MonitoringError(RuntimeError):
    pass


def _metric(namespace: str, name: str, dimensions: dict[str, str], stat: str = "Sum") -> dict[str, Any]:
    return {
        "Metric": {
            "Namespace": namespace,
            "MetricName": name,
            "Dimensions": [{"Name": key, "Value": value} for key, value in dimensions.items()],
        },
        "Period": PERIOD,
        "Stat": stat,
    }


def alarms(stage: Stage, *, api_id: str, topic_arn: str, index_names: Sequence[str]) -> list[dict[str, Any]]:
    """The ``put_metric_alarm`` requests of ``stage``, one per alarm."""
    prefix = stage.function_name

    def alarm(name: str, description: str, **fields: Any) -> dict[str, Any]:
        return {
            "AlarmName": f"{prefix}-{name}",
            "AlarmDescription": description,
            "ActionsEnabled": True,
            "AlarmActions": [topic_arn],
            "OKActions": [topic_arn],
            "EvaluationPeriods": 1,
            "DatapointsToAlarm": 1,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            **fields,
        }

    def one_metric(namespace: str, metric: str, dimensions: dict[str, str]) -> dict[str, Any]:
        return {
            "Namespace": namespace,
            "MetricName": metric,
            "Dimensions": [{"Name": key, "Value": value} for key, value in dimensions.items()],
            "Statistic": "Sum",
            "Period": PERIOD,
            "Threshold": 0,
        }

    def throttles(kind: str) -> dict[str, Any]:
        sources = [{"TableName": stage.table}] + [
            {"TableName": stage.table, "GlobalSecondaryIndexName": index} for index in index_names
        ]
        metrics = [
            {"Id": f"m{n}", "MetricStat": _metric("AWS/DynamoDB", f"{kind}ThrottleEvents", dims), "ReturnData": False}
            for n, dims in enumerate(sources)
        ]
        if len(metrics) > 9:
            raise MonitoringError(f"{len(metrics)} metrics in one alarm; CloudWatch takes 10 with the expression")
        total = {"Id": "throttles", "Expression": "SUM(METRICS())", "Label": f"{kind} throttles", "ReturnData": True}
        return alarm(
            f"dynamodb-{kind.lower()}-throttles",
            f"{kind}s throttled on DynamoDB table {stage.table} or its indexes",
            Metrics=[*metrics, total],
            Threshold=0,
        )

    api = {"ApiId": api_id}
    return [
        alarm(
            "5xx-rate",
            f"More than {ERROR_RATE_PERCENT}% of API Gateway requests answered 5xx in 5 minutes "
            f"(with at least {ERROR_RATE_MIN_REQUESTS} requests)",
            Metrics=[
                {"Id": "errors", "MetricStat": _metric("AWS/ApiGateway", "5xx", api), "ReturnData": False},
                {"Id": "requests", "MetricStat": _metric("AWS/ApiGateway", "Count", api), "ReturnData": False},
                {
                    "Id": "rate",
                    "Expression": f"IF(requests >= {ERROR_RATE_MIN_REQUESTS}, 100 * errors / requests, 0)",
                    "Label": "5xx per 100 requests",
                    "ReturnData": True,
                },
            ],
            Threshold=ERROR_RATE_PERCENT,
        ),
        alarm(
            "latency-p99",
            f"API Gateway p99 latency above {LATENCY_P99_MS / 1000:g} s in 2 of 3 five-minute periods",
            Namespace="AWS/ApiGateway",
            MetricName="Latency",
            Dimensions=[{"Name": "ApiId", "Value": api_id}],
            ExtendedStatistic="p99",
            Period=PERIOD,
            EvaluationPeriods=3,
            DatapointsToAlarm=2,
            Threshold=LATENCY_P99_MS,
        ),
        throttles("Read"),
        throttles("Write"),
        alarm(
            "failed-outbox-items",
            "A message was given up after its last retry (the clinic's failed list has it)",
            **one_metric(METRIC_NAMESPACE, "FailedOutboxItems", {"Stage": stage.name}),
        ),
        alarm(
            "lambda-errors",
            f"Invocations of {stage.function_name} failed (crash, timeout, a scheduled event that raised)",
            **one_metric("AWS/Lambda", "Errors", {"FunctionName": stage.function_name}),
        ),
    ]


def table_index_names() -> list[str]:
    """The table's global secondary indexes, as the model declares them."""
    from nexioq.dynamo import TableItem

    schema: Any = TableItem._get_schema()
    return sorted(index["index_name"] for index in schema["global_secondary_indexes"])


@dataclass
class Monitoring:
    """The steps of ``aws_monitoring``: each a method, the AWS clients given."""

    stage: Stage
    topic_arn: str
    logs: Any
    cloudwatch: Any
    apigateway: Any
    index_names: Sequence[str]
    say: Callable[[str], None] = print

    def api_id_find(self) -> str:
        """The id of the stage's HTTP API, which Zappa names like the function."""
        found = [
            api["ApiId"]
            for page in self.apigateway.get_paginator("get_apis").paginate()
            for api in page["Items"]
            if api["Name"] == self.stage.function_name
        ]
        if len(found) != 1:
            raise MonitoringError(
                f"{len(found)} APIs named {self.stage.function_name} in {self.stage.region}; pass --api-id"
            )
        return found[0]

    def log_group_ensure(self, *, dry_run: bool = False) -> None:
        """The function's log group, made before Lambda's first line would make it without a
        retention, kept ``log_retention_days``."""
        name = self.stage.log_group
        groups = self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        if not any(group["logGroupName"] == name for group in groups):
            self._write(self.logs.create_log_group, dry_run, logGroupName=name)
        self._write(
            self.logs.put_retention_policy,
            dry_run,
            logGroupName=name,
            retentionInDays=self.stage.log_retention_days,
        )

    def alarms_put(self, *, api_id: str, dry_run: bool = False) -> None:
        for request in alarms(self.stage, api_id=api_id, topic_arn=self.topic_arn, index_names=self.index_names):
            self._write(self.cloudwatch.put_metric_alarm, dry_run, **request)

    def run(self, *, api_id: str | None = None, dry_run: bool = False) -> None:
        api_id = api_id or self.api_id_find()
        self.log_group_ensure(dry_run=dry_run)
        self.alarms_put(api_id=api_id, dry_run=dry_run)

    def _write(self, operation: Callable[..., Any], dry_run: bool, **params: Any) -> None:
        name = operation.__name__
        label = params.get("AlarmName") or params.get("logGroupName")
        if dry_run:
            self.say(f"would call {name} {label}: {params}")
            return
        operation(**params)
        self.say(f"{name} {label}: done")
