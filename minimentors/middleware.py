"""Request middleware of the accounts layer."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict

from .text import clean_member_text

# Fields whose value must reach Django exactly as typed (a password is compared, not stored):
# any field with one of these in its name ("password", "new_password1", "old_password").
_AS_TYPED = ("password", "csrfmiddlewaretoken")


def _cleaned(data: QueryDict) -> QueryDict:
    cleaned = data.copy()
    for key, values in data.lists():
        if not any(part in key for part in _AS_TYPED):
            cleaned.setlist(key, [clean_member_text(value) for value in values])
    cleaned._mutable = False
    return cleaned


class CleanTextMiddleware:
    """Every form's text is cleaned where it arrives (``minimentors.text.clean_member_text``),
    so no form, view or admin page can be handed text the database cannot store. Passwords
    are left as typed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            request.POST = _cleaned(request.POST)
        return self.get_response(request)
