"""The add_member and seed_demo commands keep the contract."""

import pytest
from django.core.management import CommandError, call_command

from minimentors.models import School, User
from minimentors.roles import is_child, is_counsellor, is_mentor, is_moderator, is_safeguarding

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_demo_accounts_and_school_and_is_idempotent(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "join code DEMO2026" in out
    school = School.objects.get(name="Demo School")
    helpers = {
        "demo-child": is_child,
        "demo-child2": is_child,
        "demo-mentor": is_mentor,
        "demo-counsellor": is_counsellor,
        "demo-moderator": is_moderator,
        "demo-safeguarding": is_safeguarding,
    }
    assert User.objects.count() == len(helpers)
    for name, helper in helpers.items():
        user = User.objects.get(username=name)
        assert helper(user), name
        assert user.check_password("bright-kite-47")
    assert User.objects.get(username="demo-child").school == school


def test_seed_demo_uses_demo_password_when_set(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-different-pass-5")
    call_command("seed_demo")
    assert User.objects.get(username="demo-mentor").check_password("a-different-pass-5")


def test_add_member_takes_the_password_from_the_environment(monkeypatch, school):
    monkeypatch.setenv("MINIMENTORS_PASSWORD", "strong-otter-61")
    call_command("add_member", "lily", "--role", "mentor", "--school", "hilltop primary",
                 "--age-group", "14-16")  # fmt: skip
    lily = User.objects.get(username="lily")
    assert is_mentor(lily) and lily.check_password("strong-otter-61") and lily.school == school


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["kid", "--role", "child"], "need a school and an age group"),
        (["kid", "--role", "child", "--school", "Nowhere"], "no school called"),
        (["staff1", "--role", "counsellor", "--school", "Hilltop Primary"], "no school or age"),
    ],
)
def test_add_member_explains_what_is_wrong(monkeypatch, school, args, message):
    monkeypatch.setenv("MINIMENTORS_PASSWORD", "strong-otter-61")
    with pytest.raises(CommandError, match=message):
        call_command("add_member", *args)
    assert not User.objects.filter(username=args[0]).exists()


def test_add_member_without_a_password_or_terminal_says_what_to_do(monkeypatch):
    monkeypatch.delenv("MINIMENTORS_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="Set MINIMENTORS_PASSWORD"):
        call_command("add_member", "carla", "--role", "counsellor")
