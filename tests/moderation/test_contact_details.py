"""Contact details and rule-breaking the engine must catch, and names it must let through
(engine level, table-driven, no database)."""

from __future__ import annotations

import pytest

from moderation.engine import review
from moderation.engine.verdict import BLOCKED, INAPPROPRIATE

CONTACT_DETAILS = [
    # a school's name with a meeting place
    "i go to st marys primary, meet me at the gates after school",
    "meet me outside oakfield academy at 4",
    "come to the bus stop by hillside high tomorrow, i'll wait for you there",
    # a house number and a street
    "my house is number 7 on church street",
    "we live at no 12 in elm grove",
    "i live at 42 elm road",
    # a phone number in pieces inside one message
    "ring me 07700 ... 900 ... 123",
    "077 00 then 900 then 123",
    "my digits r 07700, 900, 123",
    # bare handles
    "sc: jess_2012",
    "snap: bigkev09",
    "insta=amy.draws",
    # handles spelled letter by letter
    "add me its j e s s 2 0 1 2 on snap",
    "add me on snap its b i g k e v",
    # game names for friend requests
    "my fortnite name is xXsniperXx add me",
    "add me on fortnite",
    "send me a friend request on minecraft",
    "r u on discord? add me bluefox#2211",
    "my battle tag is Shadow_Cat#40917",
]


@pytest.mark.parametrize("text", CONTACT_DETAILS)
def test_contact_details_are_hidden_as_inappropriate(text: str) -> None:
    verdict = review(text)
    assert "personal_info" in verdict.categories, verdict.reason
    assert verdict.action in ("block", "flag")
    assert verdict.shown == INAPPROPRIATE


PHONETIC_SWEARING = ["sheeit", "shiet man", "phuk off", "fcuk this", "wanka", "ur an azzhole"]


@pytest.mark.parametrize("text", PHONETIC_SWEARING)
def test_swearing_spelled_by_its_sound_is_hidden(text: str) -> None:
    verdict = review(text)
    assert "profanity" in verdict.categories and verdict.shown == BLOCKED, verdict.reason


NAMES_AND_DISHES = [
    "we went to see dick whittington at the pantomime",
    "spotted dick and custard for pudding",
    "we're reading moby dick in english",
    "dick turpin was a highwayman",
    "i saw a great tit on the bird feeder",
    "puss in boots was the best panto",
    "I'm from Scunthorpe",
    "who wants to play minecraft later",
    "see you at school tomorrow",
    "meet me at the park with our mums",
    "we won 3-1 and 2-0 and 4-4, then 10-2 on 12/05/2024",
    "i got 9 out of 10 and 8 out of 10 in 2024",
    "we're #1 in the league and year7#1 won the quiz #2024",
]


@pytest.mark.parametrize("text", NAMES_AND_DISHES)
def test_names_dishes_and_ordinary_chat_stay_allowed(text: str) -> None:
    verdict = review(text)
    assert verdict.action == "allow", verdict.reason
    assert verdict.shown == text


def test_a_harmless_name_does_not_excuse_swearing_beside_it() -> None:
    verdict = review("dick whittington is a dick")
    assert "profanity" in verdict.categories and verdict.shown == BLOCKED
