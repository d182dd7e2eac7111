"""Public pages and account pages. Thin: parse, call one service, render."""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import Context, loader
from django.views.decorators.http import require_http_methods

from .addresses import client_address
from .forms import LoginForm, SignUpForm
from .login import login_address_paused, login_failed_from
from .retention import SIX_YEARS

security_log = logging.getLogger("minimentors.security")


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "minimentors/home.html")


def safety(request: HttpRequest) -> HttpResponse:
    return render(request, "minimentors/safety.html", {"retention_years": SIX_YEARS})


def rules(request: HttpRequest) -> HttpResponse:
    return render(request, "minimentors/rules.html")


def hours(request: HttpRequest) -> HttpResponse:
    """The hours banner alone, for pages that update it when the hours change."""
    response = render(request, "minimentors/hours_status.html")
    response["Cache-Control"] = "no-store"
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


class MemberLoginView(LoginView):
    """Logging in. Besides django-axes' count per name and address, wrong passwords from one
    address for any names are counted: past ``LOGIN_ADDRESS_FAILURE_LIMIT`` the address waits
    (so one place cannot try one guess on every name)."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if login_address_paused(request):
            return render(request, "registration/address_paused.html", status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        if form.data.get("username") and form.data.get("password"):
            login_failed_from(self.request)
        return super().form_invalid(form)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("chat:lobby")
    form = SignUpForm(request.POST or None, address=client_address(request))
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("chat:lobby")
    status = 429 if form.paused else 200
    return render(request, "registration/signup.html", {"form": form}, status=status)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Who tried what, never what they sent (no text, passwords or session ids).
    security_log.warning(
        "Refused (403): member %s, %s %s",
        getattr(request.user, "pk", None), request.method, request.path,
    )  # fmt: skip
    return render(request, "403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


# Errors of a service the site needs (Redis, the database) while it restarts: the page is
# drawn without them (no menu, no session), and says to try again in a minute.
SERVICE_TROUBLE: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
try:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    SERVICE_TROUBLE += (RedisConnectionError, RedisTimeoutError)
except ImportError:  # pragma: no cover (redis is a dependency)
    pass


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler (DEBUG off): a kind page that needs nothing that may be down.
    A service that is restarting gets 503 and "try again in a minute"."""
    error = sys.exc_info()[1]
    if isinstance(error, SERVICE_TROUBLE):
        security_log.error("A service is not answering (%s): %s %s",
                           type(error).__name__, request.method, request.path)  # fmt: skip
        title, words, status = (
            "We're having a little trouble",
            "Part of MiniMentors is restarting. Please try again in a minute. Nothing you "
            "wrote before this was lost.",
            503,
        )
    else:
        title, words, status = (
            "Something went wrong",
            "Sorry, something went wrong on our side. We have been told about it. Please try "
            "again.",
            500,
        )
    html = loader.get_template("trouble.html").template.render(
        Context({"title": title, "words": words})
    )
    return HttpResponse(html, status=status)
