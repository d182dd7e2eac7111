"""Public pages say what MiniMentors is, how children are kept safe, and the rules."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_home_page_says_in_plain_words_what_minimentors_is(client):
    html = page(client, "/")
    assert "MiniMentors are children about your age" in html
    assert "Welcome to MiniMentors" in html


def test_the_safety_page_says_who_may_be_told_and_that_we_try_to_tell_the_child_first(client):
    html = page(client, "/safety/")
    for words in (
        "How we keep you safe",
        "school",
        "parent or carer",
        "local authority",
        "police",
        "CEOP",
        "We try to tell you first",
        "<strong>6 years</strong>",
        "8am to 8pm",
        "ChildLine",
        "0800 1111",
        "childline.org.uk",
    ):
        assert words in html, words


def test_the_rules_page_lists_the_site_rules(client):
    html = page(client, "/rules/")
    for words in ("Be kind", "No swearing", "phone", "where you live", "your school",
                  "Tell a moderator"):  # fmt: skip
        assert words in html, words


@pytest.mark.parametrize(
    "path", ["/", "/safety/", "/rules/", "/accounts/login/", "/accounts/signup/"]
)
def test_every_page_has_strict_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "path", ["/", "/safety/", "/rules/", "/accounts/login/", "/accounts/signup/"]
)
def test_no_page_has_an_inline_script_or_style_or_a_cdn(client, path):
    html = page(client, path)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, f"inline script: {tag}"
    assert not re.search(r"<style\b", html)
    assert not re.search(r'\sstyle="', html)
    assert not re.search(r'\son[a-z]+="', html), "inline event handler"
    for url in re.findall(r'(?:src|href)="(https?://[^"]+)"', html):
        assert "childline.org.uk" in url, f"external resource: {url}"


def test_bootstrap_is_served_from_our_own_static_files(client):
    html = page(client, "/")
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "/static/vendor/bootstrap/bootstrap.bundle.min.js" in html
