"""With DEBUG off, errors show a kind page that needs nothing that may be down."""

from __future__ import annotations

from django.db import OperationalError
from django.test import RequestFactory

from minimentors.views import server_error


def page_for(error: Exception):
    request = RequestFactory().get("/chat/")
    try:
        raise error
    except Exception:
        return server_error(request)


def test_an_unexpected_error_is_a_kind_page_with_childline():
    response = page_for(KeyError("boom"))
    html = response.content.decode()
    assert response.status_code == 500 and "Something went wrong" in html
    assert "0800 1111" in html and "boom" not in html and "Traceback" not in html


def test_a_database_that_is_restarting_is_a_kind_503():
    response = page_for(OperationalError("database is locked"))
    assert response.status_code == 503
    assert "try again in a minute" in response.content.decode()
