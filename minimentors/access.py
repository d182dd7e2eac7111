"""What every ``access_*`` gate raises: one "not found" for missing and forbidden alike.

Each object type has one gate (``chat.access.access_room``, ``access_bubble``,
``moderation.access.access_alert``) that fetches the object and checks the member in one step
(Zulip's ``access_message`` is the model). Views let it become a 404 page; sockets close with
4403. A member can never tell an object that exists from one they may not see.
"""

from django.http import Http404


class NotFound(Http404):
    """The object does not exist, or this member may not see it."""
