"""The Celery app. Tasks only call services; the beat schedule lives here, in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minimentors.settings")

app = Celery("minimentors")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Imported after the app reads its settings: the every-minute jobs follow BEAT_TICK_SECONDS.
from django.conf import settings  # noqa: E402

app.conf.beat_schedule = {
    "purge-expired-records-daily": {
        "task": "minimentors.tasks.purge_expired",
        "schedule": crontab(hour=3, minute=15),
    },
    "expire-bubble-requests": {
        "task": "chat.expire_bubble_requests",
        "schedule": settings.BEAT_TICK_SECONDS,
    },
    "open-weekly-chats": {
        "task": "counselling.tasks.checkins_open_due",
        "schedule": settings.BEAT_TICK_SECONDS,
    },
    "mark-missed-weekly-chats": {
        "task": "counselling.tasks.checkins_mark_missed",
        "schedule": 5 * settings.BEAT_TICK_SECONDS,
    },
    "reraise-unacknowledged-alerts": {
        "task": "moderation.tasks.alerts_reraise",
        "schedule": settings.BEAT_TICK_SECONDS,
    },
}
