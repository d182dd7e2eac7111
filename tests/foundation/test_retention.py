"""The retention job: six calendar years in UK time, holds, batches, one run at a time, a
deletion record per kind, files with their rows, and the command's flags."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command

from counselling import services as counselling
from counselling.models import ConcernNote
from minimentors import retention
from minimentors.models import DeletionRecord
from safeguarding.models import Case, LegalHold

pytestmark = pytest.mark.django_db
UK = ZoneInfo("Europe/London")
WRITTEN = datetime(2020, 6, 15, 10, 0, tzinfo=UK)
NOTE = {"category": "other", "what_happened": "Talked.", "decision": "Nothing to do."}


def note_written(at: datetime, child, counsellor) -> ConcernNote:
    with time_machine.travel(at, tick=False):
        return counselling.note_write(author=counsellor, child=child, **NOTE)


def purge(at: datetime, **kwargs) -> dict[str, int]:
    with time_machine.travel(at, tick=False):
        return retention.purge_expired(**kwargs)


def test_six_years_and_a_day_goes_six_years_less_a_day_stays(child, counsellor):
    old = note_written(WRITTEN - timedelta(days=1), child, counsellor)
    young = note_written(WRITTEN + timedelta(days=1), child, counsellor)
    counts = purge(datetime(2026, 6, 15, 10, 0, tzinfo=UK))
    assert counts["counselling.ConcernNote"] == 1
    assert list(ConcernNote.objects.all()) == [young] and old.pk != young.pk


def test_a_note_on_an_open_case_stays_and_goes_six_years_after_the_case_closes(
    child, counsellor, safeguarding_user
):
    from safeguarding.services import case_transition

    note = note_written(WRITTEN, child, counsellor)
    counselling.escalate_to_safeguarding(counsellor=counsellor, child=child, note_ids=[note.pk],
                                         concern_ids=[], reason="Worried.")  # fmt: skip
    case = Case.objects.get()
    assert purge(datetime(2030, 1, 1, tzinfo=UK))["counselling.ConcernNote"] == 0  # open case
    with time_machine.travel(datetime(2030, 1, 2, tzinfo=UK), tick=False):
        case_transition(case=case, to="closed", actor=safeguarding_user, outcome="Safe now.")
    assert purge(datetime(2035, 12, 31, tzinfo=UK))["counselling.ConcernNote"] == 0
    counts = purge(datetime(2036, 1, 3, tzinfo=UK))
    assert counts["counselling.ConcernNote"] == 1 and counts["safeguarding.Case"] == 1
    assert not ConcernNote.objects.exists() and not Case.objects.exists()


def test_a_record_under_legal_hold_is_kept(child, counsellor, safeguarding_user):
    note_written(WRITTEN, child, counsellor)
    hold = LegalHold.objects.create(child=child, reason="Court case.", placed_by=safeguarding_user)
    assert purge(datetime(2030, 1, 1, tzinfo=UK))["counselling.ConcernNote"] == 0
    hold.lifted_at = datetime(2030, 2, 1, tzinfo=UK)
    hold.save()
    assert purge(datetime(2030, 3, 1, tzinfo=UK))["counselling.ConcernNote"] == 1


def test_a_dry_run_counts_the_same_and_deletes_nothing_and_a_second_run_deletes_nothing(
    child, counsellor
):
    note_written(WRITTEN, child, counsellor)
    later = datetime(2027, 1, 1, tzinfo=UK)
    dry = purge(later, dry_run=True)
    assert ConcernNote.objects.count() == 1 and not DeletionRecord.objects.exists()
    real = purge(later)
    assert dry == real and real["counselling.ConcernNote"] == 1
    assert set(purge(later).values()) == {0}  # the second run
    records = DeletionRecord.objects.filter(kind="counselling.ConcernNote")
    assert sorted(r.deleted for r in records) == [0, 1]


def test_deletes_in_batches(child, counsellor, monkeypatch):
    monkeypatch.setattr(retention, "PURGE_BATCH", 2)
    for day in range(5):
        note_written(WRITTEN + timedelta(days=day), child, counsellor)
    assert purge(datetime(2027, 1, 1, tzinfo=UK))["counselling.ConcernNote"] == 5


def test_one_run_at_a_time(child, counsellor):
    note_written(WRITTEN, child, counsellor)
    with time_machine.travel(datetime(2027, 1, 1, tzinfo=UK), tick=False):
        cache.add(retention.LOCK_KEY, "another worker's run", timeout=60)
        try:
            assert retention.purge_expired() is None
            assert ConcernNote.objects.count() == 1
        finally:
            cache.delete(retention.LOCK_KEY)


def test_29_february_is_kept_until_28_february_has_passed_and_goes_on_1_march(child, counsellor):
    note_written(datetime(2024, 2, 29, 9, 0, tzinfo=UK), child, counsellor)
    assert purge(datetime(2030, 2, 28, 23, 0, tzinfo=UK))["counselling.ConcernNote"] == 0
    assert purge(datetime(2030, 3, 1, 0, 30, tzinfo=UK))["counselling.ConcernNote"] == 1
    assert retention.years_before(datetime(2032, 2, 29, 12, tzinfo=UK), 6).day == 28


def test_an_exports_file_goes_with_its_row(case_with_export):
    export = case_with_export
    path = export.file.path
    case = export.case
    case.status, case.closed_at, case.outcome = "closed", datetime(2020, 1, 1, tzinfo=UK), "Done."
    case.save()
    counts = purge(datetime(2027, 1, 1, tzinfo=UK))
    assert counts["safeguarding.TranscriptExport"] == 1
    import os

    assert not os.path.exists(path)


@pytest.fixture
def case_with_export(child, counsellor, safeguarding_user, make_member, settings, tmp_path):
    from datetime import date

    from safeguarding import exports
    from safeguarding.models import TranscriptExport

    settings.MEDIA_ROOT = tmp_path
    note = counselling.note_write(author=counsellor, child=child, **NOTE)
    counselling.escalate_to_safeguarding(counsellor=counsellor, child=child, note_ids=[note.pk],
                                         concern_ids=[], reason="Worried.")  # fmt: skip
    export = exports.export_request(export=TranscriptExport(
        case=Case.objects.get(), requested_by="police", request_reference="R-1",
        date_from=date(2020, 1, 1), date_to=date(2030, 1, 1), why="Inquiry.",
        basis="legal_obligation"), actor=safeguarding_user)  # fmt: skip
    exports.export_approve(export=export, approver=make_member("safeguarding", "sol-team"))
    return exports.export_produce(export=export, actor=safeguarding_user, with_whom="Police")


def test_the_command_takes_now_and_json_and_a_kind_error_for_a_bad_day(child, counsellor):
    note_written(WRITTEN, child, counsellor)
    out = StringIO()
    call_command("purge_expired", "--dry-run", "--json", "--now", "2026-06-14", stdout=out)
    assert json.loads(out.getvalue())["counselling.ConcernNote"] == 0
    out = StringIO()
    call_command("purge_expired", "--json", "--now", "2026-06-16", stdout=out)
    assert json.loads(out.getvalue())["counselling.ConcernNote"] == 1
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="2032-03-01"):
        call_command("purge_expired", "--now", "next tuesday")
