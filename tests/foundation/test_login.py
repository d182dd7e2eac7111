"""Logging in: a kind error for a wrong password, throttling after repeated failures."""

import re

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_member_logs_in_with_the_contract_field_names(client, child):
    html = client.get("/accounts/login/").content.decode()
    assert re.search(r'<label\s+for="id_username"[^>]*>\s*Username', html)
    assert "Password" in html and ">Log in</button>" in html
    response = client.post("/accounts/login/", {"username": "amy", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/chat/"


def test_usernames_log_in_whatever_their_case(client, child):
    response = client.post("/accounts/login/", {"username": "AMY", "password": PASSWORD})
    assert response.status_code == 302


def test_a_wrong_password_gets_a_kind_error(client, child):
    response = client.post("/accounts/login/", {"username": "amy", "password": "nope-nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "That username and password don" in html and "ask the teacher" in html


def test_repeated_failures_are_throttled_with_a_kind_message_even_with_the_right_password(
    client, child, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "amy", "password": "wrong-pass"})
    response = client.post("/accounts/login/", {"username": "amy", "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "paused logging in to keep your" in html and "wait 15 minutes" in html
    assert "_auth_user_id" not in client.session


def test_throttling_one_name_does_not_lock_out_another_child(client, child, other_child, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post("/accounts/login/", {"username": "amy", "password": "wrong-pass"})
    response = client.post("/accounts/login/", {"username": "ben", "password": PASSWORD})
    assert response.status_code == 302


def test_the_lockout_counts_a_name_whatever_its_case(client, child, settings):
    # Wrong tries under other spellings of the same name add up, and the right password under
    # yet another spelling is still refused.
    spellings = ["amy", "AMY", "Amy", "aMy", "amY", "AmY"]
    for spelling in spellings[: settings.AXES_FAILURE_LIMIT]:
        client.post("/accounts/login/", {"username": spelling, "password": "wrong-pass"})
    response = client.post("/accounts/login/", {"username": " aMY ", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
