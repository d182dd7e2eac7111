"""Counselling data: concerns about a child, counsellors' dated notes and their amendments,
weekly chats, and break-glass reads. Only counsellors read these (and the Safeguarding Team
the notes and concerns shared with them); every read is audited by the services."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Concern(models.Model):
    """A mentor's or counsellor's worry about a child, raised in a bubble (or by a moderator's
    hand-over). It reaches every counsellor on duty live."""

    class Category(models.TextChoices):
        BULLYING = "bullying", "Bullying"
        HURT_AT_HOME = "hurt_at_home", "Hurt at home"
        NOT_LOOKED_AFTER = "not_looked_after", "Not looked after"
        VERY_UPSET = "very_upset", "Very upset"
        UNSAFE_ONLINE = "unsafe_online", "Unsafe online"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a counsellor"
        PICKED_UP = "picked_up", "A counsellor has it"
        CLOSED = "closed", "Closed"

    child = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="concerns_about"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    bubble = models.ForeignKey(
        "chat.Room", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The messages around the moment it was raised (ids of chat.Message), for the transcript.
    message_ids = models.JSONField(default=list, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    words = models.TextField("their words", blank=True)
    severity = models.PositiveSmallIntegerField(default=2)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    picked_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    picked_up_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-severity", "created_at"]

    def __str__(self) -> str:
        return f"Concern #{self.pk} about {self.child} ({self.get_category_display()})"


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class ToldFirst(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"


class ConcernNote(models.Model):
    """A counsellor's dated note about a child: what happened, the decision and why, who was
    told and whether the child was told first. Editable for ``NOTE_GRACE_PERIOD`` after it
    was written; after that only amended (the earlier text always stays)."""

    child = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes_about"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    concern = models.ForeignKey(
        Concern, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    written_at = models.DateTimeField(default=timezone.now, db_index=True)
    category = models.CharField(max_length=20, choices=Concern.Category.choices)
    child_words = models.TextField("the child's own words", blank=True)
    what_happened = models.TextField()
    decision = models.TextField()
    reasons = models.TextField(blank=True)
    who_was_told = models.TextField(blank=True)
    child_told_first = models.CharField(max_length=3, choices=ToldFirst.choices, blank=True)
    not_told_because = models.TextField(blank=True)
    shared_with_safeguarding_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-written_at"]

    def __str__(self) -> str:
        return f"Note #{self.pk} about {self.child} ({self.written_at:%Y-%m-%d})"


class NoteAmendment(models.Model):
    """Added to a note once it can no longer be edited. The note's own text never changes."""

    note = models.ForeignKey(ConcernNote, on_delete=models.CASCADE, related_name="amendments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()
    reason = models.TextField()

    class Meta:
        ordering = ["written_at"]

    def __str__(self) -> str:
        return f"Amendment to note #{self.note_id}"


class CheckInPlan(models.Model):
    """A counsellor's offer of a weekly chat: a weekday and time in opening hours (UK time)."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        ENDED = "ended", "Ended"

    child = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_plans"
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_plans_run"
    )
    weekday = models.PositiveSmallIntegerField(help_text="0 is Monday.")
    at = models.TimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Weekly chat for {self.child} with {self.counsellor}"

    @property
    def when_words(self) -> str:
        """ "every Tuesday at 4pm", in plain words."""
        hour = self.at.hour % 12 or 12
        minutes = f":{self.at.minute:02d}" if self.at.minute else ""
        suffix = "am" if self.at.hour < 12 else "pm"
        return f"every {WEEKDAYS[self.weekday]} at {hour}{minutes}{suffix}"


class CheckIn(models.Model):
    """One weekly chat: opened by beat at its time; missed if the child never wrote in it."""

    class Status(models.TextChoices):
        OPENED = "opened", "Opened"
        MISSED = "missed", "Missed"
        ATTENDED = "attended", "Attended"

    plan = models.ForeignKey(CheckInPlan, on_delete=models.CASCADE, related_name="checkins")
    due_at = models.DateTimeField(db_index=True)
    room = models.ForeignKey(
        "chat.Room", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPENED)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "due_at"], name="one_checkin_per_time"),
        ]

    def __str__(self) -> str:
        return f"Weekly chat {self.due_at:%Y-%m-%d %H:%M} ({self.status})"


class BreakGlassRead(models.Model):
    """A counsellor opened a child they had no link with, and said why (the Safeguarding Team
    reviews these)."""

    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    child = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    read_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.counsellor} opened {self.child} ({self.read_at:%Y-%m-%d %H:%M})"
