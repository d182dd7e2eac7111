"""One rate limit for every form a member sends (reports, help, appeals, message reports,
blog posts, comments and reports, new message threads): at most
``MEMBER_FORM_LIMIT_PER_MINUTE`` in a minute and ``MEMBER_FORM_LIMIT_PER_HOUR`` in an hour,
all forms together, so nobody can flood the moderators' queue. Counted per member, or per
address for someone not logged in (a blocked member's appeal). Staff are not limited. Only
POSTs count. Chat messages have their own limit (``chat.ratelimit``).

"Talk to a MiniMentor" is not counted: a child has at most one waiting request (asking again
gives the same one back), and a child who wants a mentor is never told to slow down.
Sign-up is not counted here: a whole class may join from one school address at once; wrong
join codes have their own limit (``minimentors.services.join_code_try``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import throttle
from .addresses import client_address
from .roles import is_staff_member

SCOPE = "member-form"


def _windows() -> tuple[tuple[int, int], ...]:
    """(limit, seconds) of each window."""
    return (
        (settings.MEMBER_FORM_LIMIT_PER_MINUTE, 60),
        (settings.MEMBER_FORM_LIMIT_PER_HOUR, 60 * 60),
    )


def member_form_take(request: HttpRequest) -> bool:
    """Count one form from this member (or address); False, and nothing counted, when either
    window is full."""
    user = request.user
    if getattr(user, "is_authenticated", False):
        if is_staff_member(user):
            return True
        key = f"member:{user.pk}"
    else:
        key = f"address:{client_address(request)}"
    windows = _windows()
    if any(throttle.count(SCOPE, key, window=seconds) >= limit for limit, seconds in windows):
        return False
    for _, seconds in windows:
        throttle.hit(SCOPE, key, window=seconds)
    return True


def member_form_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a view that takes a member's form: a POST over the limit gets a kind page
    (429) instead, and the view does not run."""

    @wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and not member_form_take(request):
            return render(request, "minimentors/slow_down.html", status=429)
        return view(request, *args, **kwargs)

    return limited
