"""Accounts (user, school, age group) and the audit log.

Roles are Django groups (see ``roles.py``); this module only holds data and its invariants.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .validators import validate_username_shape


class AgeGroup(models.TextChoices):
    AGE_8_10 = "8-10", "8 to 10"
    AGE_11_13 = "11-13", "11 to 13"
    AGE_14_16 = "14-16", "14 to 16"


def new_join_code() -> str:
    """Eight letters and digits that are easy to read aloud in a classroom (no 0/O, 1/I/L)."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class School(models.Model):
    """A school taking part. Contact details are for the Safeguarding Team only."""

    name = models.CharField(max_length=200, unique=True)
    area = models.CharField(max_length=200, help_text="Town or local authority area.")
    join_code = models.CharField(
        max_length=32,
        unique=True,
        default=new_join_code,
        help_text="Given out by the teacher who runs MiniMentors at the school.",
    )
    # Safeguarding-only contact details.
    lead_teacher_name = models.CharField("teacher who runs MiniMentors", max_length=200)
    lead_teacher_email = models.EmailField(blank=True)
    safeguarding_lead_name = models.CharField("designated safeguarding lead", max_length=200)
    safeguarding_lead_email = models.EmailField(blank=True)
    safeguarding_lead_phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # A child types the school's name at sign-up (``services.school_named``), which
            # forgives case: "St Mary's" and "ST MARY'S" must be one school, never two.
            models.UniqueConstraint(
                Lower("name"),
                name="school_name_unique_any_case",
                violation_error_message="There is already a school with this name "
                "(names are the same whatever their capital letters).",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        # As sign-up reads a typed name: no spaces at the ends, one between words.
        self.name = " ".join(self.name.split())


class MemberManager(UserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        # "Amy" and "amy" are one member: names are unique whatever their case.
        return self.get(username__iexact=username)


class User(AbstractUser):
    """A member (child or mentor) or a member of staff.

    Children and mentors give no real name and no email: only a username, an age group and
    their school. Staff accounts have no school.
    """

    username = models.CharField(
        max_length=24,
        unique=True,
        validators=[validate_username_shape],
        error_messages={"unique": "Someone already has that name. Please pick another one."},
    )
    age_group = models.CharField(max_length=8, choices=AgeGroup.choices, blank=True)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )

    objects = MemberManager()  # type: ignore[misc]  # django-stubs types UserManager's model

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(Lower("username"), name="username_unique_any_case"),
        ]

    def clean(self) -> None:
        super().clean()
        if self.school_id and not self.age_group:
            raise ValidationError({"age_group": "Members of a school need an age group."})

    def __str__(self) -> str:
        return self.username


class AuditEntry(models.Model):
    """One row per audited act (a staff read of a note, transcript or case; a sanction; a role
    change). Append-only: rows are never edited, and only the retention job deletes them."""

    actor = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    actor_username = models.CharField(max_length=150)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)


class OutboxEvent(models.Model):
    """An event written by a process that serves no sockets (the Celery worker, beat, a
    command), in the embedded default only: Daphne's relay sends it on and deletes it
    (``minimentors.events``). Rows live for seconds; never content for the record."""

    groups = models.JSONField()
    event = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.event.get('type', '?')} to {', '.join(self.groups)}"


class OpenSocket(models.Model):
    """One open websocket of any kind, on any Daphne process. They all write here, so they
    agree on how many sockets a member holds (the cap) and who is in a room (``place``).
    ``seen_at`` is refreshed by each process's heartbeat; rows a dead process left behind stop
    counting (``minimentors.sockets``)."""

    channel_name = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="open_sockets")
    process = models.CharField(max_length=32, db_index=True)
    # What the socket is open on: "room.<id>" for a chat room or bubble, else "".
    place = models.CharField(max_length=64, blank=True)
    # The role shown in a room's presence line ("child", "mentor", "staff").
    role = models.CharField(max_length=16, blank=True)
    connected_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["place", "seen_at"], name="open_socket_place_seen")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.channel_name}"


class DeletionRecord(models.Model):
    """What one run of the retention job deleted of one kind of record: how many, the cut-off
    and when. Never content or names (``minimentors.retention``)."""

    run = models.UUIDField(db_index=True)
    kind = models.CharField(max_length=64)
    deleted = models.PositiveIntegerField()
    cutoff = models.DateTimeField()
    ran_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-ran_at", "kind"]

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M} {self.kind}: {self.deleted} deleted"
