"""Roles: Django groups with permissions, and one server-side helper per role.

Every view, consumer, selector and admin hook asks these helpers; nothing else reads group
names. Children and mentors are members; counsellors, moderators and the Safeguarding Team are
staff. A staff role may be combined with another staff role; members are never staff.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse


class Role(models.TextChoices):
    CHILD = "child", "Child"
    MENTOR = "mentor", "MiniMentor"
    COUNSELLOR = "counsellor", "Counsellor"
    MODERATOR = "moderator", "Moderator"
    SAFEGUARDING = "safeguarding", "Safeguarding Team"


MEMBER_ROLES: frozenset[str] = frozenset({Role.CHILD, Role.MENTOR})
STAFF_ROLES: frozenset[str] = frozenset({Role.COUNSELLOR, Role.MODERATOR, Role.SAFEGUARDING})
# Staff roles that work in Django admin (watched words, cases).
ADMIN_ROLES: frozenset[str] = frozenset({Role.MODERATOR, Role.SAFEGUARDING})

# Model permissions each group holds ("app_label.codename"); permissions of apps that are not
# installed yet are skipped and granted when their migrations run.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.CHILD: (),
    Role.MENTOR: (),
    Role.COUNSELLOR: (),
    Role.MODERATOR: (
        "moderation.view_watchedword",
        "moderation.add_watchedword",
        "moderation.change_watchedword",
        "moderation.delete_watchedword",
    ),
    Role.SAFEGUARDING: ("minimentors.view_school", "minimentors.view_auditentry"),
}


@dataclass(frozen=True)
class Member:
    """Who is at the other end of a websocket: found once, at the handshake, with their roles
    (``minimentors.ws_auth``), and passed to every access check the socket makes, so that no
    check needs the database on the event loop. ``member_changed`` events rebuild it."""

    pk: int
    username: str
    roles: frozenset[str]
    is_active: bool = True
    is_authenticated: bool = True

    @property
    def id(self) -> int:
        return self.pk

    @classmethod
    def of(cls, user: Any) -> Member:
        """The member value of a logged-in user (one query for the roles)."""
        roles = frozenset(user.groups.values_list("name", flat=True))
        return cls(pk=user.pk, username=user.username, roles=roles, is_active=user.is_active)

    def __str__(self) -> str:
        return self.username


class RoleConflict(ValueError):
    """A member (child or mentor) cannot also hold a staff role, nor child and mentor both."""


def role_names(user: Any) -> frozenset[str]:
    """The roles of a ``Member`` (a socket's, found at the handshake), or of a request's user
    (read once per user object: a request's user lives for one request)."""
    if isinstance(user, Member):
        return user.roles
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_minimentors_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._minimentors_roles = cached
    return cached


def is_child(user: Any) -> bool:
    return Role.CHILD in role_names(user)


def is_mentor(user: Any) -> bool:
    return Role.MENTOR in role_names(user)


def is_counsellor(user: Any) -> bool:
    return Role.COUNSELLOR in role_names(user)


def is_moderator(user: Any) -> bool:
    return Role.MODERATOR in role_names(user)


def is_safeguarding(user: Any) -> bool:
    return Role.SAFEGUARDING in role_names(user)


def is_member(user: Any) -> bool:
    """A child or a mentor."""
    return bool(MEMBER_ROLES & role_names(user))


def is_staff_member(user: Any) -> bool:
    """A counsellor, moderator or member of the Safeguarding Team."""
    return bool(STAFF_ROLES & role_names(user))


def primary_role(user: Any) -> str:
    """The role shown beside a name in chat."""
    names = role_names(user)
    for role in (Role.MENTOR, Role.CHILD, Role.COUNSELLOR, Role.MODERATOR, Role.SAFEGUARDING):
        if role in names:
            return str(role)
    return ""


def check_role_combination(roles: set[str]) -> None:
    unknown = roles - set(Role.values)
    if unknown:
        raise RoleConflict(f"Unknown role: {', '.join(sorted(unknown))}.")
    members = roles & MEMBER_ROLES
    if len(members) > 1 or (members and roles & STAFF_ROLES):
        raise RoleConflict("Children and mentors cannot hold another role.")


@transaction.atomic
def role_grant(*, user: Any, role: str) -> None:
    """Give ``user`` a role, keeping the member/staff invariant and ``is_staff`` in step."""
    roles = set(role_names(user)) | {role}
    check_role_combination(roles)
    group = ensure_role_groups()[role]
    user.groups.add(group)
    user.is_staff = bool(roles & ADMIN_ROLES)
    user.save(update_fields=["is_staff"])
    user._minimentors_roles = frozenset(roles)


def ensure_role_groups() -> dict[str, Group]:
    """Create the role groups and grant the permissions whose models exist (idempotent)."""
    from django.contrib.auth.models import Permission

    groups: dict[str, Group] = {}
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        groups[role.value] = group
        for dotted in ROLE_PERMISSIONS[role]:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)
    return groups


def role_required(*roles: str) -> Callable:
    """View decorator: anonymous visitors go to the login page; members without any of
    ``roles`` get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not set(roles) & role_names(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def member_required(view: Callable) -> Callable:
    """Any logged-in member or staff member may see the page."""
    return role_required(*Role.values)(view)
