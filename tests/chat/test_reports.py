"""A report may only name a message its reporter can see: nobody can pull another child's
private words into the moderation queue by guessing a message id."""

import pytest

from chat import services
from moderation.models import Alert

pytestmark = pytest.mark.django_db

SECRET = "my secret is that i like purple socks"


@pytest.fixture
def private_message(child, bubble):
    """Amy's words in her bubble with her mentor: ben cannot see them."""
    return services.post_message(author=child, room=bubble, text=SECRET).message


def test_a_child_cannot_report_a_message_from_someone_elses_bubble(
    client, other_child, private_message
):
    client.force_login(other_child)
    by_button = client.post(f"/chat/messages/{private_message.pk}/report/", {"reason": "x"})
    by_form = client.post(
        "/moderation/report/", {"words": "look at this", "message_id": private_message.pk}
    )
    assert by_button.status_code == 404 and by_form.status_code == 400
    assert not Alert.objects.filter(kind=Alert.Kind.REPORT).exists()


def test_the_queue_never_shows_a_message_the_reporter_could_not_see(
    client, other_child, moderator, private_message
):
    client.force_login(other_child)
    client.post("/moderation/report/", {"words": "look at this", "message_id": private_message.pk})
    client.force_login(moderator)
    assert SECRET not in client.get("/moderation/").content.decode()


def test_a_child_still_reports_a_message_they_can_see(client, child, other_child, general_room):
    services.room_join(user=child, room=general_room)
    services.room_join(user=other_child, room=general_room)
    message = services.post_message(author=other_child, room=general_room, text="you smell").message
    client.force_login(child)
    client.post(f"/chat/messages/{message.pk}/report/", {"reason": "mean"})
    report = Alert.objects.get(kind=Alert.Kind.REPORT)
    assert report.message_id == message.pk and report.reporter == child
