"""Who may see which page: anonymous visitors log in first, the wrong role gets 403."""

import pytest

from minimentors.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/chat/", "/counselling/", "/moderation/"])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/accounts/login/?next={path}"


def test_a_child_gets_403_on_the_counsellor_dashboard(client, child):
    client.force_login(child)
    response = client.get("/counselling/")
    assert response.status_code == 403
    assert "can't see this page" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "allowed", "heading"),
    [
        ("/counselling/", Role.COUNSELLOR, "Counsellor dashboard"),
        ("/moderation/", Role.MODERATOR, "Moderation"),
    ],
)
def test_only_the_right_role_reaches_a_staff_page(client, make_member, path, allowed, heading):
    for number, role in enumerate(Role):
        user = make_member(role, f"user{number}-{role}")
        client.force_login(user)
        response = client.get(path)
        expected = 200 if role == allowed else 403
        assert response.status_code == expected, (role, response.status_code)
        if expected == 200:
            assert f"<h1>{heading}</h1>" in response.content.decode()


def test_every_member_and_staff_role_reaches_the_lobby(client, make_member):
    for number, role in enumerate(Role):
        client.force_login(make_member(role, f"user{number}-{role}"))
        assert client.get("/chat/").status_code == 200


def test_logging_out_needs_a_post(client, child):
    client.force_login(child)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/chat/").status_code == 302
