"""Keeps the role groups and their permissions in step after every migrate."""

from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def create_role_groups(sender, **kwargs) -> None:
    # Run once, after the last app's permissions exist.
    if sender.name != "safeguarding" or not global_apps.ready:
        return
    from .roles import ensure_role_groups

    ensure_role_groups()
