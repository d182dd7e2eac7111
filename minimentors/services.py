"""Account writes: sign-up, adding members and staff. Keyword-only, each in one transaction."""

from __future__ import annotations

import hmac
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from .audit import audit_record
from .hooks import alert_member_text, review_member_text
from .models import AgeGroup, School, User
from .roles import MEMBER_ROLES, Role, check_role_combination, role_grant
from .validators import validate_username_shape


def join_code_matches(*, school: School, code: str) -> bool:
    """Compare in constant time, forgiving case and spaces a child might type."""
    typed = "".join((code or "").split()).upper()
    return hmac.compare_digest(typed.encode(), school.join_code.upper().encode())


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


def username_check(username: str) -> None:
    """Raise ``ValidationError`` with kind words if ``username`` cannot be used. A cry for help
    typed as a name is answered with help (``CryForHelpName``), never as a rude word."""
    validate_username_shape(username)
    verdict = review_member_text(username, context="username")
    if verdict is not None and verdict.is_cry_for_help:
        raise CryForHelpName(verdict)
    if verdict is not None and verdict.action != "allow":
        raise ValidationError(
            "Please pick a different name. Names can't have rude words or contact details.",
            code="moderation",
        )
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
