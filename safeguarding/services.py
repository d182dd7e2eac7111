"""Safeguarding writes. ``case_from_escalation`` listens to counselling's ``escalated``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from minimentors.audit import audit_record

from .models import Case, Escalation


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
    audit_record(
        actor=counsellor,
        action="case.opened" if created else "case.escalation_added",
        target=case,
        child=child.pk,
    )
    return case


def case_status_words(child: Any) -> str | None:
    """For counsellors' chronology: the open case's status (only the status)."""
    case = open_case_of(child)
    if case is None:
        latest = Case.objects.filter(child=child).first()
        return f"closed ({latest.closed_at:%d %b %Y})" if latest and latest.closed_at else None
    return case.get_status_display().lower()
