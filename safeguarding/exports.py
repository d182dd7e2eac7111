"""Exact transcript exports, on request from the Local Authority Safeguarding Board or the
police: recorded with the request's reference, approved by a second team member, produced as
a PDF that names the request, the time and who produced it. Other children's usernames are
hidden unless the request needs them. The PDF's SHA-256 is kept on the export and in the
information-sharing log; nothing leaves without that row."""

from __future__ import annotations

import hashlib
from datetime import datetime, time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from fpdf import FPDF

from chat.models import Membership, Message, Room
from minimentors.audit import audit_record
from minimentors.hours import UK
from minimentors.roles import is_member

from .models import SharingRecord, TranscriptExport
from .services import SafeguardingError, case_touch, require_team


@transaction.atomic
def export_request(*, export: TranscriptExport, actor: Any) -> TranscriptExport:
    """Record a request for an exact transcript (it waits for a second team member)."""
    require_team(actor)
    if not export.request_reference.strip():
        raise SafeguardingError("Write the reference of the request.")
    if export.date_from > export.date_to:
        raise SafeguardingError("The first day must come before the last day.")
    export.recorded_by = actor
    export.status = TranscriptExport.Status.REQUESTED
    export.save()
    case_touch(export.case)
    audit_record(actor=actor, action="export.requested", target=export.case, export=export.pk)
    return export


@transaction.atomic
def export_approve(*, export: TranscriptExport, approver: Any) -> TranscriptExport:
    """A second team member, not the one who recorded the request, approves it."""
    require_team(approver)
    export = TranscriptExport.objects.select_for_update().get(pk=export.pk)
    if export.status != TranscriptExport.Status.REQUESTED:
        raise SafeguardingError("This export is not waiting for approval.")
    if export.recorded_by_id == approver.pk:
        raise SafeguardingError("A second member of the team must approve this export.")
    export.status = TranscriptExport.Status.APPROVED
    export.approved_by, export.approved_at = approver, timezone.now()
    export.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(actor=approver, action="export.approved", target=export.case, export=export.pk)
    return export


def transcript_messages(export: TranscriptExport) -> list[Message]:
    """The child's messages in the period: their bubbles in full, their own words in rooms."""
    child = export.case.child
    start = datetime.combine(export.date_from, time.min, tzinfo=UK)
    end = datetime.combine(export.date_to, time.max, tzinfo=UK)
    bubbles = Membership.objects.filter(user=child, room__kind=Room.Kind.BUBBLE).values("room_id")
    return list(
        Message.objects.filter(sent_at__range=(start, end))
        .filter(Q(room_id__in=bubbles) | Q(author=child))
        .select_related("author", "room")
        .order_by("sent_at", "id")
    )


class _Redactor:
    """Other children's usernames become "Child A", "Child B"… in order of appearance, in the
    author column and inside the text."""

    def __init__(self, subject: Any, keep: bool) -> None:
        self.subject, self.keep = subject, keep
        self.names: dict[str, str] = {}

    def name(self, user: Any) -> str:
        if user is None:
            return "(deleted account)"
        if self.keep or user.pk == self.subject.pk or not is_member(user):
            return str(user.username)
        if user.username not in self.names:
            letter = chr(ord("A") + len(self.names) % 26)
            self.names[user.username] = f"Child {letter}"
        return self.names[user.username]

    def text(self, text: str) -> str:
        for username, alias in self.names.items():
            text = text.replace(username, alias)
        return text


def _font(pdf: FPDF) -> str:
    path = Path(settings.EXPORT_FONT)
    if not path.exists():
        raise SafeguardingError(
            f"The PDF font is missing ({path}). Install Debian's fonts-dejavu-core, or set "
            "EXPORT_FONT to a TrueType font."
        )
    pdf.add_font("Export", "", str(path))
    return "Export"


def render_pdf(export: TranscriptExport, producer: Any, produced_at: datetime) -> bytes:
    messages = transcript_messages(export)
    redact = _Redactor(export.case.child, export.include_other_usernames)
    rows = [(m, redact.name(m.author)) for m in messages]
    pdf = FPDF(format="A4")
    pdf.set_title(f"MiniMentors transcript {export.request_reference}")
    pdf.set_author("MiniMentors Safeguarding Team")
    pdf.add_page()
    font = _font(pdf)
    pdf.set_font(font, size=14)
    pdf.multi_cell(0, 8, "MiniMentors: exact transcript", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, size=10)
    local = timezone.localtime(produced_at, UK)
    header = [
        f"Request: {export.get_requested_by_display()}, reference {export.request_reference}",
        f"Child: {export.case.child.username} (case #{export.case_id})",
        f"Period: {export.date_from:%d %b %Y} to {export.date_to:%d %b %Y}",
        f"Produced: {local:%d %b %Y %H:%M} (UK time) by {producer.username}",
        f"Approved by: {export.approved_by.username if export.approved_by else ''}",
        "Other children's usernames: "
        + ("shown (the request needs them)" if export.include_other_usernames else "hidden"),
        f"Messages: {len(rows)}",
    ]
    for line in header:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for message, author in rows:
        when = timezone.localtime(message.sent_at, UK)
        flag = "" if message.action == "allow" else f" [{message.action}]"
        line = f"{when:%d %b %Y %H:%M} {message.room.label} {author}{flag}: "
        pdf.multi_cell(0, 5, line + redact.text(message.original_text), new_x="LMARGIN",
                       new_y="NEXT")  # fmt: skip
    return bytes(pdf.output())


@transaction.atomic
def export_produce(*, export: TranscriptExport, actor: Any, with_whom: str) -> TranscriptExport:
    """Produce the approved export's PDF, keep its SHA-256, and write the sharing-log row."""
    require_team(actor)
    export = (
        TranscriptExport.objects.select_for_update().select_related("case__child").get(pk=export.pk)
    )
    if export.status != TranscriptExport.Status.APPROVED:
        raise SafeguardingError("A second member of the team must approve this export first.")
    if not with_whom.strip():
        raise SafeguardingError("Say who the transcript is going to.")
    now = timezone.now()
    content = render_pdf(export, actor, now)
    digest = hashlib.sha256(content).hexdigest()
    export.file.save(f"transcript-{export.pk}-{digest[:12]}.pdf", ContentFile(content), save=False)
    export.sha256 = digest
    export.status = TranscriptExport.Status.PRODUCED
    export.produced_by, export.produced_at = actor, now
    export.save()
    SharingRecord.objects.create(
        case=export.case,
        shared_by=actor,
        what=SharingRecord.What.TRANSCRIPT,
        with_whom=with_whom.strip(),
        basis=export.basis,
        why=export.why,
        export=export,
        sha256=digest,
    )
    case_touch(export.case)
    audit_record(actor=actor, action="export.produced", target=export.case, export=export.pk)
    return export


def export_read_record(*, export: TranscriptExport, actor: Any) -> None:
    audit_record(actor=actor, action="export.downloaded", target=export.case, export=export.pk)
