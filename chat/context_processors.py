"""The unread private messages count in every member's menu."""

from __future__ import annotations

from django.http import HttpRequest

from minimentors.roles import is_counsellor, is_member


def unread_messages(request: HttpRequest) -> dict[str, int]:
    user = request.user
    if not (is_member(user) or is_counsellor(user)):
        return {}
    from .messaging import unread_count

    return {"unread_messages": unread_count(user)}
