"""The moderation queue never hides a newer serious alert behind older minor ones: risk alerts
(self-harm, abuse, grooming, a mentor's concern, a hand-over) come first whatever their age,
the queue is paged, and the page says how many are waiting."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from moderation.models import Alert
from moderation.selectors import alert_queue
from moderation.services import raise_alert, report_submit

pytestmark = pytest.mark.django_db


def flood_of_reports(reporter, count):
    start = timezone.now() - timedelta(hours=1)
    for number in range(count):
        with time_machine.travel(start + timedelta(seconds=number), tick=False):
            report_submit(reporter=reporter, words=f"report {number}")


def test_a_mentors_concern_shows_first_after_a_flood_of_older_reports(
    client, child, mentor, moderator
):
    flood_of_reports(child, 60)
    concern = raise_alert(categories=(), severity=2, member=child, kind=Alert.Kind.CONCERN,
                          summary="mia-mentor raised a concern")  # fmt: skip
    client.force_login(moderator)
    page = client.get("/moderation/").content.decode()
    assert page.index(f"Alert {concern.pk} ") < page.index("report 0")
    assert "61 open alerts" in page and "1 about a child at risk" in page
    assert "Page 1 of 2" in page and "report 59" not in page
    second = client.get("/moderation/?page=2").content.decode()
    assert "report 59" in second and "Page 2 of 2" in second


def test_risk_alerts_come_first_regardless_of_age_or_severity(child, other_child):
    old_hate = raise_alert(categories=["hate"], severity=3, member=other_child, summary="hate")
    old_minor = raise_alert(categories=["spam"], severity=1, member=other_child, summary="spam")
    later = timezone.now() + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        cry = raise_alert(categories=["self_harm"], severity=2, member=child, summary="cry")
        grooming = raise_alert(categories=["grooming"], severity=3, member=child, summary="g")
        handover = raise_alert(categories=[], severity=1, member=child, summary="h",
                               kind=Alert.Kind.HANDOVER)  # fmt: skip
    order = list(alert_queue().values_list("pk", flat=True))
    assert order[:3] == [grooming.pk, cry.pk, handover.pk]
    assert order[3:] == [old_hate.pk, old_minor.pk]
