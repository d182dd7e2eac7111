"""Moderation's Celery tasks. Tasks only call services."""

from celery import shared_task

from .services import alerts_reraise_due


@shared_task(name="moderation.tasks.alerts_reraise")
def alerts_reraise() -> list[int]:
    """Every minute: raise again each high-severity alert nobody acknowledged in time."""
    return alerts_reraise_due()
