"""Put clinics written before the clinic directory (GSI1) into it. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from clinics.services import clinic_directory_backfill


class Command(BaseCommand):
    help = "Add clinics missing from the GSI1 clinic directory (a one-off Scan, never in a request)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"clinics added to the directory: {clinic_directory_backfill()}")
