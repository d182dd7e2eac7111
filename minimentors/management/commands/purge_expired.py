"""python manage.py purge_expired [--dry-run] [--json] [--now YYYY-MM-DD]: the daily retention
job (Celery beat runs the same service). Prints counts per kind of record, never content."""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minimentors.hours import UK
from minimentors.retention import purge_expired


class Command(BaseCommand):
    help = "Delete notes and records older than the retention table allows."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")
        parser.add_argument("--json", action="store_true", help="One JSON object of counts.")
        parser.add_argument("--now", help="Run as if on this day (YYYY-MM-DD, UK time).")

    def handle(
        self, *args: Any, dry_run: bool, json: bool, now: str | None, **options: Any
    ) -> None:
        moment = None
        if now:
            try:
                day = datetime.strptime(now, "%Y-%m-%d").date()
            except ValueError:
                raise CommandError(f"--now needs a day like 2032-03-01, not {now!r}.") from None
            moment = datetime.combine(day, time(12, 0), tzinfo=UK)
        counts = purge_expired(now=moment, dry_run=dry_run)
        if counts is None:
            self.stdout.write("Another purge is running now; this one did nothing.")
            return
        if json:
            self.stdout.write(_json(counts))
            return
        verb = "would delete" if dry_run else "deleted"
        for label, count in counts.items():
            self.stdout.write(f"{label}: {verb} {count}")


def _json(counts: dict[str, int]) -> str:
    return json.dumps(counts)
