"""Counselling writes: concerns, notes and their amendments, reads that must be audited, and
escalation to the Safeguarding Team. Each runs in one transaction, writes its audit row and
sends its live events through ``minimentors.events`` after commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chat import permissions as chat_permissions
from chat import selectors as chat_selectors
from chat.models import Message, Room
from minimentors.access import NotFound
from minimentors.audit import audit_record
from minimentors.events import send_event_on_commit
from minimentors.hours import hours_status
from minimentors.models import User
from minimentors.roles import is_child
from moderation.models import RISK_CATEGORIES
from moderation.realtime import COUNSELLORS_GROUP, on_call_group, on_call_user_ids
from moderation.services import review_text

from .models import BreakGlassRead, Concern, ConcernNote, NoteAmendment, ToldFirst
from .permissions import can_counsel, has_link_with
from .signals import escalated


class CounsellingError(Exception):
    """Refused, with words for the person who tried."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BreakGlassNeeded(CounsellingError):
    """The counsellor has no link with this child: they must say why they are opening it."""


# How worrying each kind of concern is at first sight (3 = most); a cry for help in the
# mentor's own words makes any concern 3.
CONCERN_SEVERITY = {
    Concern.Category.BULLYING: 2,
    Concern.Category.HURT_AT_HOME: 3,
    Concern.Category.NOT_LOOKED_AFTER: 3,
    Concern.Category.VERY_UPSET: 2,
    Concern.Category.UNSAFE_ONLINE: 3,
    Concern.Category.OTHER: 1,
}


class ConcernStep(NamedTuple):
    from_statuses: frozenset[str]
    to: str


# The concern workflow, as data; ``concern_transition`` is its only writer.
CONCERN_STEPS: dict[str, ConcernStep] = {
    "pick_up": ConcernStep(frozenset({Concern.Status.OPEN}), Concern.Status.PICKED_UP),
    "close": ConcernStep(
        frozenset({Concern.Status.OPEN, Concern.Status.PICKED_UP}), Concern.Status.CLOSED
    ),
}


def concern_frame(concern: Concern) -> dict[str, Any]:
    """The ``concern`` frame of the websocket contract (on /ws/staff/alerts/)."""
    return {
        "type": "concern",
        "id": concern.pk,
        "member": concern.child.username,
        "category": concern.get_category_display(),
        "summary": concern.words[:300],
        "severity": concern.severity,
        "status": concern.get_status_display(),
        "raised_by": concern.raised_by.username if concern.raised_by else "",
        "picked_up_by": concern.picked_up_by.username if concern.picked_up_by else "",
        "raised_at": concern.created_at.isoformat(),
        "url": f"/counselling/children/{concern.child.username}/",
    }


def _concern_send(concern: Concern) -> None:
    """To every counsellor on duty; out of hours also to the on-call staff."""
    groups = [COUNSELLORS_GROUP]
    if not hours_status().is_open:
        groups += [on_call_group(user_id) for user_id in on_call_user_ids()]
    send_event_on_commit({"type": "frame.relay", "frame": concern_frame(concern)}, groups)


@transaction.atomic
def concern_raise(*, raised_by: Any, room: Room, category: str, words: str) -> Concern:
    """A mentor or counsellor in a bubble is worried about the child. The concern keeps the
    messages around this moment and reaches every counsellor on duty live. The words go
    through moderation like every text typed: a cry for help in them makes it most urgent."""
    if not chat_permissions.can_raise_concern(raised_by, room):
        raise CounsellingError("Only the MiniMentor or a counsellor can raise a concern here.")
    if category not in Concern.Category.values:
        raise CounsellingError("Please choose what worries you.")
    child = chat_selectors.bubble_child(room)
    if child is None:
        raise CounsellingError("This chat has no child in it.")
    words = (words or "").strip()[:2000]
    severity = CONCERN_SEVERITY[Concern.Category(category)]
    # A mentor writes about the child ("she said she wants to die"): any risk category found
    # in their words counts, not only a first-person cry for help.
    if words and RISK_CATEGORIES & set(review_text(text=words, context="message").categories):
        severity = 3
    concern = Concern.objects.create(
        child=child,
        raised_by=raised_by,
        bubble=room,
        message_ids=chat_selectors.recent_message_ids(room),
        category=category,
        words=words,
        severity=severity,
    )
    audit_record(actor=raised_by, action="concern.raised", target=concern, child=child.pk)
    _concern_send(concern)
    return concern


@transaction.atomic
def concern_transition(*, concern: Concern, step: str, actor: Any) -> Concern:
    """Pick up or close a concern, with its audit row; the dashboards update live."""
    rule = CONCERN_STEPS.get(step)
    concern = Concern.objects.select_for_update().select_related("child").get(pk=concern.pk)
    if rule is None or concern.status not in rule.from_statuses:
        raise CounsellingError("That concern has already moved on. Please reload the page.")
    now = timezone.now()
    from_status = concern.status
    concern.status = rule.to
    if step == "pick_up":
        concern.picked_up_by, concern.picked_up_at = actor, now
    if step == "close":
        concern.closed_at = now
    concern.save()
    audit_record(actor=actor, action=f"concern.{step}", target=concern, from_status=from_status)
    _concern_send(concern)
    return concern


# --- Children: the gate, break-glass and audited reads ------------------------------------


def access_child(
    counsellor: Any,
    username: str,
    *,
    reason: str | None = None,
    granted: frozenset[int] = frozenset(),
) -> Any:
    """The child ``username`` for a counsellor; ``NotFound`` for anyone else or no such
    child. Without a link (``has_link_with``) the counsellor must give a reason first
    (``BreakGlassNeeded``), once per login (``granted``: the children they already gave a
    reason for); a reason given is stored for the Safeguarding Team's review."""
    child = User.objects.filter(username__iexact=username).first()
    if child is None or not is_child(child) or not can_counsel(counsellor):
        raise NotFound
    if child.pk in granted or has_link_with(counsellor, child):
        return child
    if reason is None:
        raise BreakGlassNeeded("You have no link with this child yet. Please say why first.")
    reason = reason.strip()
    if len(reason) < 10:
        raise BreakGlassNeeded("Please say why you need to open this child's notes.")
    read = BreakGlassRead.objects.create(counsellor=counsellor, child=child, reason=reason)
    audit_record(actor=counsellor, action="counselling.break_glass", target=read, child=child.pk)
    return child


def chronology_read_record(*, counsellor: Any, child: Any, note_ids: Sequence[int]) -> None:
    """Every read of a child's notes is audited: which notes were shown, to whom."""
    audit_record(
        actor=counsellor,
        action="counselling.chronology_read",
        target=child,
        notes=sorted(note_ids),
    )


def transcript_read(*, counsellor: Any, child: Any, room: Room) -> list[Message]:
    """A room's messages for a counsellor reading a child's chat: a bubble of the child's in
    full; a general room, the child's own messages. Audited."""
    messages = Message.objects.filter(room=room).select_related("author").order_by("id")
    if room.is_bubble:
        if not room.memberships.filter(user=child).exists():
            raise NotFound
    else:
        messages = messages.filter(author=child)
    audit_record(
        actor=counsellor, action="counselling.transcript_read", target=room, child=child.pk
    )
    return list(messages[:2000])


# --- Notes --------------------------------------------------------------------------------


NOTE_FIELDS = (
    "category", "child_words", "what_happened", "decision", "reasons", "who_was_told",
    "child_told_first", "not_told_because",
)  # fmt: skip


def _note_check(fields: dict[str, Any]) -> None:
    if fields.get("category") not in Concern.Category.values:
        raise CounsellingError("Please choose what the note is about.")
    for name, label in (("what_happened", "what happened"), ("decision", "the decision")):
        if not str(fields.get(name, "")).strip():
            raise CounsellingError(f"Please write {label}.")
    told = fields.get("child_told_first", "")
    if str(fields.get("who_was_told", "")).strip() and told not in ToldFirst.values:
        raise CounsellingError("Please say whether the child was told first.")
    if told == ToldFirst.NO and not str(fields.get("not_told_because", "")).strip():
        raise CounsellingError("Please say why the child was not told first.")


@transaction.atomic
def note_write(
    *, author: Any, child: Any, concern: Concern | None = None, **fields: Any
) -> ConcernNote:
    """A counsellor's dated note about ``child`` (audited; never its content)."""
    fields = {name: fields.get(name, "") for name in NOTE_FIELDS}
    _note_check(fields)
    note = ConcernNote.objects.create(author=author, child=child, concern=concern, **fields)
    audit_record(actor=author, action="note.written", target=note, child=child.pk)
    return note


def note_editable(note: ConcernNote, actor: Any) -> bool:
    grace = settings.COUNSELLING_NOTE_GRACE
    return note.author_id == actor.pk and timezone.now() - note.written_at <= grace


@transaction.atomic
def note_edit(*, note: ConcernNote, actor: Any, **fields: Any) -> ConcernNote:
    """Its author may correct a note within the grace period; after it, only amend."""
    note = ConcernNote.objects.select_for_update().get(pk=note.pk)
    if not note_editable(note, actor):
        raise CounsellingError(
            "This note can't be changed any more. Add an amendment instead: the note stays "
            "as it was, with your amendment under it."
        )
    values = {name: fields.get(name, getattr(note, name)) for name in NOTE_FIELDS}
    _note_check(values)
    for name, value in values.items():
        setattr(note, name, value)
    note.save()
    audit_record(actor=actor, action="note.edited", target=note, child=note.child_id)
    return note


@transaction.atomic
def note_amend(*, note: ConcernNote, actor: Any, text: str, reason: str) -> NoteAmendment:
    """Add to a note: its earlier text stays exactly as it was."""
    if not can_counsel(actor):
        raise CounsellingError("Only counsellors can amend notes.")
    if not text.strip() or not reason.strip():
        raise CounsellingError("Please write the amendment and why it is needed.")
    amendment = NoteAmendment.objects.create(
        note=note, author=actor, text=text.strip(), reason=reason.strip()
    )
    audit_record(actor=actor, action="note.amended", target=note, amendment=amendment.pk)
    return amendment


# --- Escalation --------------------------------------------------------------------------


@transaction.atomic
def escalate_to_safeguarding(
    *,
    counsellor: Any,
    child: Any,
    note_ids: Sequence[int],
    concern_ids: Sequence[int],
    reason: str,
) -> None:
    """ "Tell the Safeguarding Team": share the chosen notes and concerns about ``child``, with
    the reason. Safeguarding (listening to ``escalated``) opens the child's case or adds to
    it, in this same transaction. Audited."""
    if not can_counsel(counsellor):
        raise CounsellingError("Only counsellors can tell the Safeguarding Team.")
    if not reason.strip():
        raise CounsellingError("Please say why the Safeguarding Team needs to know.")
    notes = list(ConcernNote.objects.filter(child=child, pk__in=note_ids))
    concerns = list(Concern.objects.filter(child=child, pk__in=concern_ids))
    if not notes and not concerns:
        raise CounsellingError("Please choose at least one note or concern to share.")
    now = timezone.now()
    ConcernNote.objects.filter(pk__in=[n.pk for n in notes]).update(shared_with_safeguarding_at=now)
    escalated.send(
        sender=ConcernNote,
        child=child,
        counsellor=counsellor,
        notes=notes,
        concerns=concerns,
        reason=reason.strip(),
    )
    audit_record(
        actor=counsellor,
        action="counselling.escalated",
        target=child,
        notes=[n.pk for n in notes],
        concerns=[c.pk for c in concerns],
    )
