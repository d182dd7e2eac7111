"""When MiniMentors are on, in UK time, and where to get help when they are not.

``OPENING_HOURS`` is "HH:MM-HH:MM" in Europe/London local time (so the clock changes are
followed automatically); "00:00-24:00" means always open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

UK = ZoneInfo("Europe/London")
_HOURS = re.compile(r"^\s*(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})\s*$")


@dataclass(frozen=True)
class OpeningHours:
    opens: time
    closes: time | None  # None means midnight at the end of the day ("24:00")

    @property
    def always_open(self) -> bool:
        return self.opens == time(0, 0) and self.closes is None


@dataclass(frozen=True)
class HoursStatus:
    is_open: bool
    opens_at: datetime | None  # next opening (UK time) when closed
    closes_at: datetime | None  # today's closing (UK time) when open

    @property
    def changes_at(self) -> datetime | None:
        """When MiniMentors next arrive or go home (None: always open)."""
        return self.closes_at or self.opens_at

    @property
    def closes_at_text(self) -> str:
        """When mentors go home, in plain words: "8pm"."""
        return _clock(self.closes_at.time()) if self.closes_at else ""

    @property
    def back_at_text(self) -> str:
        """When someone is back, in plain words: "8am tomorrow", "8am today"."""
        if self.opens_at is None:
            return ""
        now = timezone.localtime(timezone.now(), UK)
        day = "today" if self.opens_at.date() == now.date() else "tomorrow"
        if (self.opens_at.date() - now.date()).days > 1:
            day = self.opens_at.strftime("on %A")
        return f"{_clock(self.opens_at.time())} {day}"


def _clock(moment: time) -> str:
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def parse_opening_hours(value: str) -> OpeningHours:
    match = _HOURS.match(value or "")
    if not match:
        raise ImproperlyConfigured(f'OPENING_HOURS must look like "08:00-20:00", not {value!r}.')
    oh, om, ch, cm = (int(g) for g in match.groups())
    if not (0 <= oh < 24 and 0 <= om < 60 and 0 <= cm < 60 and (ch < 24 or (ch, cm) == (24, 0))):
        raise ImproperlyConfigured(f"OPENING_HOURS has a time that does not exist: {value!r}.")
    opens = time(oh, om)
    closes = None if ch == 24 else time(ch, cm)
    if closes is not None and closes <= opens:
        raise ImproperlyConfigured("OPENING_HOURS must close after it opens on the same day.")
    return OpeningHours(opens=opens, closes=closes)


def _at(day, moment: time) -> datetime:
    # fold=0 and ZoneInfo resolve times inside a clock change the way a wall clock reads.
    return datetime.combine(day, moment, tzinfo=UK)


def hours_status(now: datetime | None = None) -> HoursStatus:
    """Whether MiniMentors are on at ``now`` (default: the current time)."""
    hours = parse_opening_hours(settings.OPENING_HOURS)
    local = timezone.localtime(now or timezone.now(), UK)
    if hours.always_open:
        return HoursStatus(is_open=True, opens_at=None, closes_at=None)
    opens_today = _at(local.date(), hours.opens)
    closes_today = (
        _at(local.date() + timedelta(days=1), time(0, 0))
        if hours.closes is None
        else _at(local.date(), hours.closes)
    )
    if opens_today <= local < closes_today:
        return HoursStatus(is_open=True, opens_at=None, closes_at=closes_today)
    next_open = (
        opens_today if local < opens_today else _at(local.date() + timedelta(1), hours.opens)
    )
    return HoursStatus(is_open=False, opens_at=next_open, closes_at=None)


def helplines_for(age_group: str | None) -> list[dict[str, str]]:
    """The helplines shown to a member of ``age_group`` (ChildLine unless configured)."""
    table = settings.HELPLINES
    return list(table.get(age_group or "", table["default"]))
