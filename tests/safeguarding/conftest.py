"""A case escalated by a counsellor, as the team finds it."""

from __future__ import annotations

import pytest

from chat import bubbles as chat_bubbles
from chat import services as chat_services
from counselling import services as counselling
from safeguarding.models import Case


@pytest.fixture(autouse=True)
def _open(settings, tmp_path):
    settings.OPENING_HOURS = "00:00-24:00"
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def bubble(child, mentor):
    request = chat_bubbles.bubble_request_create(child=child)
    return chat_bubbles.bubble_request_accept(mentor=mentor, request_id=request.pk)


@pytest.fixture
def case(child, counsellor, mentor, bubble) -> Case:
    chat_services.post_message(author=child, room=bubble, text="hi mia-mentor, my stepdad shouts")
    chat_services.post_message(author=mentor, room=bubble, text="thank you for telling me amy")
    note = counselling.note_write(
        author=counsellor, child=child, category="hurt_at_home",
        what_happened="Scared of her stepdad.", decision="Tell the team.",
    )  # fmt: skip
    counselling.escalate_to_safeguarding(
        counsellor=counsellor, child=child, note_ids=[note.pk], concern_ids=[], reason="Harm?"
    )
    return Case.objects.get(child=child)


@pytest.fixture
def second_member(make_member):
    return make_member("safeguarding", "sol-safeguarding")
