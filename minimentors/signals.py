"""Receivers of the bottom layer: role groups after migrate, and what open sockets must hear
about a member (their roles changed; they logged out)."""

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import m2m_changed, post_migrate
from django.dispatch import receiver

from .models import User
from .sockets import login_sockets_close, member_changed_send


@receiver(post_migrate)
def create_role_groups(sender, **kwargs) -> None:
    # Run once, after the last app's permissions exist.
    if sender.name != "safeguarding" or not global_apps.ready:
        return
    from .roles import ensure_role_groups

    ensure_role_groups()


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="minimentors.roles_changed")
def roles_changed(sender: Any, instance: Any, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """Roles are groups: whoever changes them (``role_grant``, admin, a command), the member's
    open sockets authorise again, on every process."""
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    user_ids = pk_set or () if reverse else [instance.pk]
    for user_id in user_ids:
        member_changed_send(user_id=user_id)


@receiver(user_logged_out, dispatch_uid="minimentors.logged_out")
def logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A logout closes the sockets opened with that login (4403), on every process."""
    session = getattr(request, "session", None)
    login_sockets_close(session_key=getattr(session, "session_key", None))
