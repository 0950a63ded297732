"""Write a stage's IAM role policy where zappa_settings.json's ``attach_policy`` says (nexioq.iam)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from nexioq.iam import policy_document
from nexioq.stages import STAGES, UnknownStage, stage_get

BASE_DIR = Path(settings.BASE_DIR)


class Command(BaseCommand):
    help = (
        "Write the stage's least-privilege IAM policy (default: zappa_settings.json's attach_policy, "
        "which Zappa attaches instead of its own)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stage", required=True, help=f"one of {', '.join(STAGES)}")
        parser.add_argument("--account-id", required=True, help="the 12-digit AWS account id")
        parser.add_argument("--table", help="the table's name while the stage runs on a restored copy (docs/deploy.md)")
        parser.add_argument("--output", help="where to write it (default: the stage's attach_policy)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            stage = stage_get(options["stage"])
            document = policy_document(stage, account_id=options["account_id"], table=options["table"])
        except (UnknownStage, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        output = Path(options["output"] or BASE_DIR / self.attach_policy(stage.name))
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(document, indent=2) + "\n")
        actions = sum(len(statement["Action"]) for statement in document["Statement"])
        self.stdout.write(
            f"IAM policy of {stage.name}: {len(document['Statement'])} statements, {actions} actions -> {output}"
        )

    @staticmethod
    def attach_policy(stage: str) -> str:
        zappa = json.loads((BASE_DIR / "zappa_settings.json").read_text())
        path = zappa.get(stage, {}).get("attach_policy")
        if not path:
            raise CommandError(f"zappa_settings.json names no attach_policy for {stage}; pass --output")
        return str(path)
