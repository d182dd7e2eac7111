"""Websocket routes of the chat only (see the websocket contract in ARCHITECTURE.md);
``minimentors.asgi`` combines them with the other apps' routes."""

from django.urls import path

from .consumers import QueueConsumer, RoomConsumer

websocket_urlpatterns: list = [
    path("ws/rooms/<slug:slug>/", RoomConsumer.as_asgi()),
    path("ws/bubbles/<int:bubble_id>/", RoomConsumer.as_asgi()),
    path("ws/threads/<int:thread_id>/", RoomConsumer.as_asgi()),
    path("ws/queue/", QueueConsumer.as_asgi()),
]
