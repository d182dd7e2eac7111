"""Chat fixtures: a general room, a bubble between a child and a mentor, and the alerts that
moderation stored."""

from __future__ import annotations

import pytest

from chat import bubbles, services
from chat.models import Membership, Room


@pytest.fixture(autouse=True)
def _open_and_fresh(request, settings):
    """MiniMentors are on (tests about closing time travel in time themselves), and each test
    starts with an empty cache (rate limits live there)."""
    settings.OPENING_HOURS = "00:00-24:00"
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def joined(general_room):
    """joined(user) puts ``user`` in the general room and returns the room."""

    def join(*users) -> Room:
        for user in users:
            services.room_join(user=user, room=general_room)
        return general_room

    return join


@pytest.fixture
def bubble(child, mentor) -> Room:
    """An accepted bubble between ``child`` and ``mentor``."""
    request = bubbles.bubble_request_create(child=child)
    return bubbles.bubble_request_accept(mentor=mentor, request_id=request.pk)


def raised_alerts() -> list[dict]:
    from moderation.models import Alert

    return list(
        Alert.objects.order_by("id").values(
            "kind", "categories", "severity", "room", "message_id", "member__username", "reason"
        )
    )


def membership_roles(room: Room) -> dict[str, str]:
    return {m.user.username: m.role for m in Membership.objects.filter(room=room)}
