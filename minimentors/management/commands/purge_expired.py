"""python manage.py purge_expired [--dry-run]: the daily retention job (Celery beat runs the
same service). Prints counts per kind of record, never content."""

from django.core.management.base import BaseCommand

from minimentors.retention import purge_expired


class Command(BaseCommand):
    help = "Delete notes and records older than the retention table allows."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")

    def handle(self, *args, dry_run: bool, **options) -> None:
        counts = purge_expired(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        for label, count in counts.items():
            self.stdout.write(f"{label}: {verb} {count}")
