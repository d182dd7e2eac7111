"""Counselling's Celery tasks. Tasks only call services."""

from celery import shared_task

from . import checkins


@shared_task(name="counselling.tasks.checkins_open_due")
def checkins_open_due() -> list[int]:
    """Every tick: open the weekly chats whose time has come."""
    return checkins.checkins_open_due()


@shared_task(name="counselling.tasks.checkins_mark_missed")
def checkins_mark_missed() -> int:
    """Every few ticks: weekly chats the child never wrote in are missed."""
    return checkins.checkins_mark_missed()
