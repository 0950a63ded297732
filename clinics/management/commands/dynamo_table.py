"""Create or update the DynamoDB table: the local one, or a stage's (``--stage prd``) with its protection."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from nexioq import dynamo
from nexioq.stages import STAGES, Stage, UnknownStage, stage_get


class Command(BaseCommand):
    help = (
        "Create the DynamoDB table (with its indexes and TTL) if it does not exist, or add what it lacks. "
        "With --stage, the stage's table, and for a protected stage (prd) deletion protection and "
        "point-in-time recovery. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stage",
            help=f"one of {', '.join(STAGES)}: its table in its region, with the AWS credentials of whoever runs this",
        )
        parser.add_argument(
            "--table",
            help="with --stage: the stage's table under another name (a restored copy, docs/deploy.md)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["table"] and not options["stage"]:
            raise CommandError("--table names a stage's table under another name: give --stage too")
        if not options["stage"]:
            outcome = dynamo.table_ensure()
            self.stdout.write(f"DynamoDB table {settings.DYNAMODB_TABLE}: {outcome}")
            return
        try:
            stage = stage_get(options["stage"])
        except UnknownStage as exc:
            raise CommandError(str(exc)) from exc
        table = options["table"] or stage.table
        self.stdout.write(f"DynamoDB table {table} ({stage.region}): {self.ensure(stage, table)}")
        if not stage.protect_table:
            self.stdout.write(
                f"{stage.name} goes without deletion protection and point-in-time recovery "
                "(Stage.protect_table is off: its data can be made again)"
            )

    @staticmethod
    def ensure(stage: Stage, table: str) -> str:
        """The stage's table, then the table this process had before (the command may run in-process)."""
        meta: Any = dynamo.TableItem.Meta
        before = (meta.table_name, meta.region)
        dynamo.configure(host=meta.host, table_name=table, region=stage.region)
        try:
            return dynamo.table_ensure(protect=stage.protect_table)
        finally:
            dynamo.configure(host=meta.host, table_name=before[0], region=before[1])
