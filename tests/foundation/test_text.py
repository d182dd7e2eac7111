"""clean_member_text: what every member's text loses where it arrives, and what it keeps."""

import pytest

from minimentors.text import clean_member_text


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("hello", "hello"),
        ("I want to kill myself \ud83d", "I want to kill myself "),  # half an emoji
        ("\ud83d\ude00 hi", "\U0001f600 hi"),  # a pair sent as halves is one emoji
        ("nul\x00here", "nulhere"),
        ("hi \u202eevil\u202c there", "hi evil there"),  # right-to-left override
        ("a\u2066b\u2067c\u2068d\u2069e\u202ax\u202by\u202dz", "abcdexyz"),  # isolates, embeds
        ("bell\x07 esc\x1b[31m del\x7f c1\x9b", "bell esc[31m del c1"),  # control characters
        ("line one\r\nline two\rthree\tfour", "line one\nline two\nthree\tfour"),
        ("\U0001f468\u200d\U0001f469\u200d\U0001f467 family", None),  # emoji joiners stay
        ("\u0645\u0631\u062d\u0628\u0627 \u200fhi", None),  # Arabic and its mark stay
        ("\u200b\u200c\u200d\u2060\ufeff", ""),  # only zero-width characters: nothing
        (" \u200b \u3164 \u2800 \ufe0f\u00ad ", ""),  # blank fillers and spaces: nothing
    ],
)
def test_member_text_keeps_what_was_meant_and_drops_the_rest(typed, kept):
    assert clean_member_text(typed) == (typed if kept is None else kept)
    assert clean_member_text(clean_member_text(typed)) == clean_member_text(typed)
