"""A NUL byte or half an emoji in a cry for help, on PostgreSQL (which refuses NUL bytes): the
message is still stored, staff alerted, and the child given the helpline."""

import pytest

from tests.chat.test_unstorable_text import (  # noqa: F401 (collected here too)
    test_a_cry_for_help_with_unstorable_characters_still_reaches_a_grown_up,
    test_a_form_with_a_nul_byte_still_reaches_a_moderator,
)

pytestmark = [pytest.mark.scale, pytest.mark.django_db(transaction=True)]
