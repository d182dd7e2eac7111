"""Celery tasks of the bottom layer. Tasks only call services."""

import logging

from celery import shared_task

from . import retention

logger = logging.getLogger(__name__)


@shared_task(name="minimentors.tasks.purge_expired")
def purge_expired() -> dict[str, int]:
    counts = retention.purge_expired()
    logger.info("purge_expired deleted %s", counts)
    return counts
