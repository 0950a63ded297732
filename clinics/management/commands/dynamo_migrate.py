"""Rewrite the table's items from an earlier layout into the current one (``make run`` runs it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from nexioq import dynamo


class Command(BaseCommand):
    help = "Rewrite DynamoDB items of an earlier key layout into the current one. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        migration = dynamo.LayoutMigration()
        before = migration.current_version()
        if before >= dynamo.LAYOUT_VERSION:
            self.stdout.write(f"table layout: version {before}, up to date")
            return
        counts = migration.run()
        rewritten = ", ".join(f"{n} {what}" for what, n in counts.items())
        self.stdout.write(f"table layout: version {before} -> {dynamo.LAYOUT_VERSION} ({rewritten} rewritten)")
