"""System checks of the bottom layer: settings that name code or models must resolve, so a
typo stops the site at start instead of silently switching a safety rule off."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured


@checks.register()
def hooks_resolve(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every hook setting names a function that exists (a missing one would fail open:
    usernames unmoderated, blocked members let in)."""
    from .hooks import HOOK_SETTINGS, hook

    errors = []
    for name in HOOK_SETTINGS:
        try:
            function = hook(name)
        except (ImproperlyConfigured, ImportError) as error:
            errors.append(checks.Error(f"{name} does not resolve: {error}", id="minimentors.E001"))
            continue
        if not callable(function):
            errors.append(checks.Error(f"{name} is not a function.", id="minimentors.E001"))
    return errors


@checks.register()
def retention_rows_resolve(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every row of the retention table names a model and a date field that exist (a typo
    would mean that kind of record is never deleted)."""
    from .retention import RETENTION_TABLE

    errors = []
    for rule in RETENTION_TABLE:
        try:
            model = apps.get_model(rule.model)
            for path in (rule.written_field, rule.child_field):
                if path and path != "pk":
                    _resolve(model, path)
        except (LookupError, ValueError, FieldDoesNotExist) as error:
            errors.append(
                checks.Error(
                    f"Retention row {rule.model}.{rule.written_field} does not resolve: {error}",
                    id="minimentors.E002",
                )
            )
    return errors


def _resolve(model: Any, path: str) -> None:
    """Follow ``a__b__c`` through the models' relations (``FieldDoesNotExist`` if broken)."""
    *relations, last = path.split("__")
    for name in relations:
        model = model._meta.get_field(name).related_model
    model._meta.get_field(last)
