"""The Safeguarding Team's records: a case per child with its status workflow, meetings and
decisions, referrals, the information-sharing log, conversation summaries and exact
transcript exports. Only the team sees them (Django admin); counsellors see only the status
of a child's case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Case(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        ASSESSING = "assessing", "Assessing"
        ACTION_AGREED = "action_agreed", "Action agreed"
        REFERRED = "referred", "Referred"
        MONITORING = "monitoring", "Monitoring"
        CLOSED = "closed", "Closed"

    class Source(models.TextChoices):
        ESCALATION = "escalation", "Escalated by a counsellor"
        ALERT = "alert", "From an alert"
        DIRECT = "direct", "Opened by the team"

    class Risk(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    child = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safeguarding_cases"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    risk_level = models.CharField(max_length=8, choices=Risk.choices, default=Risk.MEDIUM)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    started_from = models.CharField(max_length=12, choices=Source.choices)
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text="Needed to close the case.")
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    notes = models.ManyToManyField("counselling.ConcernNote", blank=True, related_name="cases")
    concerns = models.ManyToManyField("counselling.Concern", blank=True, related_name="cases")

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Case #{self.pk}: {self.child} ({self.get_status_display()})"


class Escalation(models.Model):
    """One time a counsellor told the team: who, when, why, and what they shared."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    shared_at = models.DateTimeField(default=timezone.now)
    note_ids = models.JSONField(default=list)
    concern_ids = models.JSONField(default=list)

    class Meta:
        ordering = ["shared_at"]

    def __str__(self) -> str:
        return f"Escalation to case #{self.case_id} ({self.shared_at:%Y-%m-%d})"


class CaseTransition(models.Model):
    """Every change of a case's status: the case's own record of its workflow."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=Case.Status.choices)
    to_status = models.CharField(max_length=16, choices=Case.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Meeting(models.Model):
    """The team's meeting about a case: who came, what was said, what was decided, who acts
    on it by when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(default=timezone.localdate)
    attendees = models.TextField(help_text="Who attended.")
    minutes = models.TextField()
    decision = models.TextField()
    action_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="Who acts on the decision.",
    )  # fmt: skip
    action_due = models.DateField(null=True, blank=True, help_text="By when.")
    action_done_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"Meeting on {self.held_on:%d %b %Y} (case #{self.case_id})"


class ToldFirst(models.TextChoices):
    YES = "yes", "Yes, the child was told first"
    NO = "no", "No"


class Referral(models.Model):
    """Telling an agency: which, when, how, to whom, their reference and what came of it."""

    class To(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", "Local Authority Safeguarding Team"
        SCHOOL = "school", "The child's school"
        PARENT_CARER = "parent_carer", "Parent or carer"
        POLICE = "police", "Police"
        CEOP = "ceop", "CEOP (online exploitation)"

    class Method(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        ONLINE_FORM = "online_form", "Online form"
        LETTER = "letter", "Letter"
        IN_PERSON = "in_person", "In person"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    to = models.CharField(max_length=16, choices=To.choices)
    authority = models.CharField(
        max_length=200,
        blank=True,
        help_text="Which local authority (for a Local Authority referral).",
    )
    contact = models.CharField(max_length=300, blank=True, help_text="Who was contacted.")
    made_on = models.DateField(default=timezone.localdate)
    method = models.CharField(max_length=12, choices=Method.choices)
    reference = models.CharField(max_length=100, blank=True)
    outcome = models.TextField(blank=True)
    child_told_first = models.CharField(max_length=3, choices=ToldFirst.choices)
    not_told_because = models.TextField(blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-made_on"]

    def __str__(self) -> str:
        return f"Referral to {self.get_to_display()} on {self.made_on:%d %b %Y}"


class SharingRecord(models.Model):
    """The information-sharing log: every time anything leaves the team. Nothing leaves
    without a row."""

    class What(models.TextChoices):
        SUMMARY = "summary", "Conversation summary"
        TRANSCRIPT = "transcript", "Exact transcript"
        REFERRAL = "referral", "Referral details"

    class Basis(models.TextChoices):
        CONSENT = "consent", "Consent"
        VITAL_INTERESTS = "vital_interests", "Vital interests (protecting a life)"
        LEGAL_OBLIGATION = "legal_obligation", "Legal obligation"
        PUBLIC_TASK = "public_task", "Public task (safeguarding duty)"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sharing_records")
    shared_at = models.DateTimeField(default=timezone.now)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    what = models.CharField(max_length=12, choices=What.choices)
    with_whom = models.CharField(max_length=300)
    basis = models.CharField(max_length=20, choices=Basis.choices)
    why = models.TextField()
    export = models.ForeignKey(
        "TranscriptExport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-shared_at"]

    def __str__(self) -> str:
        return (
            f"{self.get_what_display()} shared with {self.with_whom} on {self.shared_at:%d %b %Y}"
        )


class ConversationSummary(models.Model):
    """A dated chronology built from the child's concerns, notes and flagged messages, which
    the team edits before sharing."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="summaries")
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "conversation summaries"

    def __str__(self) -> str:
        return f"Summary for case #{self.case_id} ({self.written_at:%d %b %Y})"


class TranscriptExport(models.Model):
    """An exact transcript, on request from the Local Authority Safeguarding Board or the
    police: recorded, approved by a second team member, produced as a PDF whose SHA-256 is
    kept in the sharing log."""

    class RequestedBy(models.TextChoices):
        SAFEGUARDING_BOARD = "board", "Local Authority Safeguarding Board"
        POLICE = "police", "Police"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for a second team member"
        APPROVED = "approved", "Approved"
        PRODUCED = "produced", "Produced"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exports")
    requested_by = models.CharField(max_length=8, choices=RequestedBy.choices)
    request_reference = models.CharField(max_length=100)
    requester_contact = models.CharField(max_length=300, blank=True)
    date_from = models.DateField()
    date_to = models.DateField()
    include_other_usernames = models.BooleanField(
        default=False, help_text="Only if the request needs other children's usernames."
    )
    why = models.TextField()
    basis = models.CharField(max_length=20, choices=SharingRecord.Basis.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    approved_at = models.DateTimeField(null=True, blank=True)
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    produced_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="exports/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"Transcript export {self.request_reference} (case #{self.case_id})"
