"""The one socket base every websocket consumer is built on, and the open-socket records.

``MemberSocket`` does what every path must do the same way (the websocket contract in
ARCHITECTURE.md):

- refuse by accepting the handshake and then closing with the contract's code (a handshake
  refused outright reaches the browser as a bare HTTP 403, without the code): ``4401`` not
  logged in, ``4403`` not allowed here (also: blocked from the site, logged out, an unknown
  path or id), ``4429`` too many sockets for one member;
- authorise through the subclass's ``authorise`` (in the database thread, with the
  ``Member`` found at the handshake) and join the groups it names, plus the member's and the
  login's own groups, so a block, a logout or a change of roles reaches every open socket;
- count the member's sockets on every process against ``CHAT_MAX_SOCKETS_PER_MEMBER``;
- answer bad frames with one ``error`` frame and close cleanly, never with a 500.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from . import events
from .hooks import member_block_notice
from .layers import DirectDispatch, PerLoop
from .models import OpenSocket, User
from .roles import Member

logger = logging.getLogger(__name__)
security_log = logging.getLogger("minimentors.security")

CLOSE_NOT_LOGGED_IN = 4401
CLOSE_NOT_ALLOWED = 4403
CLOSE_TOO_MANY_SOCKETS = 4429

HEARTBEAT_SECONDS = 30
STALE_AFTER = timedelta(seconds=HEARTBEAT_SECONDS * 3)
# With several Daphne processes (Redis), each says it is alive this often; a process that has
# not said so for PROCESS_ALIVE_FOR seconds is dead and its sockets stop counting.
PROCESS_BEAT_SECONDS = 5
PROCESS_ALIVE_FOR = 15
HEARTBEAT_CHUNK = 500


class Refused(Exception):
    """Raised by ``authorise``: the socket is closed with ``code``."""

    def __init__(self, code: int = CLOSE_NOT_ALLOWED) -> None:
        super().__init__(code)
        self.code = code


class TooManySockets(Exception):
    pass


def error_frame(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}


INVALID = error_frame("invalid", "That message didn't look right.")


def session_group(session_key: str | None) -> str | None:
    """The group of every socket opened with one login (the key itself never leaves)."""
    if not session_key:
        return None
    return events.group_name("session", hashlib.sha256(session_key.encode()).hexdigest()[:32])


@dataclass
class Authorised:
    """What ``authorise`` grants: groups to join, where the socket is (``room.<id>``), the role
    shown in presence, and what the subclass keeps for itself (chat: the room)."""

    groups: list[str] = field(default_factory=list)
    place: str = ""
    role: str = ""
    target: Any = None


# --- Open-socket records (every process shares them) ----------------------------------------

_others_swept = False


def _live(processes: set[str]) -> set[str]:
    """Which of ``processes`` still serve sockets. Embedded there is one socket process, so
    only this one; with Redis each process says so in the shared cache."""
    if not settings.REDIS_URL:
        return processes & {events.PROCESS_ID}
    keys = {f"socket-process:{p}": p for p in processes if p != events.PROCESS_ID}
    alive = {keys[k] for k in cache.get_many(list(keys))} if keys else set()
    return alive | (processes & {events.PROCESS_ID})


def process_beat() -> None:
    if settings.REDIS_URL:
        cache.set(f"socket-process:{events.PROCESS_ID}", 1, timeout=PROCESS_ALIVE_FOR)


def socket_open(*, user: Any, channel_name: str, place: str = "", role: str = "") -> None:
    """Record an open socket, or raise ``TooManySockets`` when the member already holds
    ``CHAT_MAX_SOCKETS_PER_MEMBER`` live ones (across every process). The user's row is
    locked while counting, so two sockets opening at once cannot both slip under the cap.
    Sockets of dead processes (a restart) never count: embedded, the first socket after a
    start sweeps them; with Redis, their process stopped saying it is alive."""
    global _others_swept
    now = timezone.now()
    with transaction.atomic():
        if not settings.REDIS_URL and not _others_swept:
            OpenSocket.objects.exclude(process=events.PROCESS_ID).delete()
            _others_swept = True
        User.objects.select_for_update().filter(pk=user.pk).first()
        OpenSocket.objects.filter(seen_at__lt=now - STALE_AFTER).delete()
        held = list(OpenSocket.objects.filter(user_id=user.pk).values_list("process", flat=True))
        live = _live(set(held))
        if sum(1 for process in held if process in live) >= settings.CHAT_MAX_SOCKETS_PER_MEMBER:
            raise TooManySockets
        OpenSocket.objects.update_or_create(
            channel_name=channel_name,
            defaults={
                "user_id": user.pk,
                "process": events.PROCESS_ID,
                "place": place,
                "role": role,
                "seen_at": now,
            },
        )


def socket_close(*, channel_name: str) -> str:
    """Forget a socket; returns the place it was open on ("" if none)."""
    row = OpenSocket.objects.filter(channel_name=channel_name).values_list("place").first()
    OpenSocket.objects.filter(channel_name=channel_name).delete()
    return row[0] if row else ""


def sockets_heartbeat(*, channel_names: Sequence[str]) -> int:
    """Mark these sockets as still open (one heartbeat per process calls it for all)."""
    now = timezone.now()
    refreshed = 0
    for start in range(0, len(channel_names), HEARTBEAT_CHUNK):
        chunk = channel_names[start : start + HEARTBEAT_CHUNK]
        refreshed += OpenSocket.objects.filter(channel_name__in=chunk).update(seen_at=now)
    return refreshed


def member_fresh(*, user_id: int) -> tuple[Any, Member] | None:
    """The member again, after a change of roles or a block (None: gone or deactivated)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return (user, Member.of(user)) if user is not None else None


class Heartbeat:
    """The sockets of one event loop (one Daphne process) and the task that keeps their rows
    fresh: one query per ``HEARTBEAT_SECONDS`` for all of them, not one per socket."""

    def __init__(self) -> None:
        self.channels: set[str] = set()
        self.task: asyncio.Task[None] | None = None

    def add(self, channel_name: str) -> None:
        self.channels.add(channel_name)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._beat())

    def discard(self, channel_name: str) -> None:
        self.channels.discard(channel_name)

    async def _beat(self) -> None:
        ticks = 0
        while self.channels:
            await asyncio.sleep(PROCESS_BEAT_SECONDS)
            ticks += 1
            try:
                await database_sync_to_async(process_beat)()
            except Exception:
                logger.exception("This process could not say it is alive")
            if ticks * PROCESS_BEAT_SECONDS >= HEARTBEAT_SECONDS:
                ticks = 0
                await self.beat_now()

    async def beat_now(self) -> None:
        names = sorted(self.channels)
        if not names:
            return
        try:
            await database_sync_to_async(sockets_heartbeat)(channel_names=names)
        except Exception:
            logger.exception("Socket heartbeat failed for %s sockets", len(names))


_heartbeats = PerLoop(Heartbeat)


def heartbeat() -> Heartbeat:
    """This event loop's heartbeat."""
    return _heartbeats.get()


# --- The base class -----------------------------------------------------------------------------


class MemberSocket(DirectDispatch, AsyncJsonWebsocketConsumer):
    """Subclasses implement ``authorise`` (database thread) and ``receive_json``; group handlers
    only format and send (they run once per socket, so they never write)."""

    groups_joined: list[str]
    opened = False
    member: Member

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        events.serve_events_here()
        await super().__call__(scope, receive, send)

    def authorise(self, member: Member, user: Any) -> Authorised:
        """May ``member`` open this socket? Raise ``Refused``; return what it joins."""
        raise Refused(CLOSE_NOT_ALLOWED)

    def opened_in_transaction(self, user: Any, authorised: Authorised) -> None:
        """Writes that belong to the opening (chat: joining the room, its presence event)."""

    def snapshot(self, user: Any, authorised: Authorised) -> list[dict[str, Any]]:
        """Frames to send as soon as the socket opens (read after its groups were joined, so
        nothing sent in between is missed)."""
        return []

    def closed_in_transaction(self, place: str) -> None:
        """Writes that belong to the closing (chat: the room's presence event)."""

    async def refuse(self, code: int) -> None:
        # Who tried which path and why, never what they sent (no text or session ids).
        member = self.scope.get("member")
        security_log.warning(
            "Socket refused (%s): member %s, %s",
            code, member.pk if member else None, self.scope.get("path", ""),
        )  # fmt: skip
        await self.accept()
        await self.close(code=code)

    def _authorise_checked(self, member: Member, user: Any) -> Authorised:
        """Nobody blocked from the site or deactivated opens any socket; then the subclass."""
        if not user.is_active or member_block_notice(user) is not None:
            raise Refused(CLOSE_NOT_ALLOWED)
        return self.authorise(member, user)

    def _open(self, user: Any, authorised: Authorised) -> list[dict[str, Any]]:
        with transaction.atomic():
            socket_open(
                user=user,
                channel_name=self.channel_name,
                place=authorised.place,
                role=authorised.role,
            )
            self.opened_in_transaction(user, authorised)
        return self.snapshot(user, authorised)

    async def connect(self) -> None:
        self.groups_joined = []
        member: Member | None = self.scope.get("member")
        if member is None:
            await self.refuse(CLOSE_NOT_LOGGED_IN)
            return
        self.member = member
        own = [events.group_name("user", member.pk)]
        login = session_group(self.scope.get("session_key"))
        if login:
            own.append(login)
        try:
            # Join before recording, so no event sent after the record is missed.
            authorised = await database_sync_to_async(self._authorise_checked)(
                member, self.scope["user"]
            )
            await self._join(own + authorised.groups)
            snapshot = await database_sync_to_async(self._open)(self.scope["user"], authorised)
        except Refused as refused:
            await self._leave()
            await self.refuse(refused.code)
            return
        except TooManySockets:
            await self._leave()
            await self.refuse(CLOSE_TOO_MANY_SOCKETS)
            return
        self.opened = True
        await self.accept()
        heartbeat().add(self.channel_name)
        for frame in snapshot:
            await self.send_json(frame)

    async def _join(self, groups: list[str]) -> None:
        for group in groups:
            if group not in self.groups_joined:
                await self.channel_layer.group_add(group, self.channel_name)
                self.groups_joined.append(group)

    async def _leave(self, keep: Sequence[str] = ()) -> None:
        for group in [g for g in self.groups_joined if g not in keep]:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = [g for g in self.groups_joined if g in keep]

    def _close_record(self) -> None:
        with transaction.atomic():
            place = socket_close(channel_name=self.channel_name)
            self.closed_in_transaction(place)

    async def disconnect(self, code: int) -> None:
        heartbeat().discard(self.channel_name)
        await self._leave()
        if self.opened:
            self.opened = False
            await database_sync_to_async(self._close_record)()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        limit = settings.CHAT_MAX_FRAME_BYTES
        if text_data is None:
            await self.send_json(error_frame("invalid", "Please send text frames only."))
            return
        # Refuse before parsing: a character is at most 4 bytes, so most frames skip encoding.
        if len(text_data) > limit or (
            len(text_data) * 4 > limit and len(text_data.encode()) > limit
        ):
            await self.send_json(error_frame("too_long", "That message is too long."))
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_json(INVALID)
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_json(INVALID)
            return
        await self.receive_json(content)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        await self.send_json(error_frame("invalid", "This connection only listens."))

    # Group handlers every socket shares.
    async def relay(self, event: dict[str, Any]) -> None:
        """Send an event's frame as it was encoded once for the whole group."""
        if "text" in event:
            await self.send(text_data=event["text"])
        else:
            await self.send_json(event["frame"])

    async def frame_relay(self, event: dict[str, Any]) -> None:
        """A frame any app sends to a group this socket is in (a concern to counsellors, a
        weekly-chat offer to a child): sent as it was encoded once."""
        await self.relay(event)

    async def socket_close(self, event: dict[str, Any]) -> None:
        """A block or a logout: close with the event's code (4403)."""
        await self.close(code=event.get("code", CLOSE_NOT_ALLOWED))

    async def member_changed(self, event: dict[str, Any]) -> None:
        """Roles changed (or the account was deactivated): authorise again, and close with
        4403 if this socket is no longer allowed; otherwise follow the new groups."""
        fresh = await database_sync_to_async(member_fresh)(user_id=self.member.pk)
        if fresh is None:
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        user, member = fresh
        try:
            authorised = await database_sync_to_async(self._authorise_checked)(member, user)
        except Refused as refused:
            await self.close(code=refused.code)
            return
        self.scope["user"], self.scope["member"], self.member = user, member, member
        own = [g for g in self.groups_joined if g.startswith(("mm.user.", "mm.session."))]
        await self._leave(keep=own)
        await self._join(own + authorised.groups)


class UnknownSocket(MemberSocket):
    """Every websocket path no route claims (``/ws/nope/``, ``/ws/bubbles/-4/``): closed
    cleanly with the contract's code, never a 500."""

    def authorise(self, member: Member, user: Any) -> Authorised:
        raise Refused(CLOSE_NOT_ALLOWED)


def member_sockets_close(*, user_id: int) -> None:
    """Close every open socket of a member, on every process, with 4403 (after commit)."""
    events.send_event_on_commit(
        {"type": "socket.close", "code": CLOSE_NOT_ALLOWED}, [events.group_name("user", user_id)]
    )


def login_sockets_close(*, session_key: str | None) -> None:
    """Close the sockets opened with one login (at logout), with 4403."""
    group = session_group(session_key)
    if group:
        events.send_event_on_commit({"type": "socket.close", "code": CLOSE_NOT_ALLOWED}, [group])


def member_changed_send(*, user_id: int) -> None:
    """Tell a member's open sockets to authorise again (their roles changed)."""
    events.send_event_on_commit({"type": "member.changed"}, [events.group_name("user", user_id)])
