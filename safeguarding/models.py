"""The Safeguarding Team's cases. This is the start of the case workflow (the full one,
with meetings, referrals, information sharing and exports, is the safeguarding issue's):
a case per child, opened by a counsellor's escalation, holding what was shared with the
team and why."""

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
    outcome = models.TextField(blank=True)
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
