"""Logging in: how django-axes names the account a login tries.

Usernames match whatever their case ("Amy" and "amy" are one member, see ``MemberManager``),
so the lockout must count them as one name too, or each spelling would get its own tries.
Wrong tries are also counted per address (``minimentors.addresses``), for any names.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from . import throttle
from .addresses import client_address

ADDRESS_SCOPE = "login-address"


def normalise_username(username: object) -> str:
    """The one spelling of a typed name: no spaces around it, lower case (``casefold``)."""
    return str(username or "").strip().casefold()


def axes_username(request: HttpRequest | None, credentials: dict | None) -> str:
    """``AXES_USERNAME_CALLABLE``: the normalised name from the credentials, else the form."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials and credentials.get(field) is not None:
        return normalise_username(credentials.get(field))
    data = getattr(request, "POST", None) or {}
    return normalise_username(data.get(field))


def login_address_paused(request: HttpRequest) -> bool:
    """Whether the request's address made ``LOGIN_ADDRESS_FAILURE_LIMIT`` wrong tries (any
    names) in this window."""
    tries = throttle.count(
        ADDRESS_SCOPE, client_address(request), window=settings.LOGIN_ADDRESS_WINDOW_SECONDS
    )
    return tries >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def login_failed_from(request: HttpRequest) -> None:
    """Count one wrong try from the request's address."""
    throttle.hit(
        ADDRESS_SCOPE, client_address(request), window=settings.LOGIN_ADDRESS_WINDOW_SECONDS
    )
