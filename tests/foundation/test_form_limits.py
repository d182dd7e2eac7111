"""Every form a member sends is rate-limited (together), so one child cannot flood the
moderators' queue; the child is told kindly, with the helpline."""

from html import unescape

import pytest

from moderation.models import Alert
from moderation.sanctions import sanction_block
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("one_window")]


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.MEMBER_FORM_LIMIT_PER_MINUTE = 5
    settings.MEMBER_FORM_LIMIT_PER_HOUR = 30


def test_a_flood_of_reports_and_help_requests_is_stopped_kindly(client, child, other_child):
    client.force_login(child)
    for number in range(3):
        client.post("/moderation/report/", {"words": f"report {number}"})
    for number in range(2):
        client.post("/chat/help/", {"words": f"help {number}"})
    response = client.post("/moderation/report/", {"words": "one more"})
    assert response.status_code == 429
    page = unescape(response.content.decode())
    assert "Slow down a little" in page and "0800 1111" in page
    assert Alert.objects.count() == 5
    # Another child is not slowed down by it.
    client.force_login(other_child)
    assert client.post("/moderation/report/", {"words": "mine"}).status_code == 200


def test_the_hourly_limit_holds_after_the_minute_is_over(client, child, settings):
    settings.MEMBER_FORM_LIMIT_PER_MINUTE = 100
    settings.MEMBER_FORM_LIMIT_PER_HOUR = 7
    client.force_login(child)
    codes = [client.post("/chat/help/", {"words": "hi"}).status_code for _ in range(9)]
    assert codes == [302] * 7 + [429] * 2


def test_appeals_are_limited_by_address_when_logged_out(client, child, moderator):
    sanction_block(member=child, actor=moderator, reason="Rude words.")
    data = {"username": "amy", "password": PASSWORD, "words": "it was my brother"}
    codes = [client.post("/moderation/appeal/", data).status_code for _ in range(6)]
    assert codes[-1] == 429 and codes[:5] == [200] * 5
    assert Alert.objects.filter(kind=Alert.Kind.APPEAL).count() == 5


def test_staff_are_not_limited(rf, counsellor, child):
    from minimentors.form_limits import member_form_take

    def request_of(user):
        request = rf.post("/moderation/report/")
        request.user = user
        return request

    assert all(member_form_take(request_of(counsellor)) for _ in range(10))
    assert [member_form_take(request_of(child)) for _ in range(6)] == [True] * 5 + [False]


def test_blog_posts_comments_reports_and_new_threads_count_too(client, child):
    from chat import blogs
    from chat.models import BlogComment

    post, _ = blogs.blog_post_create(author=child, title="My dog", body="He can sit now!")
    client.force_login(child)
    client.post("/blogs/new/", {"title": "Cats", "body": "They purr."})
    client.post(f"/blogs/{post.pk}/report/", {"reason": "test"})
    client.post("/messages/new/", {"to": "nobody-here"})
    for number in range(2):
        client.post(f"/blogs/{post.pk}/comment/", {"text": f"nice {number}"})
    response = client.post(f"/blogs/{post.pk}/comment/", {"text": "one too many"})
    assert response.status_code == 429
    assert BlogComment.objects.count() == 2
    assert client.get("/blogs/new/").status_code == 200  # reading a form is never limited
