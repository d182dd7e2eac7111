"""Messages in admin are evidence: the Safeguarding Team reads them, nobody edits them there,
and every record opened is audited."""

import pytest

from chat import services
from chat.models import Message
from minimentors.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_opening_a_message_in_admin_is_audited_and_only_safeguarding_may(
    client, joined, child, safeguarding_user, moderator
):
    room = joined(child)
    services.post_message(author=child, room=room, text="hello everyone")
    message = Message.objects.get()
    url = f"/admin/chat/message/{message.pk}/change/"
    client.force_login(moderator)
    assert client.get(url).status_code == 403
    assert not AuditEntry.objects.filter(action="admin.read").exists()
    client.force_login(safeguarding_user)
    response = client.get(url)
    assert response.status_code == 200 and "hello everyone" in response.content.decode()
    read = AuditEntry.objects.get(action="admin.read")
    assert read.actor == safeguarding_user
    assert (read.target_type, read.target_id) == ("chat.message", str(message.pk))
    assert client.post(url, {"original_text": "changed"}).status_code == 403
