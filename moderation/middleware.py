"""Sanctions on every request: a blocked member is logged out at once (whatever session store
holds them) and sent to a page that says why and how to appeal; a warned member sees a kind
notice once."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect

from .sanctions import BLOCK_NOTICE_KEY, block_notice, warning_mark_seen, warning_unseen


class SanctionMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            notice = block_notice(user)  # None unless blocked: one query says both
            if notice is not None:
                logout(request)
                request.session[BLOCK_NOTICE_KEY] = notice  # the blocked page shows it
                return redirect("moderation:blocked")
            warning = warning_unseen(user)
            if warning is not None:
                messages.warning(
                    request,
                    f"A moderator has asked you to be careful: {warning.reason} "
                    "Please read the site rules.",
                )
                warning_mark_seen(warning)
        return self.get_response(request)
