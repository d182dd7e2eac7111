"""Chat data: rooms (general rooms and one-to-one bubbles), who is in them, their messages,
bubble requests and which sockets are open.

Only data and its invariants live here; every write goes through ``chat.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Room(models.Model):
    """A general room everybody may join; a bubble: a private live chat between a child and a
    mentor (or counsellor); or a thread of private messages (``/messages/``) between a child
    and a mentor or counsellor they have had a bubble with, or between any member and the
    moderators (``staff_inbox``: every moderator shares it)."""

    class Kind(models.TextChoices):
        GENERAL = "general", "General room"
        BUBBLE = "bubble", "Bubble chat"
        THREAD = "thread", "Private messages"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    # General rooms are addressed by slug; bubbles by id (their slug stays empty).
    slug = models.SlugField(max_length=50, blank=True)
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set when a risk (cry for help, grooming) was flagged in a bubble: a counsellor is asked
    # to join, and the mentor is offered a debrief once the bubble ends.
    risk_flagged_at = models.DateTimeField(null=True, blank=True)
    # A thread with "the moderators": every moderator reads and answers it.
    staff_inbox = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=~Q(slug=""), name="chat_room_slug_unique"
            ),
            models.CheckConstraint(
                condition=~Q(kind="general") | ~Q(slug=""), name="chat_general_room_has_slug"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_bubble(self) -> bool:
        return self.kind == self.Kind.BUBBLE

    @property
    def is_thread(self) -> bool:
        return self.kind == self.Kind.THREAD

    @property
    def is_private(self) -> bool:
        """Bubbles and threads: only the people in them (and staff) read them."""
        return self.kind != self.Kind.GENERAL

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def label(self) -> str:
        """How the room is named in alerts and frames: its slug, or ``bubble-<id>``."""
        return self.slug or f"{self.kind}-{self.pk}"

    @property
    def moderation_context(self) -> str:
        return {"bubble": "bubble", "thread": "message"}.get(self.kind, "general")


class Membership(models.Model):
    """A person in a room. Members of a bubble are the only people who may post in it."""

    class Role(models.TextChoices):
        CHILD = "child", "Child"
        MENTOR = "mentor", "MiniMentor"
        COUNSELLOR = "counsellor", "Counsellor"
        MEMBER = "member", "Member of a general room"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_memberships"
    )
    role = models.CharField(max_length=12, choices=Role.choices)
    joined_at = models.DateTimeField(auto_now_add=True)
    # Threads: the last message this person has read (for the unread count).
    last_read_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "user"], name="chat_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.room}"


class Message(models.Model):
    """One message. ``original_text`` is for staff only; members always see ``shown_text``."""

    class Action(models.TextChoices):
        ALLOW = "allow", "Allowed"
        BLOCK = "block", "Blocked"
        FLAG = "flag", "Flagged"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_messages"
    )
    # The author's role when they wrote it (shown beside their name; never changes later).
    author_role = models.CharField(max_length=16, blank=True)
    original_text = models.TextField()
    shown_text = models.TextField()
    action = models.CharField(max_length=8, choices=Action.choices)
    categories = models.JSONField(default=list, blank=True)
    severity = models.PositiveSmallIntegerField(default=0)
    # A cry for help in a general room: kept from the other children, seen by staff.
    held = models.BooleanField(default=False)
    sent_at = models.DateTimeField(auto_now_add=True)
    client_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["room", "id"], name="chat_message_room_id")]
        constraints = [
            # A message re-sent after a reconnect is stored once.
            models.UniqueConstraint(
                fields=["author", "client_id"],
                condition=~Q(client_id=""),
                name="chat_message_client_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} by {self.author_id} in {self.room_id}"


class BubbleRequest(models.Model):
    """A child asking to talk to a MiniMentor. A workflow: see
    ``chat.bubbles.BUBBLE_REQUEST_TRANSITIONS`` and ``bubble_request_transition``."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for a MiniMentor"
        ACCEPTED = "accepted", "Accepted"
        CANCELLED = "cancelled", "Cancelled by the child"
        EXPIRED = "expired", "Nobody was free in time"
        ENDED = "ended", "The chat has ended"

    child = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bubble_requests"
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    # Who accepted: a mentor from the queue, or a counsellor who opened a chat with the child.
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accepted_bubble_requests",
    )
    room = models.OneToOneField(
        Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="bubble_request"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # One waiting request per child at a time.
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(status="requested"),
                name="chat_one_waiting_request_per_child",
            ),
        ]

    def __str__(self) -> str:
        return f"Bubble request #{self.pk} ({self.status})"


class BlogPost(models.Model):
    """A post by a child or mentor. Published only once moderation allows it; a flagged one
    waits for a moderator (``HELD``) and a rejected or hidden one is never shown."""

    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        HELD = "held", "Waiting for a moderator"
        REJECTED = "rejected", "Not published"
        HIDDEN = "hidden", "Hidden by a moderator"

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blog_posts"
    )
    title = models.CharField(max_length=120)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices)
    categories = models.JSONField(default=list, blank=True)
    severity = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class BlogComment(models.Model):
    """A comment on a post, moderated like the post."""

    post = models.ForeignKey(BlogPost, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blog_comments"
    )
    text = models.TextField()
    status = models.CharField(max_length=10, choices=BlogPost.Status.choices)
    categories = models.JSONField(default=list, blank=True)
    severity = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment #{self.pk} on {self.post}"
