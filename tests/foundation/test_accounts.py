"""Accounts: a child joins with a username, password, age group, school and join code only."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from minimentors.models import School, User
from minimentors.roles import (
    Role,
    RoleConflict,
    is_child,
    is_counsellor,
    is_mentor,
    is_moderator,
    is_safeguarding,
    role_grant,
)
from minimentors.services import member_add
from moderation.models import Alert

pytestmark = pytest.mark.django_db


def signup_data(school, **changes):
    data = {
        "username": "sunny-day",
        "password": "purple-tiger-93",
        "password_again": "purple-tiger-93",
        "age_group": "8-10",
        "school": school.name,
        "join_code": "hill2345",
    }
    data.update(changes)
    return data


def test_a_child_signs_up_with_the_schools_join_code_and_no_real_name(client, school):
    response = client.post("/accounts/signup/", signup_data(school))
    assert response.status_code == 302 and response.headers["Location"] == "/chat/"
    user = User.objects.get(username="sunny-day")
    assert is_child(user) and not user.is_staff
    assert user.email == "" and user.first_name == "" and user.last_name == ""
    assert user.school == school and user.age_group == "8-10"
    assert user.password.startswith("md5$") or user.password.startswith("argon2")
    assert client.get("/chat/").status_code == 200


def test_the_signup_form_asks_for_nothing_else(client, school):
    html = client.get("/accounts/signup/").content.decode()
    assert 'name="email"' not in html and "first_name" not in html
    for label in ("Username", "Password", "How old are you?", "Your school", "Join code"):
        assert label in html


def test_a_wrong_join_code_is_refused_kindly_and_keeps_what_was_typed(client, school):
    response = client.post("/accounts/signup/", signup_data(school, join_code="WRONG123"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "join code doesn" in html and "with the teacher who runs MiniMentors" in html
    assert 'value="sunny-day"' in html and 'value="Hilltop Primary"' in html
    assert not User.objects.filter(username="sunny-day").exists()


def test_the_signup_page_never_lists_the_schools_that_take_part(client, school):
    School.objects.create(
        name="Riverside Academy",
        area="York",
        lead_teacher_name="Mr Shah",
        safeguarding_lead_name="Ms Lee",
    )
    html = client.get("/accounts/signup/").content.decode()
    assert "Hilltop Primary" not in html and "Riverside Academy" not in html
    (field,) = re.findall(r"<(?:input|select)[^>]*name=\"school\"[^>]*>", html)
    assert field.startswith("<input") and 'type="text"' in field


def _school(name: str) -> School:
    return School(
        name=name, area="Leeds", lead_teacher_name="Mr Shah", safeguarding_lead_name="Ms Lee"
    )


def test_two_schools_never_share_a_name_in_different_capitals(school):
    # A child types the name and case is forgiven, so "HILLTOP primary" would be a second
    # school nobody could ever join: the admin form says why, and the database refuses it too.
    twin = _school("HILLTOP primary")
    with pytest.raises(ValidationError) as refused:
        twin.full_clean()
    assert "already a school with this name" in str(refused.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    assert School.objects.count() == 1


def test_a_school_name_is_tidied_the_way_sign_up_reads_a_typed_one(db):
    riverside = _school("  Riverside   Academy ")
    riverside.full_clean()
    riverside.save()
    assert School.objects.get().name == "Riverside Academy"


@pytest.mark.django_db(transaction=True)
def test_migrating_stops_kindly_when_two_schools_differ_only_in_capitals():
    # A database from before the constraint, holding two names a child could not tell apart.
    before = [("minimentors", "0004_audit_append_only")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("minimentors", "School")
    details = {"area": "Leeds", "lead_teacher_name": "Mr Shah", "safeguarding_lead_name": "Ms Lee"}
    old.objects.create(name="Oak  Lane", join_code="OAK23456", **details)
    twin = old.objects.create(name="oak lane ", join_code="OAK65432", **details)
    executor = MigrationExecutor(connection)
    with pytest.raises(RuntimeError) as stopped:
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert "'Oak Lane' and 'oak lane'" in str(stopped.value)
    assert "Rename one of each pair in the admin" in str(stopped.value)
    # Once an administrator has renamed one, migrating goes through and tidies the spaces.
    old.objects.filter(pk=twin.pk).update(name="Oak Lane Juniors")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert sorted(School.objects.values_list("name", flat=True)) == [
        "Oak Lane",
        "Oak Lane Juniors",
    ]


def test_the_school_is_typed_forgiving_case_and_spaces(client, school):
    response = client.post(
        "/accounts/signup/", {**signup_data(school), "school": "  hilltop   PRIMARY "}
    )
    assert response.status_code == 302
    assert User.objects.get(username="sunny-day").school == school


def test_an_unknown_school_gets_the_same_answer_as_a_wrong_code_and_counts_as_a_wrong_try(
    client, school, settings, one_window
):
    settings.SIGNUP_CODE_FAILURES_PER_ADDRESS = 3
    unknown = client.post("/accounts/signup/", {**signup_data(school), "school": "Nowhere High"})
    wrong = client.post("/accounts/signup/", signup_data(school, join_code="WRONG123"))
    for response in (unknown, wrong):
        assert response.status_code == 200
        assert "join code doesn&#x27;t match the school you typed" in response.content.decode()
    assert not User.objects.filter(username="sunny-day").exists()
    client.post("/accounts/signup/", {**signup_data(school), "school": "Nowhere Else"})
    paused = client.post("/accounts/signup/", signup_data(school))  # right school and code
    assert paused.status_code == 429


@pytest.mark.parametrize(
    "name",
    ["amy07700900123", "x", "has space", "1starts-with-digit", "a" * 30, "name@mail"],
)
def test_usernames_that_could_give_away_contact_details_or_are_malformed_are_refused(
    client, school, name
):
    response = client.post("/accounts/signup/", signup_data(school, username=name))
    assert response.status_code == 200
    assert not User.objects.filter(username=name).exists()
    assert 'class="invalid-feedback"' in response.content.decode()


def test_a_cry_for_help_typed_as_a_name_is_answered_with_help_and_alerts_a_counsellor(
    client, school
):
    response = client.post("/accounts/signup/", signup_data(school, username="iwanttodie"))
    page = response.content.decode()
    assert response.status_code == 200
    # Kind words and the helpline, under the name (every page's footer has ChildLine too).
    [feedback] = re.findall(r'id="error_1_id_username"[^>]*>(.*?)</', page, re.S)
    assert "really hard time" in feedback and "0800 1111" in feedback
    assert "rude words" not in page
    assert not User.objects.filter(username__iexact="iwanttodie").exists()
    [alert] = Alert.objects.all()
    assert "self_harm" in alert.categories and alert.member is None
    assert "iwanttodie" in alert.summary and school.name in alert.summary


def test_without_the_schools_join_code_a_cry_for_help_still_gets_help_but_raises_no_alert(
    client, school
):
    data = signup_data(school, username="iwanttodie", join_code="WRONG123")
    page = client.post("/accounts/signup/", data).content.decode()
    assert "really hard time" in page
    assert not Alert.objects.exists()  # the open page cannot be used to flood counsellors


def test_a_rude_name_is_refused_as_rude_and_raises_no_alert(client, school):
    page = client.post("/accounts/signup/", signup_data(school, username="shithead")).content
    assert "rude words" in page.decode() and "really hard time" not in page.decode()
    assert not Alert.objects.exists()


def test_usernames_are_unique_whatever_their_case(client, school, child):
    response = client.post("/accounts/signup/", signup_data(school, username="AMY"))
    assert "Someone already has that name" in response.content.decode()


def test_weak_and_mismatched_passwords_are_refused_with_kind_words(client, school):
    html = client.post(
        "/accounts/signup/", signup_data(school, password="12345678", password_again="12345678")
    ).content.decode()
    assert "too common" in html or "entirely numeric" in html
    html = client.post("/accounts/signup/", signup_data(school, password_again="other-pass-11"))
    assert "The two passwords are different" in html.content.decode()


def test_one_helper_per_role_answers_for_each_role(make_member):
    helpers = {
        Role.CHILD: is_child,
        Role.MENTOR: is_mentor,
        Role.COUNSELLOR: is_counsellor,
        Role.MODERATOR: is_moderator,
        Role.SAFEGUARDING: is_safeguarding,
    }
    for number, role in enumerate(Role):
        user = make_member(role, f"person{number}")
        for other, helper in helpers.items():
            assert helper(User.objects.get(pk=user.pk)) is (other == role), (role, other)


def test_children_and_mentors_can_never_hold_a_staff_role(child, mentor):
    with pytest.raises(RoleConflict):
        role_grant(user=child, role=Role.MODERATOR)
    with pytest.raises(RoleConflict):
        role_grant(user=mentor, role=Role.CHILD)
    assert not User.objects.get(pk=child.pk).is_staff


def test_staff_roles_may_be_combined_and_admin_roles_reach_admin(counsellor):
    assert not counsellor.is_staff
    role_grant(user=counsellor, role=Role.SAFEGUARDING)
    fresh = User.objects.get(pk=counsellor.pk)
    assert is_counsellor(fresh) and is_safeguarding(fresh) and fresh.is_staff


def test_staff_accounts_have_no_school_and_members_need_one(school):
    with pytest.raises(ValidationError):
        member_add(username="teacher1", password="purple-tiger-93", role=Role.MODERATOR,
                   school=school, age_group="8-10")  # fmt: skip
    with pytest.raises(ValidationError):
        member_add(username="kid-no-school", password="purple-tiger-93", role=Role.CHILD)


@pytest.mark.parametrize("name", ["sh1tface", "fuuuck_you", "kill-myself", "amy_at_gmail_com"])
def test_usernames_go_through_the_moderation_filter(client, school, name):
    response = client.post("/accounts/signup/", signup_data(school, username=name))
    assert "Please pick a different name" in response.content.decode().replace("&#x27;", "'")
    assert not User.objects.filter(username=name).exists()


def test_without_the_join_code_nobody_learns_which_names_are_taken(client, school, child):
    response = client.post(
        "/accounts/signup/", signup_data(school, username="amy", join_code="WRONG123")
    )
    page = response.content.decode()
    assert "Someone already has that name" not in page
    assert "join code doesn" in page


def test_wrong_join_codes_from_one_address_are_paused(client, school, settings, one_window):
    settings.SIGNUP_CODE_FAILURES_PER_ADDRESS = 5
    for number in range(5):
        client.post("/accounts/signup/", signup_data(school, join_code=f"WRONG{number}"))
    response = client.post("/accounts/signup/", signup_data(school))  # the right code
    assert response.status_code == 429
    assert "wait 15 minutes" in response.content.decode().replace("&#x27;", "'")
    assert not User.objects.filter(username="sunny-day").exists()
    other_place = client.post("/accounts/signup/", signup_data(school), REMOTE_ADDR="10.1.2.3")
    assert other_place.status_code == 302


def test_wrong_join_codes_for_one_school_are_paused_from_every_address(
    client, school, settings, one_window
):
    settings.SIGNUP_CODE_FAILURES_PER_SCHOOL = 6
    for number in range(6):
        client.post(
            "/accounts/signup/",
            signup_data(school, join_code=f"WRONG{number}"),
            REMOTE_ADDR=f"10.0.0.{number}",
        )
    response = client.post("/accounts/signup/", signup_data(school), REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert not User.objects.filter(username="sunny-day").exists()
