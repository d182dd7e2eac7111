"""/ws/staff/alerts/: live alerts for moderators (all) and counsellors (risk alerts)."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from minimentors.layers import DirectDispatch
from minimentors.roles import role_names

from .permissions import can_receive_alerts
from .realtime import alert_groups_for_user

NOT_LOGGED_IN = 4401
NOT_ALLOWED = 4403


class StaffAlertConsumer(DirectDispatch, AsyncJsonWebsocketConsumer):
    groups: list[str]

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.groups = []
        if user is None or not user.is_authenticated:
            await self.close(code=NOT_LOGGED_IN)
            return
        await database_sync_to_async(role_names)(user)
        if not can_receive_alerts(user):
            await self.close(code=NOT_ALLOWED)
            return
        self.groups = alert_groups_for_user(user)
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in self.groups:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        # Staff act on alerts through the moderation pages; this socket only listens.
        await self.send_json(
            {"type": "error", "code": "invalid", "message": "This feed only sends."}
        )

    async def alert_raised(self, event: dict) -> None:
        await self.send_json(event["alert"])
