"""The retention table deletes records six years after they were written; school contact
details are for the Safeguarding Team only; the audit log is append-only."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from minimentors.audit import audit_record
from minimentors.celery import app as celery_app
from minimentors.models import AuditEntry

pytestmark = pytest.mark.django_db
UK = ZoneInfo("Europe/London")


def test_records_are_deleted_six_years_after_they_were_written_and_not_before(counsellor, capsys):
    with time_machine.travel(datetime(2020, 3, 1, 12, 0, tzinfo=UK), tick=False):
        old = audit_record(actor=counsellor, action="note.read")
    with time_machine.travel(datetime(2020, 3, 2, 12, 0, tzinfo=UK), tick=False):
        newer = audit_record(actor=counsellor, action="note.read")
    with time_machine.travel(datetime(2026, 3, 1, 18, 0, tzinfo=UK), tick=False):
        call_command("purge_expired", "--dry-run")
        assert "minimentors.AuditEntry: would delete 1" in capsys.readouterr().out
        reads = AuditEntry.objects.filter(action="note.read")
        assert reads.count() == 2
        call_command("purge_expired")
    assert "minimentors.AuditEntry: deleted 1" in capsys.readouterr().out
    assert list(reads.values_list("pk", flat=True)) == [newer.pk]
    assert old.pk != newer.pk


def test_celery_beat_runs_purge_expired_daily():
    celery_app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    entries = [e for e in celery_app.conf.beat_schedule.values() if "purge_expired" in e["task"]]
    assert len(entries) == 1
    assert entries[0]["task"] in celery_app.tasks


def test_audit_entries_cannot_be_edited(counsellor):
    entry = audit_record(actor=counsellor, action="transcript.read")
    entry.action = "something else"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()


def test_only_the_safeguarding_team_sees_school_contact_details(
    client, school, safeguarding_user, moderator
):
    client.force_login(safeguarding_user)
    response = client.get(f"/admin/minimentors/school/{school.pk}/change/")
    assert response.status_code == 200 and "dsl@example.org" in response.content.decode()
    client.force_login(moderator)
    response = client.get(f"/admin/minimentors/school/{school.pk}/change/")
    assert response.status_code == 403
