"""Chat writes. Every message goes through ``post_message``. Writes run in
``transaction.atomic`` and their events leave through ``minimentors.events.send_event_on_commit``,
so nothing is broadcast before it is stored, and nothing unchecked by moderation is ever
broadcast. The bubble request workflow is ``chat.bubbles``, which uses this module's
``ChatError``, ``InvalidTransition``, ``notice`` and ``HELPLINE_WORDS`` (this module never
imports it).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction

from minimentors.audit import audit_record
from minimentors.events import Delivery, group_name, send_event_on_commit
from minimentors.roles import is_child, is_counsellor, is_mentor, is_staff_member, primary_role
from moderation.services import raise_alert, report_submit, review_text

from . import permissions, ratelimit, selectors
from .models import Membership, Message, Room
from .signals import risk_in_bubble

logger = logging.getLogger(__name__)

CLIENT_ID_MAX_LENGTH = 64
HELPLINE_WORDS = (
    "If you need to talk to someone now, you can call ChildLine free on 0800 1111, day or night."
)

# Why a message was hidden, in words a 9-year-old understands (first matching category wins).
HIDDEN_BECAUSE = (
    ("profanity", "it had a rude word"),
    ("sexual", "it had words that are not OK here"),
    ("hate", "it had unkind words about who people are"),
    ("bullying", "it could hurt someone's feelings"),
    ("personal_info", "it had personal details, like a phone number or where someone lives"),
    ("link", "it had a link in it"),
    ("spam", "it looked like the same thing lots of times"),
)


class ChatError(Exception):
    """A refusal the member is told about: ``code`` is the contract's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class InvalidTransition(ChatError):
    def __init__(self, from_status: str, to_status: str) -> None:
        super().__init__(
            "invalid", f"A bubble request cannot go from {from_status} to {to_status}."
        )


@dataclass
class PostResult:
    """What ``post_message`` did. ``sender_frames`` go to the sending socket only (the message
    itself reaches every socket, the sender's included, through the room group)."""

    message: Message
    duplicate: bool = False
    sender_frames: list[dict[str, Any]] = field(default_factory=list)
    delivery: Delivery = field(default_factory=Delivery)


def notice(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "notice", "text": text, **extra}


# --- Rooms and sockets ---------------------------------------------------------------------


@transaction.atomic
def room_join(*, user: Any, room: Room) -> Membership | None:
    """Opening a general room joins it (members and counsellors; readers stay readers)."""
    if room.is_private or not (permissions.can_use_chat(user)):
        return None
    if not (is_child(user) or is_mentor(user) or is_counsellor(user)):
        return None
    membership, _ = Membership.objects.get_or_create(
        room=room, user=user, defaults={"role": Membership.Role.MEMBER}
    )
    return membership


def room_presence_send(*, room: Room) -> None:
    """Who is in ``room`` now, to everyone in it, once the socket's record commits."""
    send_event_on_commit(
        lambda: {"type": "chat.presence", "frame": selectors.room_presence(room=room).frame()},
        [group_name("room", room.pk)],
    )


# --- Messages ------------------------------------------------------------------------------


def _hidden_notice(categories: Sequence[str]) -> dict[str, Any]:
    because = next(
        (words for category, words in HIDDEN_BECAUSE if category in categories),
        "it broke a site rule",
    )
    return notice(
        f"Your message was hidden because {because}. Please read the site rules.",
        link="/rules/",
    )


def _cry_notice(*, held: bool) -> dict[str, Any]:
    """What a child who told us something worrying reads: who will see it, and ChildLine."""
    if held:
        told = (
            "Your message was only sent to the MiniMentors team, and a grown-up will look at "
            "it soon."
        )
    else:
        told = "A grown-up from the MiniMentors team will read this soon."
    return notice(f"Thank you for telling us. {told} {HELPLINE_WORDS}", helpline=True)


def _raise_alert_safely(**kwargs: Any) -> None:
    """An alert must never stop a message from being answered; a failure is logged loudly."""
    try:
        with transaction.atomic():
            raise_alert(**kwargs)
    except Exception:
        logger.critical("Could not raise a %s alert for %s", kwargs.get("kind"), kwargs.get("room"))
        logger.exception("raise_alert failed")


def _alert_moderation_failed(*, author: Any, room: Room) -> None:
    _raise_alert_safely(
        categories=(),
        severity=2,
        member=author,
        summary=f"Moderation failed: a message by {author.username} in {room.label} was held.",
        reason="moderation failed (review_text raised); the message was not stored or shown",
        room=room.label,
        kind="system",
    )


def _check_can_post(*, author: Any, room: Room) -> None:
    restriction = permissions.posting_restriction(author)
    if restriction == permissions.MUTED:
        raise ChatError("muted", "You can't send messages for a while. You can still read.")
    if restriction is not None:
        raise ChatError("blocked", "You can't use chat right now.")
    if not permissions.room_takes_posts_from(author, room):
        if not room.is_open:
            raise ChatError("invalid", "This chat has ended.")
        raise ChatError("invalid", "You can read this chat but not send messages in it.")


def post_message(*, author: Any, room: Room, text: str, client_id: str = "") -> PostResult:
    """Authorise, rate-limit, moderate, store, then broadcast one message.

    Raises ``ChatError`` (code ``invalid``, ``too_long``, ``rate_limited``, ``muted``,
    ``blocked`` or ``unavailable``) and then stores and broadcasts nothing. A message re-sent
    with a ``client_id`` already stored returns the stored one (``duplicate=True``) and sends
    nothing again (it is moderated again and takes a rate-limit slot, but is never refused).
    Moderation runs before the transaction; the message, its alerts and its
    broadcast are one transaction (events after commit; a message that raises nothing is a
    single INSERT).
    """
    if not isinstance(text, str) or not isinstance(client_id, str):
        raise ChatError("invalid", "That message didn't look right.")
    if len(client_id) > CLIENT_ID_MAX_LENGTH:
        raise ChatError("invalid", "That message didn't look right.")
    text = text.strip()
    if not text:
        raise ChatError("invalid", "Please type a message first.")
    _check_can_post(author=author, room=room)
    if len(text) > settings.CHAT_MAX_MESSAGE_CHARS:
        raise ChatError(
            "too_long",
            f"That message is too long. Please keep it under "
            f"{settings.CHAT_MAX_MESSAGE_CHARS} letters.",
        )
    # A re-send is found by the unique (author, client_id) constraint when it is stored, so
    # the common case costs no extra query; only a re-send refused by the rate limit looks
    # for its stored copy first (a re-send is answered, never refused).
    if not ratelimit.take(author.pk):
        existing = _stored_copy(author, client_id)
        if existing is not None:
            return _duplicate(existing, room)
        raise ChatError("rate_limited", "Slow down a little! Wait a few seconds, then try again.")

    try:
        verdict = review_text(
            text=text,
            context=room.moderation_context,
            history=selectors.moderation_history(room=room),
            sender=author.username,
        )
    except Exception:
        logger.exception("Moderation failed for a message in %s; it was held", room.label)
        _alert_moderation_failed(author=author, room=room)
        raise ChatError(
            "unavailable", "Sorry, we couldn't send that just now. Please try again soon."
        ) from None

    try:
        with _transaction_for(verdict):
            return _store_and_broadcast(
                author=author, room=room, text=text, client_id=client_id, verdict=verdict
            )
    except IntegrityError:
        # A re-send of a stored message (the alerts it would raise were rolled back with it).
        existing = _stored_copy(author, client_id)
        if existing is not None:
            return _duplicate(existing, room)
        logger.exception("Could not store a message in %s", room.label)
        raise ChatError("unavailable", "Sorry, we couldn't send that. Please try again.") from None
    except DatabaseError:
        logger.exception("Could not store a message in %s", room.label)
        raise ChatError("unavailable", "Sorry, we couldn't send that. Please try again.") from None


def _stored_copy(author: Any, client_id: str) -> Message | None:
    if not client_id:
        return None
    return (
        Message.objects.select_related("author", "room")
        .filter(author=author, client_id=client_id)
        .first()
    )


def _duplicate(existing: Message, room: Room) -> PostResult:
    if existing.room_id != room.pk:
        raise ChatError("invalid", "That message didn't look right.")
    frame = selectors.message_frame(existing, client_id=existing.client_id)
    return PostResult(message=existing, duplicate=True, sender_frames=[frame])


def _is_risk(verdict: Any) -> bool:
    return bool(verdict.is_cry_for_help) or "grooming" in verdict.categories


def _writes_more_than_the_message(verdict: Any) -> bool:
    """True when storing the message also writes alerts or a handover (flags and risks)."""
    return verdict.action == Message.Action.FLAG or _is_risk(verdict)


def _transaction_for(verdict: Any) -> AbstractContextManager:
    """The transaction ``_store_and_broadcast`` runs in.

    A message that raises alerts or a handover commits together with them. A message on its
    own is a single INSERT, atomic by itself, so outside a transaction it needs no BEGIN and
    COMMIT around it (on a busy server each statement is a wait for the event loop's thread
    to let go). Inside someone else's transaction it still gets its savepoint, so a
    re-send's refused INSERT rolls back alone."""
    if _writes_more_than_the_message(verdict) or transaction.get_connection().in_atomic_block:
        return transaction.atomic()
    return nullcontext()


def _store_and_broadcast(
    *, author: Any, room: Room, text: str, client_id: str, verdict: Any
) -> PostResult:
    """Store the message, raise its alerts and a handover, and queue its broadcast for the
    commit. Any write besides the message must be covered by
    ``_writes_more_than_the_message``, which decides whether they share a transaction."""
    categories = list(verdict.categories)
    cry_for_help = bool(verdict.is_cry_for_help)
    risk = _is_risk(verdict)
    held = cry_for_help and not room.is_private
    message = Message.objects.create(
        room=room,
        author=author,
        author_role=primary_role(author),
        original_text=text,
        shown_text=text if cry_for_help else verdict.shown,
        action=verdict.action,
        categories=categories,
        severity=verdict.severity,
        held=held,
        client_id=client_id,
    )
    # Reload the related objects the frame needs without extra queries later.
    message.author = author
    message.room = room
    result = PostResult(message=message)
    frame = selectors.message_frame(message)

    if held:
        result.sender_frames.append(selectors.message_frame(message, client_id=client_id))
        result.sender_frames.append(_cry_notice(held=True))
    else:
        send_event_on_commit(
            {
                "type": "chat.message",
                "frame": frame,
                "author_id": author.pk,
                "client_id": client_id,
            },
            [group_name("room", room.pk)],
            result.delivery,
        )

    if room.is_thread and not held:
        # The others' open pages (their inbox) hear that a message arrived.
        others = room.memberships.exclude(user=author).values_list("user_id", flat=True)
        send_event_on_commit(
            {"type": "frame.relay", "frame": {"type": "thread_message", "thread": room.pk}},
            [group_name("user", user_id) for user_id in others],
        )
    if verdict.action == Message.Action.BLOCK:
        result.sender_frames.append(_hidden_notice(categories))
    elif verdict.action == Message.Action.FLAG:
        if verdict.shown != text and not cry_for_help:
            result.sender_frames.append(_hidden_notice(categories))
        _raise_alert_safely(
            categories=categories,
            severity=verdict.severity,
            member=author,
            summary=(
                f"{'Cry for help' if cry_for_help else 'Flagged message'} from "
                f"{author.username} in {room.label}"
            ),
            reason=getattr(verdict, "reason", ""),
            room=room.label,
            message_id=message.pk,
            kind="message",
        )
    if cry_for_help and not held and not (room.is_bubble and verdict.severity >= 3):
        # Seen by the mentor or the team (a bubble, a private message) with no counsellor
        # asked to join now (an unsure finding, or not a bubble): the child still hears that
        # a grown-up will read it, and where to get help now.
        result.sender_frames.append(_cry_notice(held=False))
    if risk and room.is_bubble and verdict.severity >= 3:
        # Only a sure risk asks a counsellor to join now (an unsure one is on the counsellors'
        # list at low priority, through its alert). The warm hand-over is counselling's (a
        # counsellor is asked to join, the mentor told what to say); each receiver may answer
        # the author with kind words.
        for _, frames in risk_in_bubble.send(
            sender=Room, room=room, author=author, cry_for_help=cry_for_help
        ):
            if isinstance(frames, list):
                result.sender_frames.extend(frames)
    return result


@transaction.atomic
def message_report(*, reporter: Any, message: Message, text: str) -> None:
    """A member reports a message they can see: it reaches the moderation queue with the
    reporter's words, and the reporter can follow it on "Things you told us"."""
    visible = selectors.visible_messages(room=message.room, user=reporter).filter(pk=message.pk)
    if not permissions.can_read_room(reporter, message.room) or not visible.exists():
        raise ChatError("invalid", "We couldn't find that message.")
    audit_record(actor=reporter, action="chat.message_reported", target=message)
    report_submit(
        reporter=reporter,
        words=text,
        message_id=message.pk,
        room=message.room.label,
        member=message.author,
        categories=message.categories,
        severity=max(2, message.severity),
    )


@transaction.atomic
def help_request(*, member: Any, text: str, room: Room | None = None) -> None:
    """A member presses "Ask for help": the MiniMentors team is alerted."""
    if is_staff_member(member):
        return
    report_submit(
        reporter=member,
        words=text or "I'd like some help, please.",
        room=room.label if room else "",
        member=member,
    )
