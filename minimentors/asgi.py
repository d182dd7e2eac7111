"""ASGI entry point: HTTP through Django, websockets through Channels.

The Django ASGI application is created before any consumer is imported (Channels' rule), and
every websocket passes the Origin check (scheme, host and port: ``minimentors.origins``) and
finds its member (``minimentors.ws_auth``) before routing; a path no route claims is closed
cleanly (``UnknownSocket``). Whatever runs this application serves sockets, so it is where
events are sent from (``serve_events_here``). The moderation engine is built before the server
listens (``MODERATION_WARM_AT_START``).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minimentors.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import re_path  # noqa: E402

from chat.routing import websocket_urlpatterns as chat_routes  # noqa: E402
from minimentors.events import serve_events_here  # noqa: E402
from minimentors.origins import SameOriginValidator  # noqa: E402
from minimentors.sockets import UnknownSocket  # noqa: E402
from minimentors.ws_auth import member_stack  # noqa: E402
from moderation.routing import websocket_urlpatterns as moderation_routes  # noqa: E402
from moderation.services import warm_up  # noqa: E402

if settings.MODERATION_WARM_AT_START:
    warm_up()

websocket_routes: list = chat_routes + moderation_routes
unknown_route = re_path(r"^.*$", UnknownSocket.as_asgi())


async def http_application(scope, receive, send):
    serve_events_here()
    return await django_asgi_app(scope, receive, send)


def websocket_application(routes: list):
    """Origin check, then the member, then ``routes`` (and the clean refusal after them)."""
    return SameOriginValidator(member_stack(URLRouter([*routes, unknown_route])))


application = ProtocolTypeRouter(
    {"http": http_application, "websocket": websocket_application(websocket_routes)}
)
