"""MiniMentors are on from 08:00 to 20:00 UK time; outside those hours every member page shows
ChildLine and 0800 1111. The switch follows the UK clock changes."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from minimentors.hours import hours_status, parse_opening_hours

pytestmark = pytest.mark.django_db
UK = ZoneInfo("Europe/London")

# The Saturdays and Sundays either side of the 2026 clock changes (29 March, 25 October),
# plus an ordinary winter and summer day.
DAYS = [(2026, 1, 14), (2026, 3, 28), (2026, 3, 29), (2026, 7, 1), (2026, 10, 24), (2026, 10, 25)]
AWAY = [(20, 1), (7, 59), (23, 30), (0, 0)]
HERE = [(8, 0), (19, 59), (12, 0)]


def status_region(html: str) -> str:
    """The hours status block every page carries (role="status")."""
    start = html.index('<div class="hours-status')
    return html[start : html.index("</div>", start)]


def uk_time(day, hour, minute) -> datetime:
    return datetime(*day, hour, minute, tzinfo=UK)


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize(("hour", "minute"), AWAY)
def test_out_of_hours_member_pages_show_childline(client, child, day, hour, minute):
    client.force_login(child)
    with time_machine.travel(uk_time(day, hour, minute), tick=False):
        for path in ("/chat/", "/", "/safety/"):
            status = status_region(client.get(path).content.decode())
            assert 'role="status"' in status
            assert "MiniMentors are away" in status, path
            assert "ChildLine" in status and "0800 1111" in status
            assert "We are back at 8am" in status
            assert "MiniMentors are here" not in status


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize(("hour", "minute"), HERE)
def test_in_hours_member_pages_show_that_mentors_are_on(client, child, day, hour, minute):
    client.force_login(child)
    with time_machine.travel(uk_time(day, hour, minute), tick=False):
        status = status_region(client.get("/chat/").content.decode())
    assert "<strong>MiniMentors are here</strong> until 8pm. You can" in status
    assert 'role="status"' in status
    assert "MiniMentors are away" not in status and "0800 1111" not in status


def test_the_switch_uses_uk_time_not_utc_in_summer():
    # 07:30 UTC on 1 July is 08:30 in London (BST): open. 19:30 UTC is 20:30 BST: closed.
    assert hours_status(datetime(2026, 7, 1, 7, 30, tzinfo=ZoneInfo("UTC"))).is_open
    assert not hours_status(datetime(2026, 7, 1, 19, 30, tzinfo=ZoneInfo("UTC"))).is_open


def test_when_closed_the_status_says_when_mentors_are_back():
    late = hours_status(uk_time((2026, 3, 28), 21, 0))
    assert late.opens_at == uk_time((2026, 3, 29), 8, 0)
    assert late.opens_at.utcoffset().total_seconds() == 3600  # the next morning is in BST
    early = hours_status(uk_time((2026, 3, 28), 6, 0))
    assert early.opens_at == uk_time((2026, 3, 28), 8, 0)


def test_always_open_hours(client, child, settings):
    settings.OPENING_HOURS = "00:00-24:00"
    assert hours_status(uk_time((2026, 1, 1), 3, 0)).is_open
    client.force_login(child)
    status = status_region(client.get("/chat/").content.decode())
    assert "<strong>MiniMentors are here</strong>. You can talk" in status


@pytest.mark.parametrize("value", ["8-20", "20:00-08:00", "25:00-26:00", "", "08:00-24:30"])
def test_bad_opening_hours_are_refused_with_a_clear_message(value):
    with pytest.raises(ImproperlyConfigured, match="OPENING_HOURS"):
        parse_opening_hours(value)


def test_helplines_are_configurable_per_age_group(client, child, settings):
    settings.HELPLINES = {
        **settings.HELPLINES,
        "11-13": [
            {"name": "Teen Helpline", "phone": "0800 000 0000", "url": "https://example.org"}
        ],
    }
    client.force_login(child)  # amy is 11-13
    with time_machine.travel(uk_time((2026, 1, 14), 22, 0), tick=False):
        status = status_region(client.get("/chat/").content.decode())
    assert "Teen Helpline" in status and "0800 000 0000" in status
