"""Celery tasks of the chat: they only call services."""

from celery import shared_task

from . import bubbles


@shared_task(name="chat.expire_bubble_requests")
def expire_bubble_requests() -> int:
    """Expire requests nobody took in time, and every waiting request once MiniMentors are
    away (beat runs it every minute)."""
    return bubbles.bubble_requests_expire()
