from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nexioq.monitoring import Monitoring, MonitoringError, table_index_names
from nexioq.stages import STAGES, stage_get


class Command(BaseCommand):
    help = (
        "Set the stage's Lambda log retention and create or update its CloudWatch alarms "
        "(5xx rate, p99 latency, DynamoDB throttles, failed outbox items, Lambda errors). Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stage", required=True, choices=sorted(STAGES))
        parser.add_argument("--alarm-topic-arn", required=True, help="SNS topic the alarms notify")
        parser.add_argument("--api-id", help="the HTTP API's id (default: the API named nexioq-<stage>)")
        parser.add_argument("--dry-run", action="store_true", help="print the writes instead of making them")

    def handle(self, *args: Any, **options: Any) -> None:
        import boto3

        stage = stage_get(options["stage"])
        monitoring = Monitoring(
            stage=stage,
            topic_arn=options["alarm_topic_arn"],
            logs=boto3.client("logs", region_name=stage.region),
            cloudwatch=boto3.client("cloudwatch", region_name=stage.region),
            apigateway=boto3.client("apigatewayv2", region_name=stage.region),
            index_names=table_index_names(),
            say=self.stdout.write,
        )
        try:
            monitoring.run(api_id=options["api_id"], dry_run=options["dry_run"])
        except MonitoringError as exc:
            raise CommandError(str(exc)) from exc
