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


async def refused_with(communicator, connected: tuple) -> int:
    """A refusal is a handshake accepted and then closed with the contract's code (a bare
    HTTP 403 would hide the code from the browser)."""
    assert connected[0] is True
    output = await communicator.receive_output(timeout=3)
    assert output["type"] == "websocket.close"
    return output["code"]


async def test_an_anonymous_socket_is_accepted_then_closed_with_4401():
    communicator, connected = await connect()
    assert await refused_with(communicator, connected) == 4401


async def test_a_child_or_mentor_is_accepted_then_closed_with_4403(child, mentor):
    for user in (child, mentor):
        communicator, connected = await connect(user)
        assert await refused_with(communicator, connected) == 4403


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
