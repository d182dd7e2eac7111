"""Counselling fixtures: a bubble between a child and a mentor, MiniMentors open."""

from __future__ import annotations

import pytest

from chat import bubbles as chat_bubbles
from chat.models import Room


@pytest.fixture(autouse=True)
def _open(settings):
    settings.OPENING_HOURS = "00:00-24:00"


@pytest.fixture
def bubble(child, mentor) -> Room:
    request = chat_bubbles.bubble_request_create(child=child)
    return chat_bubbles.bubble_request_accept(mentor=mentor, request_id=request.pk)
