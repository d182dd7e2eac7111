"""Counsellor pages: only counsellors reach them."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minimentors.roles import Role, role_required


@role_required(Role.COUNSELLOR)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "counselling/dashboard.html")
