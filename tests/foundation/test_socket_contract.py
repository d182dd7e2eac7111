"""Every websocket path keeps the contract's refusals: accepted, then closed with its code
(never a bare HTTP 403 or a 500), the per-member socket cap, and closing when the member
logs out, is blocked or loses the role the socket needs. Through the whole ASGI application,
as a browser reaches it."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from chat.models import Membership, Room
from minimentors.asgi import application, websocket_routes
from minimentors.roles import Role
from moderation.sanctions import sanction_block
from tests.channel_helpers import member_headers

pytestmark = pytest.mark.django_db(transaction=True)

# One row per route: a path to open, who may open it, who may not (anonymous gets 4401).
# A route added without a row here fails ``test_every_route_has_a_row``.
ROUTES = {
    "ws/rooms/<slug:slug>/": ("/ws/rooms/general/", "child", None),
    "ws/bubbles/<int:bubble_id>/": ("/ws/bubbles/{bubble}/", "child", "other_child"),
    "ws/queue/": ("/ws/queue/", "child", "counsellor"),
    "ws/staff/alerts/": ("/ws/staff/alerts/", "counsellor", "child"),
    "ws/threads/<int:thread_id>/": ("/ws/threads/{thread}/", "child", "other_child"),
}
UNKNOWN_PATHS = ["/ws/nope/", "/ws/bubbles/-4/", "/ws/bubbles/abc/", "/ws/rooms/", "/ws/"]


@pytest.fixture
def people(child, other_child, counsellor, moderator, general_room):
    bubble = Room.objects.create(kind=Room.Kind.BUBBLE, name="amy's chat")
    Membership.objects.create(room=bubble, user=child, role=Membership.Role.CHILD)
    thread = Room.objects.create(kind=Room.Kind.THREAD, name="amy and the moderators",
                                 staff_inbox=True)  # fmt: skip
    Membership.objects.create(room=thread, user=child, role=Membership.Role.CHILD)
    return {
        "thread": thread,
        "child": child,
        "other_child": other_child,
        "counsellor": counsellor,
        "moderator": moderator,
        "bubble": bubble,
    }


async def open_socket(path: str, user=None, *, headers=None) -> tuple[WebsocketCommunicator, bool]:
    communicator = WebsocketCommunicator(
        application, path, headers=headers if headers is not None else await member_headers(user)
    )
    connected, _ = await communicator.connect(timeout=5)
    return communicator, connected


async def close_code(communicator: WebsocketCommunicator) -> int:
    while True:
        output = await communicator.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            return output["code"]


async def refused_with(path: str, user=None) -> int:
    communicator, connected = await open_socket(path, user)
    assert connected, f"{path} refused the handshake itself: a browser would see no code"
    return await close_code(communicator)


def test_every_route_has_a_row():
    assert {str(route.pattern) for route in websocket_routes} == set(ROUTES)


async def test_every_route_refuses_with_the_contracts_codes_after_accepting(people):
    for path_template, _, forbidden in ROUTES.values():
        path = path_template.format(bubble=people["bubble"].pk, thread=people["thread"].pk)
        assert await refused_with(path) == 4401, path
        if forbidden:
            assert await refused_with(path, people[forbidden]) == 4403, path
    missing_room = "/ws/rooms/no-such-room/"
    assert await refused_with(missing_room, people["child"]) == 4403


async def test_unknown_paths_and_bad_ids_close_cleanly(people):
    for path in UNKNOWN_PATHS + ["/ws/bubbles/99999999999999999999999/"]:
        assert await refused_with(path) == 4401, path
        assert await refused_with(path, people["child"]) == 4403, path


async def test_a_foreign_origin_is_refused_on_every_path(people):
    headers = await member_headers(people["child"], origin=b"http://evil.example")
    for path_template, _, _ in ROUTES.values():
        path = path_template.format(bubble=people["bubble"].pk, thread=people["thread"].pk)
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await communicator.connect(timeout=5)
        assert not connected, path


@pytest.mark.parametrize(
    "origin",
    [b"http://127.0.0.1:9999", b"https://127.0.0.1:8000", b"http://localhost:8000",
     b"http://127.0.0.1", b"null", b""],
)  # fmt: skip
async def test_an_origin_differing_in_scheme_host_or_port_is_refused(people, origin):
    headers = await member_headers(people["child"], origin=origin)
    communicator = WebsocketCommunicator(application, "/ws/rooms/general/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert not connected


async def test_a_handshake_without_any_origin_is_refused_on_every_path(people):
    """Browsers always send Origin; a handshake without one is a script with a stolen cookie."""
    headers = [h for h in await member_headers(people["child"]) if h[0] != b"origin"]
    for path_template, _, _ in ROUTES.values():
        path = path_template.format(bubble=people["bubble"].pk, thread=people["thread"].pk)
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await communicator.connect(timeout=5)
        assert not connected, path


async def test_the_public_origin_behind_the_proxy_is_accepted(people, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://minimentors.example.org"]
    headers = await member_headers(people["child"], origin=b"https://minimentors.example.org")
    communicator = WebsocketCommunicator(application, "/ws/rooms/general/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    await communicator.disconnect()


async def test_a_blocked_member_is_refused_everywhere_and_their_open_sockets_close(people):
    counsellor, child = people["counsellor"], people["child"]
    open_alerts, ok = await open_socket("/ws/staff/alerts/", counsellor)
    open_room, ok_room = await open_socket("/ws/rooms/general/", child)
    assert ok and ok_room
    await sync_to_async(sanction_block)(member=child, actor=people["moderator"], reason="Test.")
    assert await close_code(open_room) == 4403
    for path_template, allowed, _ in ROUTES.values():
        if allowed == "child":
            path = path_template.format(bubble=people["bubble"].pk, thread=people["thread"].pk)
            assert await refused_with(path, child) == 4403, path
    assert await open_alerts.receive_nothing(timeout=0.2)  # others' sockets stay open
    await open_alerts.disconnect()


async def test_the_socket_cap_holds_for_every_path(people, settings):
    settings.CHAT_MAX_SOCKETS_PER_MEMBER = 2
    for path_template, allowed, _ in ROUTES.values():
        path = path_template.format(bubble=people["bubble"].pk, thread=people["thread"].pk)
        user = people[allowed]
        opened = []
        for _ in range(2):
            communicator, connected = await open_socket(path, user)
            assert connected
            opened.append(communicator)
        assert await refused_with(path, user) == 4429, path
        for communicator in opened:
            await communicator.disconnect()


async def test_logging_out_closes_the_sockets_of_that_login_only(people):
    child = people["child"]
    browser = Client()
    await sync_to_async(browser.force_login)(child)
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()
    headers = [(b"host", b"127.0.0.1:8000"), (b"origin", b"http://127.0.0.1:8000"),
               (b"cookie", cookie)]  # fmt: skip
    this_login, ok = await open_socket("/ws/rooms/general/", headers=headers)
    other_login, ok_other = await open_socket("/ws/queue/", child)
    assert ok and ok_other
    await sync_to_async(browser.post)("/accounts/logout/")
    assert await close_code(this_login) == 4403
    assert await other_login.receive_nothing(timeout=0.3)
    await other_login.disconnect()


async def test_losing_a_role_closes_the_sockets_that_needed_it(people):
    counsellor = people["counsellor"]
    alerts, ok = await open_socket("/ws/staff/alerts/", counsellor)
    assert ok

    def take_roles_away() -> None:
        counsellor.groups.clear()

    await sync_to_async(take_roles_away)()
    assert await close_code(alerts) == 4403


async def test_gaining_a_role_reaches_an_open_socket(people):
    """A moderator's alert feed joins the moderators' group without reconnecting once a
    counsellor is made a moderator too."""
    from moderation.services import raise_alert

    counsellor = people["counsellor"]
    alerts, ok = await open_socket("/ws/staff/alerts/", counsellor)
    assert ok

    def make_moderator() -> None:
        from minimentors.roles import role_grant

        role_grant(user=counsellor, role=Role.MODERATOR)

    await sync_to_async(make_moderator)()
    await alerts.receive_nothing(timeout=0.3)  # the socket follows its new groups
    swearing = await sync_to_async(raise_alert)(
        categories=["profanity"], severity=1, member=people["child"], summary="swearing"
    )
    frame = await alerts.receive_json_from(timeout=5)
    assert frame["id"] == swearing.pk  # only moderators get non-risk alerts
    await alerts.disconnect()
