from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from nexioq.dynamo import table_ensure


class Command(BaseCommand):
    help = "Create the DynamoDB table (with GSI1, GSI2 and TTL) if it does not exist. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = table_ensure()
        self.stdout.write(f"DynamoDB table {settings.DYNAMODB_TABLE}: {outcome}")
