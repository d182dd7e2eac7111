"""Websocket routes of the chat only (see the websocket contract in ARCHITECTURE.md);
``minimentors.asgi`` combines them with the other apps' routes."""

from django.conf import settings
from django.urls import path

from .consumers import BenchEchoConsumer, QueueConsumer, RoomConsumer

websocket_urlpatterns: list = [
    path("ws/rooms/<slug:slug>/", RoomConsumer.as_asgi()),
    path("ws/bubbles/<int:bubble_id>/", RoomConsumer.as_asgi()),
    path("ws/queue/", QueueConsumer.as_asgi()),
]

if settings.CHAT_BENCH_ECHO:
    # Benchmark baseline only (bench/chat_load.py); never on unless CHAT_BENCH_ECHO=1.
    websocket_urlpatterns.append(path("ws/bench/echo/<slug:room>/", BenchEchoConsumer.as_asgi()))
