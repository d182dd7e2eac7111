"""The Safeguarding Team's admin: only the team reaches these models, and the admin index
lists them for nobody else; the forms keep the rules; in production staff need a second
factor to reach admin at all."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from minimentors.models import AuditEntry
from minimentors.roles import Role
from safeguarding.models import Referral
from tests.conftest import REPO

pytestmark = pytest.mark.django_db

MODELS = ["case", "meeting", "referral", "conversationsummary", "sharingrecord",
          "transcriptexport"]  # fmt: skip


def admin_urls(case) -> list[str]:
    urls = [f"/admin/safeguarding/{model}/" for model in MODELS]
    urls += [f"/admin/safeguarding/{model}/add/?case={case.pk}" for model in MODELS[1:]]
    urls += [f"/admin/safeguarding/case/{case.pk}/change/", "/admin/safeguarding/"]
    return urls


def test_only_the_safeguarding_team_reaches_these_models(client, case, make_member):
    client.force_login(make_member(Role.SAFEGUARDING, "sal-safeguarding"))
    for url in admin_urls(case):
        assert client.get(url).status_code == 200, url
    for role in (Role.COUNSELLOR, Role.MODERATOR, Role.MENTOR, Role.CHILD):
        client.force_login(make_member(role, f"other-{role}"))
        for url in admin_urls(case):
            response = client.get(url)
            refused = response.status_code in (403, 404) or (
                response.status_code == 302 and "/admin/login/" in response["Location"]
            )
            assert refused, (role, url, response.status_code)


def test_the_admin_index_lists_them_for_the_team_only(client, case, moderator, make_member):
    client.force_login(moderator)
    html = client.get("/admin/").content.decode()
    assert "Watched words" in html and "Cases" not in html and "What needs doing" not in html
    client.force_login(make_member(Role.SAFEGUARDING, "sal-safeguarding"))
    html = client.get("/admin/").content.decode()
    assert "Cases" in html and "Transcript exports" in html and "What needs doing" in html


def test_opening_a_case_is_audited(client, case, safeguarding_user):
    client.force_login(safeguarding_user)
    client.get(f"/admin/safeguarding/case/{case.pk}/change/")
    assert AuditEntry.objects.filter(action="case.read", actor=safeguarding_user).count() == 1


def test_the_referral_form_refuses_a_referral_without_the_told_first_answer(
    client, case, safeguarding_user
):
    client.force_login(safeguarding_user)
    form = {"case": case.pk, "to": "school", "made_on": "2026-11-30", "method": "phone",
            "child_told_first": "no", "not_told_because": ""}  # fmt: skip
    response = client.post("/admin/safeguarding/referral/add/", form)
    assert response.status_code == 200 and "why the child was not told first" in (
        response.content.decode()
    )
    assert not Referral.objects.exists()
    response = client.post("/admin/safeguarding/referral/add/", {**form, "child_told_first": "yes"})
    assert response.status_code == 302 and Referral.objects.count() == 1


def test_in_production_a_staff_login_without_a_second_factor_cannot_reach_admin(tmp_path):
    script = (
        "from django.test import Client\n"
        "from minimentors.services import member_add\n"
        "user = member_add(username='pat-safeguarding', password='long-test-pass-4471', "
        "role='safeguarding', school=None, age_group='')\n"
        "c = Client()\n"
        "c.force_login(user)  # signed in with a password only: no second factor\n"
        "r = c.get('/admin/', secure=True, HTTP_HOST='mm.example.org')\n"
        "print('STATUS', r.status_code, r.get('Location', ''))\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)},
        "MINIMENTORS_ENV": "production", "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "mm.example.org", "REDIS_URL": "redis://127.0.0.1:1/0",
        "MINIMENTORS_VAR_DIR": str(tmp_path),
    }  # fmt: skip
    run = [sys.executable, "manage.py"]
    subprocess.run([*run, "migrate", "-v", "0"], cwd=REPO, env=env, check=True)
    out = subprocess.run([*run, "shell", "-c", script], cwd=REPO, env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    status = out.split("STATUS", 1)[1].split()
    assert status[0] == "302" and "/admin/login/" in status[1], out


def test_a_staff_member_gets_an_authenticator_app_second_factor(safeguarding_user, child):
    from io import StringIO

    from django.core.management import CommandError, call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    out = StringIO()
    call_command("add_totp_device", safeguarding_user.username, stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    assert TOTPDevice.objects.get(user=safeguarding_user).confirmed
    with pytest.raises(CommandError):
        call_command("add_totp_device", child.username)  # children are never staff


def test_the_team_searches_a_childs_messages_and_sees_alerts(client, case, safeguarding_user):
    client.force_login(safeguarding_user)
    found = client.get("/admin/chat/message/?q=stepdad").content.decode()
    assert "my stepdad shouts" in found and "thank you for telling me" not in found
    by_child = client.get("/admin/chat/message/?q=amy&action__exact=allow").content.decode()
    assert "my stepdad shouts" in by_child
    flagged = client.get("/admin/chat/message/?action__exact=flag").content.decode()
    assert "my stepdad shouts" not in flagged
    assert client.get("/admin/moderation/alert/").status_code == 200


def test_what_needs_doing_lists_overdue_actions_and_quiet_cases(
    client, case, safeguarding_user, settings
):
    from datetime import date, timedelta

    from django.utils import timezone

    from safeguarding.models import Case, Meeting
    from safeguarding.services import meeting_record, needs_doing

    assert needs_doing() == (0, 0)
    meeting_record(meeting=Meeting(case=case, attendees="Sam", minutes="-", decision="Call school",
                                   action_due=date.today() - timedelta(days=1)),
                   actor=safeguarding_user)  # fmt: skip
    Case.objects.update(last_activity_at=timezone.now() - settings.CASE_QUIET_AFTER * 2)
    assert needs_doing() == (1, 1)
    client.force_login(safeguarding_user)
    assert "1 overdue action" in client.get("/admin/").content.decode()
    listed = client.get("/admin/safeguarding/case/?needs=overdue").content.decode()
    assert case.child.username in listed
