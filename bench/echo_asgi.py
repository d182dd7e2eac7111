"""The site with the benchmark's baseline added: a bare echo-and-broadcast socket at
``/ws/bench/echo/<room>/`` (no authorisation, moderation or storage). Only
``bench/chat_load.py`` serves this module; the site itself never routes it."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.routing import ProtocolTypeRouter
from django.urls import path

from minimentors.asgi import http_application, websocket_application, websocket_routes
from minimentors.layers import DirectDispatch


class BenchEchoConsumer(DirectDispatch, AsyncJsonWebsocketConsumer):
    """Echo every frame to the room's group, as light as a consumer can be."""

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


application = ProtocolTypeRouter(
    {
        "http": http_application,
        "websocket": websocket_application(
            [path("ws/bench/echo/<slug:room>/", BenchEchoConsumer.as_asgi()), *websocket_routes]
        ),
    }
)
