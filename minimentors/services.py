"""Account writes: sign-up, adding members and staff. Keyword-only, each in one transaction."""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from . import throttle
from .audit import audit_record
from .hooks import alert_member_text, review_member_text
from .models import AgeGroup, School, User
from .roles import MEMBER_ROLES, Role, check_role_combination, role_grant
from .validators import validate_username_shape


def join_code_matches(*, school: School, code: str) -> bool:
    """Compare in constant time, forgiving case and spaces a child might type."""
    typed = "".join((code or "").split()).upper()
    return hmac.compare_digest(typed.encode(), school.join_code.upper().encode())


JOIN_CODES_PAUSED = (
    "Lots of wrong join codes have been tried, so joining is paused for a little while. "
    "Please wait 15 minutes and try again. The teacher who runs MiniMentors can check the code "
    "with you."
)


class JoinCodesPaused(ValidationError):
    """Too many wrong join codes from this address, or for this school, in this window."""

    def __init__(self) -> None:
        super().__init__(JOIN_CODES_PAUSED, code="paused")


def school_named(name: str) -> School | None:
    """The school a child typed, forgiving case and extra spaces (None if there is none)."""
    typed = " ".join(name.split())
    return School.objects.filter(name__iexact=typed).first() if typed else None


def join_code_try(*, school: School | None, code: str, address: str) -> bool:
    """Whether ``code`` is ``school``'s join code, counting a wrong one against the address and
    the school. Raises ``JoinCodesPaused`` (before comparing anything) once either made
    ``SIGNUP_CODE_FAILURES_PER_ADDRESS`` / ``_PER_SCHOOL`` wrong tries in the window, so
    codes cannot be guessed from one place, nor from many places for one school.

    ``school`` is None when the name typed is no school's: a wrong try like any other (counted
    against the address), so that names cannot be tried freely to learn which schools take
    part."""
    window = settings.SIGNUP_CODE_WINDOW_SECONDS
    counted = [("signup-address", address, settings.SIGNUP_CODE_FAILURES_PER_ADDRESS)]
    if school is not None:
        counted.append(("signup-school", str(school.pk), settings.SIGNUP_CODE_FAILURES_PER_SCHOOL))
    if any(throttle.count(scope, key, window=window) >= limit for scope, key, limit in counted):
        raise JoinCodesPaused()
    if school is not None and join_code_matches(school=school, code=code):
        return True
    for scope, key, _limit in counted:
        throttle.hit(scope, key, window=window)
    return False


CRY_FOR_HELP_NAME = (
    "That name sounds like you might be having a really hard time. Thank you for telling us. "
    "Please pick a different name for your account, and when you have joined, you can talk to "
    "a MiniMentor. If you need to talk to someone now, call ChildLine free on 0800 1111, day "
    "or night."
)


class CryForHelpName(ValidationError):
    """``username_check``'s answer to a name that is a cry for help. It carries the verdict, so
    the alert that follows needs no second review."""

    def __init__(self, verdict: Any) -> None:
        super().__init__(CRY_FOR_HELP_NAME, code="cry_for_help")
        self.verdict = verdict


def username_check(username: str, *, check_taken: bool = True) -> None:
    """Raise ``ValidationError`` with kind words if ``username`` cannot be used. A cry for help
    typed as a name is answered with help (``CryForHelpName``), never as a rude word. With
    ``check_taken=False`` it does not say whether someone already has the name (the sign-up
    page asks ``username_taken`` only once the join code matched)."""
    validate_username_shape(username)
    verdict = review_member_text(username, context="username")
    if verdict is not None and verdict.is_cry_for_help:
        raise CryForHelpName(verdict)
    if verdict is not None and verdict.action != "allow":
        raise ValidationError(
            "Please pick a different name. Names can't have rude words or contact details.",
            code="moderation",
        )
    if check_taken:
        username_taken(username)


def username_taken(username: str) -> None:
    """Raise ``ValidationError`` (code ``taken``) if someone has ``username`` in any case."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            "Someone already has that name. Please pick another one.", code="taken"
        )


@transaction.atomic
def member_add(
    *,
    username: str,
    password: str,
    role: str,
    school: School | None = None,
    age_group: str = "",
    added_by: User | None = None,
) -> User:
    """Create an account with one role. Members (children, mentors) need a school and an age
    group; staff have neither. Raises ``ValidationError`` (kind words) on bad input."""
    check_role_combination({role})
    username_check(username)
    if role in MEMBER_ROLES:
        if school is None or age_group not in AgeGroup.values:
            raise ValidationError("Children and mentors need a school and an age group.")
    elif school is not None or age_group:
        raise ValidationError("Staff accounts have no school or age group.")
    user = User(username=username, school=school, age_group=age_group)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    role_grant(user=user, role=role)
    audit_record(actor=added_by, action="account.created", target=user, role=role)
    return user


def sign_up_cry_for_help(*, refused: CryForHelpName, username: str, school: School) -> None:
    """A child trying to join typed a cry for help as their name: alert the counsellors, with
    the school, since there is no account yet. Only called once the school's join code
    matched, so nobody can flood the counsellors from the open sign-up page."""
    alert_member_text(
        username, verdict=refused.verdict, where=f"the sign-up page, as a new name ({school.name})"
    )


def child_sign_up(
    *, username: str, password: str, age_group: str, school: School, join_code: str
) -> User:
    """A child joins with only a username, a password, an age group, a school and that school's
    join code: no real name, no email."""
    if not join_code_matches(school=school, code=join_code):
        raise ValidationError(
            "That join code doesn't match your school. Ask the teacher who runs MiniMentors.",
            code="join_code",
        )
    return member_add(
        username=username, password=password, role=Role.CHILD, school=school, age_group=age_group
    )
