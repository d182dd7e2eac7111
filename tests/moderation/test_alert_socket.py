"""/ws/staff/alerts/ pushes each alert to the staff allowed to see it, and nobody else."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from minimentors.asgi import application
from moderation.services import raise_alert
from tests.channel_helpers import member_headers

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(user=None):
    communicator = WebsocketCommunicator(
        application, "/ws/staff/alerts/", headers=await member_headers(user)
    )
    return communicator, await communicator.connect()


async def test_an_anonymous_socket_is_closed_with_4401():
    communicator, (connected, code) = await connect()
    assert not connected and code == 4401


async def test_a_child_or_mentor_is_refused_with_4403(child, mentor):
    for user in (child, mentor):
        _, (connected, code) = await connect(user)
        assert not connected and code == 4403


async def test_moderators_get_every_alert_and_counsellors_only_risk_alerts(
    child, moderator, counsellor
):
    mod_socket, (ok_mod, _) = await connect(moderator)
    counsellor_socket, (ok_counsellor, _) = await connect(counsellor)
    assert ok_mod and ok_counsellor

    swearing = await sync_to_async(raise_alert)(
        categories=["profanity"], severity=1, member=child, summary="swearing", room="general"
    )
    risk = await sync_to_async(raise_alert)(
        categories=["self_harm"], severity=3, member=child, summary="cry for help", room="general"
    )
    first = await mod_socket.receive_json_from(timeout=5)
    second = await mod_socket.receive_json_from(timeout=5)
    assert [first["id"], second["id"]] == [swearing.pk, risk.pk]
    assert second == {
        "type": "alert",
        "id": risk.pk,
        "severity": 3,
        "categories": ["self_harm"],
        "room": "general",
        "member": "amy",
        "summary": "cry for help",
        "raised_at": risk.raised_at.isoformat(),
    }
    only = await counsellor_socket.receive_json_from(timeout=5)
    assert only["id"] == risk.pk
    assert await counsellor_socket.receive_nothing(timeout=0.3)
    await mod_socket.disconnect()
    await counsellor_socket.disconnect()
