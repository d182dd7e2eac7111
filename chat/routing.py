"""Websocket routes (see the websocket contract in ARCHITECTURE.md)."""

websocket_urlpatterns: list = []
