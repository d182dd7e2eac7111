"""Moderation data: staff-edited watched words and the alerts staff receive.

Moderation sits below chat, so alerts refer to rooms and messages by slug and id, not by
foreign key: the layers above register how to show them.
"""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.db import models

from .engine import CATEGORIES

CATEGORY_CHOICES = [(name, name.replace("_", " ")) for name in CATEGORIES]
# Alerts in these categories also go to counsellors (and on-call staff out of hours).
RISK_CATEGORIES = frozenset({"self_harm", "abuse", "grooming"})


class WatchedWord(models.Model):
    """A word or phrase staff add on top of the built-in lists (like Discourse's watched
    words). The engine normalises it, so "zorblax" also catches "z0rbl4x" and "z o r b l a x"."""

    class Action(models.TextChoices):
        BLOCK = "block", "Block (members see a placeholder)"
        FLAG = "flag", "Flag (staff get an alert)"
        ALLOW = "allow", "Allow (never block this word)"

    term = models.CharField(max_length=100)
    action = models.CharField(max_length=8, choices=Action.choices)
    category = models.CharField(max_length=20, choices=CATEGORY_CHOICES)
    note = models.CharField(max_length=200, blank=True, help_text="Why it was added.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(fields=["term", "category"], name="watched_word_unique_term"),
        ]

    def __str__(self) -> str:
        return f"{self.term} ({self.action}, {self.category})"


class WatchedWordsVersion(models.Model):
    """One row: bumped in the same transaction as every watched-word change, so every process
    (each Daphne, the worker) sees that its compiled matcher is stale and rebuilds it."""

    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"watched words v{self.version}"


class Alert(models.Model):
    """Something staff must look at: a flagged message, a harmful conversation, a report."""

    class Kind(models.TextChoices):
        MESSAGE = "message", "Flagged message"
        CONVERSATION = "conversation", "Harmful conversation"
        REPORT = "report", "Report from a member"
        CONCERN = "concern", "Concern raised by a mentor"
        APPEAL = "appeal", "Appeal against a sanction"
        HANDOVER = "handover", "Handed to a counsellor"
        SYSTEM = "system", "Moderation failed"

    class Status(models.TextChoices):
        NEW = "new", "New"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    categories = models.JSONField(default=list)
    severity = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
        help_text="The member the alert is about.",
    )
    room = models.CharField(max_length=64, blank=True)
    message_id = models.BigIntegerField(null=True, blank=True)
    # Content held until a moderator decides (a blog post or comment): "<kind>:<id>", decided
    # through the handler the layer above registered (``moderation.held``).
    held_subject = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300)
    reason = models.TextField(blank=True, help_text="Which rule fired, for staff.")
    raised_at = models.DateTimeField(auto_now_add=True, db_index=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_made",
        help_text="The member who reported it, for reports and appeals.",
    )
    reporter_words = models.TextField(blank=True)
    handed_to_counsellor = models.BooleanField(default=False)
    handover_note = models.TextField(blank=True, help_text="What the moderator told counsellors.")
    reraised_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_alerts",
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["-severity", "raised_at"]
        indexes = [models.Index(fields=["status", "-severity", "raised_at"])]

    def __str__(self) -> str:
        return f"Alert {self.pk} ({', '.join(self.categories)}) severity {self.severity}"

    @property
    def is_risk(self) -> bool:
        """Self-harm, abuse and grooming alerts (and hand-overs) also go to counsellors."""
        return self.handed_to_counsellor or bool(RISK_CATEGORIES & set(self.categories))

    @property
    def headline(self) -> str:
        """What the alert is, in the words staff see everywhere (queue, live line, member)."""
        if {"self_harm", "abuse"} & set(self.categories):
            return "Cry for help"
        if "grooming" in self.categories:
            return "Grooming risk"
        return self.get_kind_display()

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.RESOLVED

    @property
    def status_for_reporter(self) -> str:
        """What a child who reported it is told, in plain words."""
        if self.status == self.Status.RESOLVED:
            return "We have sorted it. Thank you for telling us."
        if self.status == self.Status.ACKNOWLEDGED:
            return "A grown-up has read it and is looking into it."
        return "We have got it. A grown-up will read it soon."


class AlertStep(NamedTuple):
    """One step of the alert workflow: from which statuses, to which status, and who hears
    of the alert again (``""``: nobody; ``"counsellors"``; ``"everyone"``: all staff)."""

    from_statuses: frozenset[str]
    to: str
    push: str = ""


# The alert workflow, as data: every change of an alert is one of these steps, made by
# ``moderation.services.alert_transition`` with its audit row.
ALERT_STEPS: dict[str, AlertStep] = {
    "acknowledge": AlertStep(frozenset({Alert.Status.NEW}), Alert.Status.ACKNOWLEDGED),
    "resolve": AlertStep(
        frozenset({Alert.Status.NEW, Alert.Status.ACKNOWLEDGED}), Alert.Status.RESOLVED
    ),
    "hand_over": AlertStep(
        frozenset({Alert.Status.NEW, Alert.Status.ACKNOWLEDGED}),
        Alert.Status.ACKNOWLEDGED,
        push="counsellors",
    ),
    "raise_again": AlertStep(frozenset({Alert.Status.NEW}), Alert.Status.NEW, push="everyone"),
}


class Sanction(models.Model):
    """A warning, a mute or a block from the whole site, or the lifting of one. Rows are never
    deleted by staff: lifting a mute or block sets ``lifted_at``, so the history stays whole."""

    class Kind(models.TextChoices):
        WARN = "warn", "Warning"
        MUTE = "mute", "Muted"
        BLOCK = "block", "Blocked from the site"

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    reason = models.TextField(help_text="Why, in words the member will read.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until lifted.")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    lift_reason = models.TextField(blank=True)
    seen_at = models.DateTimeField(null=True, blank=True, help_text="When the member saw it.")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The counsellor or Safeguarding Team member who agreed to a block while a "
        "risk alert was open.",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["member", "kind", "lifted_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.member} ({self.created_at:%Y-%m-%d})"


class BlockApproval(models.Model):
    """A counsellor's or the Safeguarding Team's agreement that a member with an open risk
    alert may be blocked. Safeguarding comes before sanctions: a child at risk is never cut
    off without someone who knows them agreeing first."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="block_approvals"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    approved_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Block of {self.member} approved by {self.approved_by}"


class VerdictOverride(models.Model):
    """A moderator's judgement that the filter was wrong, kept for reviewing the word lists."""

    class Kind(models.TextChoices):
        FALSE_POSITIVE = "false_positive", "Blocked or flagged, but was fine"
        MISSED = "missed", "Allowed, but should have been caught"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL)
    message_id = models.BigIntegerField(null=True, blank=True)
    text = models.TextField(help_text="The text the verdict was about.")
    original_action = models.CharField(max_length=8)
    original_categories = models.JSONField(default=list)
    note = models.TextField(blank=True)
    watched_word = models.ForeignKey(
        WatchedWord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"
