"""Logging in: how django-axes names the account a login tries.

Usernames match whatever their case ("Amy" and "amy" are one member, see ``MemberManager``),
so the lockout must count them as one name too, or each spelling would get its own tries.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


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
