"""The audit log is append-only in the database itself (triggers on SQLite and PostgreSQL):
no ORM path and no raw SQL changes or deletes a row; only the retention job deletes, and only
expired rows. tests/scale/ runs these same tests on PostgreSQL."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from minimentors.audit import audit_record
from minimentors.models import AuditEntry, User
from minimentors.retention import purge_expired

pytestmark = pytest.mark.django_db
UK = ZoneInfo("Europe/London")
TABLE = AuditEntry._meta.db_table


@pytest.fixture
def entry(counsellor):
    return audit_record(actor=counsellor, action="note.read", note=7)


def refused(change) -> bool:
    try:
        with transaction.atomic():
            change()
    except DatabaseError:
        return True
    return False


def test_an_audit_entry_cannot_be_changed_by_update_or_bulk_update(entry):
    assert refused(lambda: AuditEntry.objects.filter(pk=entry.pk).update(action="nothing"))
    entry.action = "nothing"
    assert refused(lambda: AuditEntry.objects.bulk_update([entry], ["action"]))
    assert AuditEntry.objects.get(pk=entry.pk).action == "note.read"


def test_an_audit_entry_cannot_be_deleted_through_the_orm(entry):
    assert refused(lambda: AuditEntry.objects.filter(pk=entry.pk).delete())
    assert refused(lambda: AuditEntry.objects.all().delete())
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_an_audit_entry_cannot_be_changed_or_deleted_with_raw_sql(entry):
    def raw(sql):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])

        return run

    assert refused(raw(f"UPDATE {TABLE} SET action = 'x' WHERE id = %s"))  # noqa: S608
    assert refused(raw(f"UPDATE {TABLE} SET actor_id = NULL, action = 'x' WHERE id = %s"))  # noqa: S608
    assert refused(raw(f"DELETE FROM {TABLE} WHERE id = %s"))  # noqa: S608
    assert AuditEntry.objects.get(pk=entry.pk).action == "note.read"


def test_the_retention_job_still_deletes_expired_entries_and_only_those(counsellor):
    with time_machine.travel(datetime(2020, 3, 1, 12, 0, tzinfo=UK), tick=False):
        old = audit_record(actor=counsellor, action="note.read")
    recent = audit_record(actor=counsellor, action="note.read")
    counts = purge_expired(now=datetime(2026, 3, 2, 12, 0, tzinfo=UK))
    assert counts["minimentors.AuditEntry"] == 1
    reads = AuditEntry.objects.filter(action="note.read")
    assert list(reads.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk != recent.pk
    # Afterwards the log is guarded again.
    assert refused(lambda: AuditEntry.objects.filter(pk=recent.pk).delete())


def test_deleting_an_account_keeps_its_audit_entries_under_the_name(entry, counsellor):
    User.objects.filter(pk=counsellor.pk).delete()
    kept = AuditEntry.objects.get(pk=entry.pk)
    assert kept.actor_id is None and kept.actor_username == "carol-counsellor"
