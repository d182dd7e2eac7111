"""The Safeguarding Team's rules: the case workflow, the told-first answer, two people for an
export, a log row with a checksum that matches the file, and redaction."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest
from pypdf import PdfReader

from minimentors.models import AuditEntry
from safeguarding import exports, services
from safeguarding.models import Case, CaseTransition, Referral, SharingRecord, TranscriptExport

pytestmark = pytest.mark.django_db


def test_a_case_moves_only_along_its_workflow_and_closes_only_with_an_outcome(
    case, safeguarding_user
):
    with pytest.raises(services.SafeguardingError, match="cannot become"):
        services.case_transition(case=case, to="referred", actor=safeguarding_user)
    services.case_transition(case=case, to="assessing", actor=safeguarding_user)
    with pytest.raises(services.SafeguardingError, match="outcome"):
        services.case_transition(case=case, to="closed", actor=safeguarding_user)
    services.case_transition(
        case=case, to="closed", actor=safeguarding_user, outcome="School and family supporting."
    )
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_at is not None
    assert [(t.from_status, t.to_status) for t in CaseTransition.objects.all()] == [
        ("new", "assessing"), ("assessing", "closed")
    ]  # fmt: skip
    assert AuditEntry.objects.filter(action="case.closed", actor=safeguarding_user).exists()


def test_only_the_team_moves_a_case(case, counsellor):
    with pytest.raises(services.SafeguardingError):
        services.case_transition(case=case, to="assessing", actor=counsellor)


def test_a_referral_needs_the_told_first_answer(case, safeguarding_user):
    referral = Referral(case=case, to="school", method="phone")
    with pytest.raises(services.SafeguardingError, match="told first"):
        services.referral_record(referral=referral, actor=safeguarding_user)
    referral.child_told_first = "no"
    with pytest.raises(services.SafeguardingError, match="why the child was not told"):
        services.referral_record(referral=referral, actor=safeguarding_user)
    referral.child_told_first = "yes"
    services.referral_record(referral=referral, actor=safeguarding_user)
    assert referral.contact.startswith("Hilltop Primary: Mr Jones")  # from the School record


def request_export(case, member, **extra) -> TranscriptExport:
    export = TranscriptExport(
        case=case, requested_by="police", request_reference="POL-2026-117",
        date_from=date(2020, 1, 1), date_to=date(2030, 1, 1), why="Police inquiry.",
        basis="legal_obligation", **extra,
    )  # fmt: skip
    return exports.export_request(export=export, actor=member)


def test_an_export_needs_a_second_team_member(case, safeguarding_user, second_member):
    export = request_export(case, safeguarding_user)
    with pytest.raises(services.SafeguardingError, match="approve"):
        exports.export_produce(export=export, actor=safeguarding_user, with_whom="DC Smith")
    with pytest.raises(services.SafeguardingError, match="second member"):
        exports.export_approve(export=export, approver=safeguarding_user)
    exports.export_approve(export=export, approver=second_member)
    assert not SharingRecord.objects.exists()  # nothing has left yet


def test_every_export_has_its_log_row_and_the_checksum_matches_the_file(
    case, safeguarding_user, second_member
):
    export = request_export(case, safeguarding_user)
    exports.export_approve(export=export, approver=second_member)
    export = exports.export_produce(export=export, actor=safeguarding_user, with_whom="DC Smith")
    content = export.file.read()
    [row] = SharingRecord.objects.all()
    assert row.export == export and row.what == "transcript" and row.with_whom == "DC Smith"
    assert row.sha256 == export.sha256 == hashlib.sha256(content).hexdigest()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "POL-2026-117" in text and "safeguarding" in text.lower()
    assert "sam-safeguarding" in text  # who produced it
    assert "my stepdad shouts" in text  # exactly what was said


def test_redaction_hides_other_childrens_usernames_unless_the_request_needs_them(
    case, safeguarding_user, second_member
):
    def pdf_text(**extra) -> str:
        export = request_export(case, safeguarding_user, **extra)
        exports.export_approve(export=export, approver=second_member)
        export = exports.export_produce(export=export, actor=safeguarding_user, with_whom="LA")
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(export.file.read())).pages)

    hidden = pdf_text()
    assert "amy" in hidden  # the child the case is about
    assert "mia-mentor" not in hidden and "Child A" in hidden  # the mentor is a child too
    shown = pdf_text(include_other_usernames=True)
    assert "mia-mentor" in shown


def test_a_counsellor_sees_only_the_status(case):
    from counselling.selectors import case_status_of

    assert case_status_of(case.child) == "new"
    assert Case.objects.get().notes.count() == 1
