"""Websockets of the chat (contract: ARCHITECTURE.md, "Websockets").

Thin: ``connect`` authorises through ``chat.permissions``, joins groups named by
``chat.events.group_name`` and accepts; ``receive_json`` dispatches on ``type`` to one service;
group handlers only format and send (they run once per socket, so they never write).

Refusals accept the handshake first and then close with a code, because a handshake refused
outright reaches the browser as a bare HTTP 403 without the code:
4401 not logged in, 4403 not allowed here or blocked from the site, 4429 too many sockets
(``CHAT_MAX_SOCKETS_PER_MEMBER``).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from minimentors.layers import DirectDispatch
from minimentors.roles import is_mentor

from . import permissions, pipeline, selectors, services
from .events import QUEUE_MENTORS, group_name, run_collecting
from .heartbeat import heartbeat
from .models import BubbleRequest, Room

logger = logging.getLogger(__name__)

CLOSE_NOT_LOGGED_IN = 4401
CLOSE_NOT_ALLOWED = 4403
CLOSE_TOO_MANY_SOCKETS = 4429


class Refused(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def error_frame(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}


class _ChatSocket(DirectDispatch, AsyncJsonWebsocketConsumer):
    """What every chat socket shares: refusing with a code, the frame-size check before
    parsing, presence with a heartbeat, and the group handlers."""

    groups_joined: list[str]
    opened = False

    async def refuse(self, code: int) -> None:
        await self.accept()
        await self.close(code=code)

    async def join(self, groups: list[str], room: Room | None) -> None:
        """Join ``groups``, record the socket (refused over the cap) and accept."""
        self.groups_joined = groups
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        try:
            await run_collecting(
                services.socket_open,
                user=self.scope["user"],
                room=room,
                channel_name=self.channel_name,
            )
        except services.ChatError:
            await self.leave_groups()
            await self.refuse(CLOSE_TOO_MANY_SOCKETS)
            return
        self.opened = True
        await self.accept()
        heartbeat().add(self.channel_name)

    async def leave_groups(self) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = []

    async def disconnect(self, code: int) -> None:
        heartbeat().discard(self.channel_name)
        await self.leave_groups()
        if self.opened:
            self.opened = False
            await run_collecting(services.socket_close, channel_name=self.channel_name)

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
            await self.send_json(error_frame("invalid", "That message didn't look right."))
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_json(error_frame("invalid", "That message didn't look right."))
            return
        await self.receive_json(content)

    # Group handlers: format and send only.
    async def relay(self, event: dict[str, Any]) -> None:
        """Send an event's frame as it was encoded once for the whole group."""
        if "text" in event:
            await self.send(text_data=event["text"])
        else:
            await self.send_json(event["frame"])

    async def chat_message(self, event: dict[str, Any]) -> None:
        if event.get("client_id") and event.get("author_id") == self.scope["user"].pk:
            await self.send_json({**event["frame"], "client_id": event["client_id"]})
        else:
            await self.relay(event)

    async def chat_presence(self, event: dict[str, Any]) -> None:
        await self.relay(event)

    async def chat_notice(self, event: dict[str, Any]) -> None:
        user_ids = event.get("user_ids")
        if user_ids is None or self.scope["user"].pk in user_ids:
            await self.relay(event)

    async def chat_queue(self, event: dict[str, Any]) -> None:
        await self.relay(event)

    async def chat_close(self, event: dict[str, Any]) -> None:
        await self.close(code=event["code"])


def _room_for(user: Any, kind: str, key: str) -> Room:
    """The room a socket asks for, if ``user`` may read it; audits a staff read of a bubble.
    Missing and forbidden rooms are refused alike."""
    if permissions.posting_restriction(user) == permissions.BLOCKED:
        raise Refused(CLOSE_NOT_ALLOWED)
    if kind == "bubble":
        room = Room.objects.filter(pk=int(key), kind=Room.Kind.BUBBLE).first()
    else:
        room = Room.objects.filter(slug=key, kind=Room.Kind.GENERAL).first()
    if room is None or not permissions.can_read_room(user, room):
        raise Refused(CLOSE_NOT_ALLOWED)
    if room.is_bubble:
        services.bubble_staff_read_record(user=user, room=room)
    return room


class RoomConsumer(_ChatSocket):
    """/ws/rooms/<slug>/ and /ws/bubbles/<id>/: messages of one room."""

    room: Room

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not getattr(user, "is_authenticated", False):
            await self.refuse(CLOSE_NOT_LOGGED_IN)
            return
        kwargs = self.scope["url_route"]["kwargs"]
        kind, key = (
            ("bubble", kwargs["bubble_id"]) if "bubble_id" in kwargs else ("room", kwargs["slug"])
        )
        try:
            self.room = await database_sync_to_async(_room_for)(user, kind, str(key))
        except Refused as refused:
            await self.refuse(refused.code)
            return
        await self.join([group_name("room", self.room.pk), group_name("user", user.pk)], self.room)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        handler = {"message": self.on_message, "resume": self.on_resume}.get(content["type"])
        if handler is None:
            await self.send_json(error_frame("invalid", "That message didn't look right."))
            return
        await handler(content)

    async def on_message(self, content: dict[str, Any]) -> None:
        text, client_id = content.get("text"), content.get("client_id", "")
        if not isinstance(text, str) or not isinstance(client_id, str):
            await self.send_json(error_frame("invalid", "That message didn't look right."))
            return
        try:
            result = await pipeline.post_message(
                author=self.scope["user"], room=self.room, text=text, client_id=client_id
            )
        except services.ChatError as error:
            if error.code == "blocked":
                await self.close(code=CLOSE_NOT_ALLOWED)
                return
            await self.send_json(error_frame(error.code, error.message))
            return
        for frame in result.sender_frames:
            await self.send_json(frame)
        if not result.delivery.ok:
            await self.send_json(
                error_frame(
                    "unavailable",
                    "Your message was saved, but we couldn't show it to everyone yet. "
                    "It will appear when their chat reconnects.",
                )
            )

    async def on_resume(self, content: dict[str, Any]) -> None:
        after = content.get("after")
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            await self.send_json(error_frame("invalid", "That message didn't look right."))
            return
        frames = await database_sync_to_async(selectors.messages_after)(
            room=self.room, user=self.scope["user"], after_id=after
        )
        for frame in frames:
            await self.send_json(frame)


def _queue_snapshot(user: Any) -> list[dict[str, Any]]:
    """What a queue socket needs on connect: waiting requests for a mentor; for a child, their
    request if a mentor accepted it in the moment before the socket opened."""
    if is_mentor(user):
        return [selectors.bubble_request_frame(r) for r in selectors.waiting_bubble_requests()]
    latest = BubbleRequest.objects.filter(child=user).select_related("room").order_by("-id").first()
    if (
        latest is not None
        and latest.status == BubbleRequest.Status.ACCEPTED
        and latest.room is not None
        and latest.room.is_open
    ):
        url = f"/chat/bubbles/{latest.room_id}/"
        return [{"type": "bubble_accepted", "id": latest.pk, "url": url}]
    return []


class QueueConsumer(_ChatSocket):
    """/ws/queue/: mentors see bubble requests arrive and get taken; a waiting child hears
    when their request is accepted."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not getattr(user, "is_authenticated", False):
            await self.refuse(CLOSE_NOT_LOGGED_IN)
            return
        allowed = await database_sync_to_async(permissions.can_watch_queue)(user)
        if not allowed:
            await self.refuse(CLOSE_NOT_ALLOWED)
            return
        groups = [group_name("user", user.pk)]
        if is_mentor(user):
            groups.append(group_name("queue", QUEUE_MENTORS))
        await self.join(groups, None)
        if not self.opened:
            return
        for frame in await database_sync_to_async(_queue_snapshot)(user):
            await self.send_json(frame)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        await self.send_json(error_frame("invalid", "This connection only listens."))


class BenchEchoConsumer(DirectDispatch, AsyncJsonWebsocketConsumer):
    """Benchmark baseline (only routed when ``CHAT_BENCH_ECHO`` is on): echo every frame to
    the room's group with no authorisation, moderation or storage."""

    async def connect(self) -> None:
        self.group = f"bench.echo.{self.scope['url_route']['kwargs']['room']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        await self.channel_layer.group_send(self.group, {"type": "bench.echo", "frame": content})

    async def bench_echo(self, event: dict[str, Any]) -> None:
        await self.send_json(event["frame"])
