"""Blogs (``/blogs/``): children and mentors write posts and comment, moderated like chat.

Each post or comment goes through ``review_text`` (context ``blog``) before anyone else sees
it: blocked → not published, and the author is told why in plain words (their words stay in
the form); flagged → held for a moderator (an alert with "Approve" and "Reject") and, for a
cry for help, counsellors alerted and the author shown where to get help; allowed → published.
Rate limits and sanctions are chat's."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from minimentors.audit import audit_record
from minimentors.roles import is_member
from moderation.models import Alert
from moderation.services import raise_alert, review_text

from . import permissions, ratelimit
from .models import BlogComment, BlogPost, Message, Room
from .services import HELPLINE_WORDS, HIDDEN_BECAUSE

Status = BlogPost.Status
POST_MAX_CHARS = 10000
COMMENT_MAX_CHARS = 1000


class BlogRefused(Exception):
    """Not published; ``message`` says why, kindly; nothing the author typed is lost."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _check_can_write(author: Any) -> None:
    if not is_member(author):
        raise BlogRefused("Only children and MiniMentors write blogs.")
    restriction = permissions.posting_restriction(author)
    if restriction == permissions.MUTED:
        raise BlogRefused("You can't post for a while. You can still read.")
    if restriction is not None:
        raise BlogRefused("You can't use MiniMentors right now.")
    if not ratelimit.take(author.pk):
        raise BlogRefused("Slow down a little! Wait a few seconds, then try again.")


def _why_blocked(categories: Any) -> str:
    because = next((w for c, w in HIDDEN_BECAUSE if c in categories), "it broke a site rule")
    return f"We didn't publish this because {because}. Please change it and try again."


def _review(text: str) -> tuple[str, Any]:
    """The status the text gets, and the verdict."""
    verdict = review_text(text=text, context="blog")
    if verdict.is_cry_for_help or verdict.action == "flag":
        return Status.HELD, verdict
    if verdict.action == "block":
        raise BlogRefused(_why_blocked(verdict.categories))
    return Status.PUBLISHED, verdict


HELD_WORDS = "Thank you. A grown-up from MiniMentors will read this before anyone else sees it."
HELP_WORDS = (
    "Thank you for telling us. A grown-up from MiniMentors will read this soon. " + HELPLINE_WORDS
)


def _hold(author: Any, verdict: Any, what: str, about: str, subject: str) -> None:
    """The alert that holds a post or comment for a moderator ("Approve" / "Reject"); a cry
    for help is called one, and reaches counsellors by its category."""
    summary = f"{'Cry for help' if verdict.is_cry_for_help else what} by {author.username}{about}"
    raise_alert(
        categories=verdict.categories, severity=verdict.severity, member=author,
        summary=summary, reason=verdict.reason, room="blogs", kind=Alert.Kind.MESSAGE,
        held_subject=subject,
    )  # fmt: skip


def after_words(status: str, verdict: Any) -> str:
    """What the author is told once it is saved."""
    if status == Status.PUBLISHED:
        return "Your words are published."
    return HELP_WORDS if verdict.is_cry_for_help else HELD_WORDS


@transaction.atomic
def blog_post_create(*, author: Any, title: str, body: str) -> tuple[BlogPost, str]:
    """Write a post; returns it and what to tell the author. Raises ``BlogRefused``."""
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise BlogRefused("Please write a title and your post.")
    if len(body) > POST_MAX_CHARS or len(title) > 120:
        raise BlogRefused(f"That post is too long. Please keep it under {POST_MAX_CHARS} letters.")
    _check_can_write(author)
    status, verdict = _review(f"{title}\n{body}")
    post = BlogPost.objects.create(
        author=author, title=title, body=body, status=status,
        categories=list(verdict.categories), severity=verdict.severity,
        published_at=timezone.now() if status == Status.PUBLISHED else None,
    )  # fmt: skip
    if status == Status.HELD:
        _hold(author, verdict, "Blog post held", f": \u201c{title}\u201d", f"blog.post:{post.pk}")
    return post, after_words(status, verdict)


@transaction.atomic
def blog_comment_create(*, author: Any, post: BlogPost, text: str) -> tuple[BlogComment, str]:
    text = text.strip()
    if not text:
        raise BlogRefused("Please write your comment first.")
    if len(text) > COMMENT_MAX_CHARS:
        raise BlogRefused(f"Please keep comments under {COMMENT_MAX_CHARS} letters.")
    if post.status != Status.PUBLISHED:
        raise BlogRefused("You can't comment on this post.")
    _check_can_write(author)
    status, verdict = _review(text)
    comment = BlogComment.objects.create(
        post=post, author=author, text=text, status=status,
        categories=list(verdict.categories), severity=verdict.severity,
    )  # fmt: skip
    if status == Status.HELD:
        _hold(author, verdict, "Blog comment held", f" on \u201c{post.title}\u201d",
              f"blog.comment:{comment.pk}")  # fmt: skip
    return comment, after_words(status, verdict)


def _decide(model: Any, object_id: int, *, approve: bool, actor: Any) -> None:
    item = model.objects.select_for_update().get(pk=object_id)
    if item.status != Status.HELD:
        raise LookupError("That was decided already.")
    item.status = Status.PUBLISHED if approve else Status.REJECTED
    fields = ["status"]
    if approve and isinstance(item, BlogPost):
        item.published_at = timezone.now()
        fields.append("published_at")
    item.save(update_fields=fields)
    audit_record(actor=actor, action=f"blog.{item.status}", target=item)


def post_decide(object_id: int, *, approve: bool, actor: Any) -> None:
    _decide(BlogPost, object_id, approve=approve, actor=actor)


def comment_decide(object_id: int, *, approve: bool, actor: Any) -> None:
    _decide(BlogComment, object_id, approve=approve, actor=actor)


@transaction.atomic
def member_content_hide(*, member: Any, actor: Any) -> int:
    """A moderator hides everything a member wrote in blogs and private messages at once
    (their chat messages in threads are kept for staff, hidden from the others)."""
    hidden = (
        BlogPost.objects.filter(author=member)
        .exclude(status=Status.HIDDEN)
        .update(status=Status.HIDDEN)
    )
    hidden += (
        BlogComment.objects.filter(author=member)
        .exclude(status=Status.HIDDEN)
        .update(status=Status.HIDDEN)
    )
    hidden += Message.objects.filter(author=member, room__kind=Room.Kind.THREAD, held=False).update(
        held=True
    )
    audit_record(actor=actor, action="member.content_hidden", target=member, hidden=hidden)
    return hidden
