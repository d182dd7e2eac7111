"""The admin index tells the Safeguarding Team what needs doing."""

from __future__ import annotations

from typing import Any

from django import template

from minimentors.roles import is_safeguarding

from ..services import needs_doing

register = template.Library()


@register.inclusion_tag("admin/safeguarding/needs_doing.html")
def safeguarding_needs_doing(user: Any) -> dict[str, Any]:
    if not is_safeguarding(user):
        return {"show": False}
    overdue, quiet = needs_doing()
    return {"show": True, "overdue": overdue, "quiet": quiet}
