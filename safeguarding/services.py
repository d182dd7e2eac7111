"""Safeguarding writes: the case workflow (one transition function with its audit row),
meetings, referrals, summaries and the information-sharing log. Transcript exports are in
``exports.py``. ``case_from_escalation`` listens to counselling's ``escalated``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from minimentors.audit import audit_record
from minimentors.roles import is_safeguarding

from .models import (
    Case,
    CaseTransition,
    ConversationSummary,
    Escalation,
    Meeting,
    Referral,
    SharingRecord,
    ToldFirst,
)


class SafeguardingError(Exception):
    """Refused, with words for the team member who tried."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


S = Case.Status
# The case workflow, as data: which status may follow which. ``case_transition`` is its only
# writer.
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.ASSESSING, S.CLOSED}),
    S.ASSESSING: frozenset({S.ACTION_AGREED, S.MONITORING, S.CLOSED}),
    S.ACTION_AGREED: frozenset({S.REFERRED, S.MONITORING, S.CLOSED}),
    S.REFERRED: frozenset({S.MONITORING, S.ASSESSING, S.CLOSED}),
    S.MONITORING: frozenset({S.ASSESSING, S.CLOSED}),
    S.CLOSED: frozenset(),
}


def require_team(actor: Any) -> None:
    """Refuse anyone outside the Safeguarding Team (every service of this app checks it)."""
    if not is_safeguarding(actor):
        raise SafeguardingError("Only the Safeguarding Team can do this.")


def case_touch(case: Case) -> None:
    """Mark the case as worked on now (the "quiet cases" list counts from here)."""
    Case.objects.filter(pk=case.pk).update(last_activity_at=timezone.now())


@transaction.atomic
def case_transition(*, case: Case, to: str, actor: Any, outcome: str = "", note: str = "") -> Case:
    """Move a case along its workflow (``CASE_TRANSITIONS``) and write the transition row and
    the audit row. A case cannot close without an outcome."""
    require_team(actor)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if to not in CASE_TRANSITIONS[case.status]:
        raise SafeguardingError(
            f"A case that is {case.get_status_display().lower()} cannot become "
            f"{Case.Status(to).label.lower() if to in Case.Status.values else to}."
        )
    if to == S.CLOSED and not (outcome or case.outcome).strip():
        raise SafeguardingError("Write the outcome before closing the case.")
    from_status = case.status
    case.status = to
    if outcome.strip():
        case.outcome = outcome.strip()
    if to == S.CLOSED:
        case.closed_at = timezone.now()
    case.last_activity_at = timezone.now()
    case.save()
    CaseTransition.objects.create(
        case=case, from_status=from_status, to_status=to, by=actor, note=note
    )
    audit_record(actor=actor, action=f"case.{to}", target=case, from_status=from_status)
    return case


def open_case_of(child: Any) -> Case | None:
    return Case.objects.filter(child=child).exclude(status=Case.Status.CLOSED).first()


@transaction.atomic
def case_from_escalation(
    *,
    child: Any,
    counsellor: Any,
    notes: Sequence[Any],
    concerns: Sequence[Any],
    reason: str,
    **signal_kwargs: Any,
) -> Case:
    """Open the child's case, or add to the open one, with what the counsellor shared."""
    case = open_case_of(child)
    created = case is None
    if case is None:
        case = Case.objects.create(child=child, started_from=Case.Source.ESCALATION)
    case.notes.add(*notes)
    case.concerns.add(*concerns)
    Escalation.objects.create(
        case=case,
        counsellor=counsellor,
        reason=reason,
        note_ids=[n.pk for n in notes],
        concern_ids=[c.pk for c in concerns],
    )
    case_touch(case)
    audit_record(
        actor=counsellor,
        action="case.opened" if created else "case.escalation_added",
        target=case,
        child=child.pk,
    )
    return case


def case_status_words(child: Any) -> str | None:
    """For counsellors' chronology: the case's status (only the status)."""
    case = open_case_of(child)
    if case is None:
        latest = Case.objects.filter(child=child).first()
        return f"closed ({latest.closed_at:%d %b %Y})" if latest and latest.closed_at else None
    return case.get_status_display().lower()


@transaction.atomic
def meeting_record(*, meeting: Meeting, actor: Any) -> Meeting:
    """Record a meeting and its decision (who acts on it, by when)."""
    require_team(actor)
    if not meeting.decision.strip() or not meeting.attendees.strip():
        raise SafeguardingError("Write who attended and what was decided.")
    created = meeting.pk is None
    meeting.recorded_by = meeting.recorded_by or actor
    meeting.save()
    case_touch(meeting.case)
    audit_record(
        actor=actor, action="case.meeting_recorded" if created else "case.meeting_changed",
        target=meeting.case, meeting=meeting.pk,
    )  # fmt: skip
    return meeting


def referral_check(referral: Referral) -> None:
    """A referral cannot be recorded without the "child told first" answer: yes, or no and
    why; a Local Authority referral names the authority."""
    if referral.child_told_first not in ToldFirst.values:
        raise SafeguardingError("Say whether the child was told first.")
    if referral.child_told_first == ToldFirst.NO and not referral.not_told_because.strip():
        raise SafeguardingError("Say why the child was not told first.")
    if referral.to == Referral.To.LOCAL_AUTHORITY and not referral.authority.strip():
        raise SafeguardingError("Say which local authority.")


def school_contact(case: Case) -> str:
    """Who to contact at the child's school: its safeguarding lead, else the MiniMentors
    teacher (from the School record)."""
    school = case.child.school
    if school is None:
        return ""
    if school.safeguarding_lead_name:
        parts = [school.safeguarding_lead_name, school.safeguarding_lead_email,
                 school.safeguarding_lead_phone]  # fmt: skip
        return f"{school.name}: " + ", ".join(p for p in parts if p)
    return f"{school.name}: {school.lead_teacher_name} {school.lead_teacher_email}".strip()


@transaction.atomic
def referral_record(*, referral: Referral, actor: Any) -> Referral:
    """Record a referral (with the told-first answer); a referral to the school takes the
    school's contact from its record when none is given."""
    require_team(actor)
    referral_check(referral)
    if referral.to == Referral.To.SCHOOL and not referral.contact.strip():
        referral.contact = school_contact(referral.case)
    created = referral.pk is None
    referral.made_by = referral.made_by or actor
    referral.save()
    case_touch(referral.case)
    audit_record(
        actor=actor, action="case.referral_recorded" if created else "case.referral_changed",
        target=referral.case, referral=referral.pk, to=referral.to,
    )  # fmt: skip
    return referral


def summary_draft(case: Case) -> str:
    """A dated chronology from the child's shared concerns and notes and flagged messages,
    for the team to edit before it is shared."""
    from chat.models import Message

    lines: list[tuple[Any, str]] = []
    for concern in case.concerns.select_related("raised_by"):
        by = concern.raised_by.username if concern.raised_by else "a mentor"
        lines.append((concern.created_at, f"Concern raised by {by} "
                      f"({concern.get_category_display()}): {concern.words}"))  # fmt: skip
    for note in case.notes.select_related("author"):
        lines.append((note.written_at, f"Counsellor's note ({note.get_category_display()}): "
                      f"{note.what_happened} Decision: {note.decision}"))  # fmt: skip
    for message in Message.objects.filter(author=case.child, action="flag").select_related("room"):
        lines.append((message.sent_at, f"Flagged message in {message.room.label}: "
                      f"\u201c{message.original_text}\u201d"))  # fmt: skip
    lines.sort(key=lambda line: line[0])
    return "\n".join(f"{timezone.localtime(at):%d %b %Y %H:%M} {text}" for at, text in lines)


@transaction.atomic
def summary_save(*, summary: ConversationSummary, actor: Any) -> ConversationSummary:
    require_team(actor)
    summary.written_by = summary.written_by or actor
    summary.save()
    case_touch(summary.case)
    audit_record(actor=actor, action="case.summary_saved", target=summary.case)
    return summary


@transaction.atomic
def sharing_record(*, record: SharingRecord, actor: Any) -> SharingRecord:
    """Write a row of the information-sharing log (who shared what with whom, when, on what
    basis and why)."""
    require_team(actor)
    if not record.with_whom.strip() or not record.why.strip():
        raise SafeguardingError("Say who it was shared with and why.")
    record.shared_by = record.shared_by or actor
    record.save()
    case_touch(record.case)
    audit_record(actor=actor, action="case.shared", target=record.case, what=record.what)
    return record


def needs_doing() -> tuple[int, int]:
    """(overdue actions, cases with no activity for ``CASE_QUIET_DAYS``): what the team must
    look at, for the admin index and its filter."""
    from django.conf import settings

    today = timezone.localdate()
    overdue = Meeting.objects.filter(action_due__lt=today, action_done_at__isnull=True).exclude(
        case__status=Case.Status.CLOSED
    )
    quiet = Case.objects.exclude(status=Case.Status.CLOSED).filter(
        last_activity_at__lt=timezone.now() - settings.CASE_QUIET_AFTER
    )
    return overdue.count(), quiet.count()


def children_held(cutoff: Any) -> set[int]:
    """Children whose records the retention job keeps at ``cutoff``: a case open, or closed
    after the cut-off (so six years after the case closes), or a legal hold in force."""
    from django.db.models import Q

    from .models import LegalHold

    cases = Case.objects.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=cutoff))
    holds = LegalHold.objects.filter(lifted_at__isnull=True)
    return set(cases.values_list("child_id", flat=True)) | set(
        holds.values_list("child_id", flat=True)
    )


def export_file_delete(*, instance: Any, **signal_kwargs: Any) -> None:
    """An export's PDF goes with its row (the retention job deletes both)."""
    if instance.file:
        instance.file.delete(save=False)


@transaction.atomic
def legal_hold_place(*, child: Any, actor: Any, reason: str) -> Any:
    from .models import LegalHold

    require_team(actor)
    if not reason.strip():
        raise SafeguardingError("Say why the records must be kept.")
    hold = LegalHold.objects.create(child=child, reason=reason.strip(), placed_by=actor)
    audit_record(actor=actor, action="legal_hold.placed", target=child)
    return hold
