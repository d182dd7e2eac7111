"""ASGI entry point: HTTP through Django, websockets through Channels.

The Django ASGI application is created before any consumer is imported (Channels' rule), and
every websocket passes the Origin check and finds its member (``minimentors.ws_auth``) before
routing. The moderation engine is built before the server listens (``MODERATION_WARM_AT_START``).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minimentors.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from chat.routing import websocket_urlpatterns as chat_routes  # noqa: E402
from minimentors.ws_auth import member_stack  # noqa: E402
from moderation.routing import websocket_urlpatterns as moderation_routes  # noqa: E402
from moderation.services import warm_up  # noqa: E402

if settings.MODERATION_WARM_AT_START:
    warm_up()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            member_stack(URLRouter(chat_routes + moderation_routes))
        ),
    }
)
