"""Websockets of the chat (contract: ARCHITECTURE.md, "Websockets").

Thin: ``authorise`` goes through the access gates (``chat.access``) with the ``Member`` found
at the handshake; ``receive_json`` dispatches on ``type`` to one service; group handlers only
format and send (they run once per socket, so they never write). Refusing, close codes, the
socket cap and frame checks are the socket base's (``minimentors.sockets``).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from minimentors.access import NotFound
from minimentors.events import group_name
from minimentors.roles import Member, is_child, is_mentor
from minimentors.sockets import (
    CLOSE_NOT_ALLOWED,
    INVALID,
    Authorised,
    MemberSocket,
    Refused,
    error_frame,
)
from minimentors.text import clean_member_text

from . import permissions, pipeline, selectors, services
from .access import access_bubble, access_room, access_thread
from .models import BubbleRequest, Room


def _presence_role(member: Member) -> str:
    if is_child(member):
        return "child"
    if is_mentor(member):
        return "mentor"
    return "staff"


class RoomConsumer(MemberSocket):
    """/ws/rooms/<slug>/ and /ws/bubbles/<id>/: messages of one room."""

    room: Room

    def authorise(self, member: Member, user: Any) -> Authorised:
        kwargs = self.scope["url_route"]["kwargs"]
        try:
            if "bubble_id" in kwargs:
                room = access_bubble(member, kwargs["bubble_id"])
            elif "thread_id" in kwargs:
                room = access_thread(member, kwargs["thread_id"])
            else:
                room = access_room(member, kwargs["slug"])
        except NotFound:
            raise Refused(CLOSE_NOT_ALLOWED) from None
        self.room = room
        return Authorised(
            groups=[group_name("room", room.pk)],
            place=selectors.room_place(room),
            role=_presence_role(member),
            target=room,
        )

    def opened_in_transaction(self, user: Any, authorised: Authorised) -> None:
        services.room_join(user=user, room=self.room)
        services.room_presence_send(room=self.room)

    def closed_in_transaction(self, place: str) -> None:
        if place:
            services.room_presence_send(room=self.room)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        handler = {"message": self.on_message, "resume": self.on_resume}.get(content["type"])
        if handler is None:
            await self.send_json(INVALID)
            return
        await handler(content)

    async def on_message(self, content: dict[str, Any]) -> None:
        text, client_id = content.get("text"), content.get("client_id", "")
        if not isinstance(text, str) or not isinstance(client_id, str):
            await self.send_json(INVALID)
            return
        text, client_id = clean_member_text(text), clean_member_text(client_id)
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
            await self.send_json(INVALID)
            return
        frames = await database_sync_to_async(selectors.messages_after)(
            room=self.room, user=self.scope["user"], after_id=after
        )
        for frame in frames:
            await self.send_json(frame)

    # Group handlers: format and send only.
    async def chat_message(self, event: dict[str, Any]) -> None:
        if event.get("client_id") and event.get("author_id") == self.member.pk:
            await self.send_json({**event["frame"], "client_id": event["client_id"]})
        else:
            await self.relay(event)

    async def chat_presence(self, event: dict[str, Any]) -> None:
        await self.relay(event)

    async def chat_notice(self, event: dict[str, Any]) -> None:
        user_ids = event.get("user_ids")
        if user_ids is None or self.member.pk in user_ids:
            await self.relay(event)


class QueueConsumer(MemberSocket):
    """/ws/queue/: mentors see bubble requests arrive and get taken; a waiting child hears
    when their request is accepted or ends."""

    def authorise(self, member: Member, user: Any) -> Authorised:
        if not permissions.can_watch_queue(member):
            raise Refused(CLOSE_NOT_ALLOWED)
        groups = [group_name("queue", selectors.QUEUE_MENTORS)] if is_mentor(member) else []
        return Authorised(groups=groups)

    def snapshot(self, user: Any, authorised: Authorised) -> list[dict[str, Any]]:
        """Waiting requests for a mentor; for a child, their request if a mentor accepted it
        in the moment before the socket opened."""
        if is_mentor(self.member):
            return [selectors.bubble_request_frame(r) for r in selectors.waiting_bubble_requests()]
        latest = (
            BubbleRequest.objects.filter(child_id=self.member.pk)
            .select_related("room")
            .order_by("-id")
            .first()
        )
        if (
            latest is not None
            and latest.status == BubbleRequest.Status.ACCEPTED
            and latest.room is not None
            and latest.room.is_open
        ):
            url = f"/chat/bubbles/{latest.room_id}/"
            # Marked as a snapshot: only a lobby that was waiting moves to it (a child who
            # came back to the lobby from their chat stays there).
            return [{"type": "bubble_accepted", "id": latest.pk, "url": url, "snapshot": True}]
        return []

    async def chat_queue(self, event: dict[str, Any]) -> None:
        await self.relay(event)
