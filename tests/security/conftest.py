"""MiniMentors are on during these tests (they open bubbles), whatever the time of day."""

import pytest


@pytest.fixture(autouse=True)
def _open(settings):
    settings.OPENING_HOURS = "00:00-24:00"
