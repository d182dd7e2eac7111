"""Username rules that hold before any moderation: a strict shape, no contact details."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

USERNAME_SHAPE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{2,23}$")
# A long run of digits in a name is most often a phone number or a birth year.
TOO_MANY_DIGITS = re.compile(r"\d{4,}")


def validate_username_shape(value: str) -> None:
    if not USERNAME_SHAPE.match(value or ""):
        raise ValidationError(
            "Use 3 to 24 letters, numbers, - or _, starting with a letter.", code="shape"
        )
    if TOO_MANY_DIGITS.search(value):
        raise ValidationError(
            "Please don't put long numbers in your name: they can give away who you are.",
            code="digits",
        )
