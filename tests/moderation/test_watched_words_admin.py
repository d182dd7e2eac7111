"""Watched words in Django admin: a change shows its effect on the labelled messages before it
can be saved, and word packs import through admin."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from moderation.models import WatchedWord

pytestmark = pytest.mark.django_db

ADD = "/admin/moderation/watchedword/add/"


def test_a_new_watched_word_shows_its_false_positives_before_it_is_saved(client, moderator):
    client.force_login(moderator)
    form = {"term": "sick", "action": "block", "category": "profanity", "note": "test"}
    page = client.post(ADD, form).content.decode()
    assert "Effect on the labelled messages" in page and "False positive:" in page
    assert not WatchedWord.objects.exists()
    response = client.post(ADD, {**form, "confirm_effect": "on"})
    assert response.status_code == 302
    assert WatchedWord.objects.get().term == "sick"


def test_a_word_pack_imports_through_admin_and_a_bad_file_is_refused_kindly(client, moderator):
    client.force_login(moderator)
    pack = {"format": "minimentors-watched-words", "version": 1,
            "entries": [{"term": "glorbo", "action": "block", "category": "bullying"}]}  # fmt: skip
    upload = SimpleUploadedFile("pack.json", json.dumps(pack).encode(), "application/json")
    response = client.post("/admin/moderation/watchedword/import/", {"pack": upload})
    assert response.status_code == 302 and WatchedWord.objects.filter(term="glorbo").exists()
    bad = SimpleUploadedFile("pack.json", b"not json at all", "application/json")
    page = client.post("/admin/moderation/watchedword/import/", {"pack": bad}).content.decode()
    assert "not readable JSON" in page


def test_children_cannot_reach_watched_words(client, child):
    client.force_login(child)
    assert client.get(ADD).status_code == 302  # admin sends non-staff to its login
