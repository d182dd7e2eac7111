"""System checks stop the site when a setting names code or a model that does not exist,
instead of a safety rule silently switching itself off."""

from __future__ import annotations

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from minimentors import hooks, retention
from minimentors.checks import hooks_resolve, retention_rows_resolve
from moderation import context
from moderation.checks import message_context_reader_registered


def test_the_site_as_shipped_passes_every_check():
    assert checks.run_checks() == []


@pytest.mark.parametrize("name", hooks.HOOK_SETTINGS)
def test_a_missing_or_mistyped_hook_fails_the_check_and_never_fails_open(settings, name):
    setattr(settings, name, "moderation.services.no_such_function")
    assert [error.id for error in hooks_resolve()] == ["minimentors.E001"]
    setattr(settings, name, "")
    assert [error.id for error in hooks_resolve()] == ["minimentors.E001"]
    with pytest.raises(ImproperlyConfigured):
        hooks.hook(name)  # a caller never skips the check silently


def test_a_retention_row_naming_a_missing_model_or_field_fails_the_check(monkeypatch):
    table = (
        *retention.RETENTION_TABLE,
        retention.RetentionRule("counselling.NoSuchRecord", "written_at", 6),
        retention.RetentionRule("chat.Message", "written_when", 6),
    )
    monkeypatch.setattr(retention, "RETENTION_TABLE", table)
    errors = retention_rows_resolve()
    assert [error.id for error in errors] == ["minimentors.E002", "minimentors.E002"]
    assert "counselling.NoSuchRecord" in errors[0].msg and "written_when" in errors[1].msg


def test_a_missing_message_context_reader_fails_the_check(monkeypatch):
    monkeypatch.setattr(context, "_reader", None)
    assert [error.id for error in message_context_reader_registered()] == ["moderation.E001"]
