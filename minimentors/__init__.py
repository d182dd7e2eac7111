"""MiniMentors project package: settings, URLs, ASGI, Celery, accounts, audit log, retention."""

from .celery import app as celery_app

__all__ = ["celery_app"]
