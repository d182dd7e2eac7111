"""Where a login comes from: X-Forwarded-For only from a trusted proxy, and a limit per
address for wrong passwords whatever the names."""

import pytest
from django.test import RequestFactory

from minimentors.addresses import client_address
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_a_forwarded_address_is_believed_only_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(request_from(PROXY, "203.0.113.9")) == "203.0.113.9"
    # A visitor's own header is ignored; so is a forged first hop before the real one.
    assert client_address(request_from("198.51.100.7", "203.0.113.9")) == "198.51.100.7"
    assert client_address(request_from(PROXY, "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    # Proxies in a chain are skipped; rubbish stops at the last address we trust.
    assert client_address(request_from(PROXY, "203.0.113.9, 10.0.0.7")) == "203.0.113.9"
    assert client_address(request_from(PROXY, "not-an-address")) == PROXY
    assert client_address(request_from(PROXY)) == PROXY


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(request_from("127.0.0.1", "203.0.113.9")) == "127.0.0.1"


def login(client, username, password, remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def test_behind_the_proxy_one_visitor_cannot_lock_a_child_out_for_everyone(client, child, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "amy", "wrong-pass", PROXY, "203.0.113.66")
    assert login(client, "amy", PASSWORD, PROXY, "203.0.113.66").status_code == 429
    # Amy herself, from her own address through the same proxy, still logs in.
    assert login(client, "amy", PASSWORD, PROXY, "198.51.100.20").status_code == 302


def test_a_forged_forwarded_header_does_not_give_fresh_tries(client, child, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for number in range(settings.AXES_FAILURE_LIMIT):
        login(client, "amy", "wrong-pass", "198.51.100.7", f"203.0.113.{number}")
    assert login(client, "amy", PASSWORD, "198.51.100.7", "203.0.113.200").status_code == 429


def test_one_wrong_try_on_each_of_many_names_pauses_that_address_only(
    client, child, other_child, settings, one_window
):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 30
    for number in range(40):
        login(client, f"name{number}", "wrong-pass", PROXY, "203.0.113.66")
    response = login(client, "amy", PASSWORD, PROXY, "203.0.113.66")
    assert response.status_code == 429
    assert "lots of wrong passwords from this place" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert login(client, "ben", PASSWORD, PROXY, "198.51.100.20").status_code == 302


def test_axes_is_given_no_address_rather_than_a_word(settings):
    from minimentors.addresses import axes_client_address

    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_address(request) == "unknown" and axes_client_address(request) is None
    assert axes_client_address(request_from("203.0.113.9")) == "203.0.113.9"
