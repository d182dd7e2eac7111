"""``/counselling/``: counsellors only."""

from django.urls import path

from . import views

app_name = "counselling"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("concerns/<int:concern_id>/<slug:step>/", views.concern_act, name="concern_act"),
    path("children/<str:username>/", views.child, name="child"),
    path("children/<str:username>/notes/", views.note_save, name="note_save"),
    path("children/<str:username>/offer/", views.offer, name="offer"),
    path("children/<str:username>/escalate/", views.escalate, name="escalate"),
    path("children/<str:username>/rooms/<int:room_id>/", views.transcript, name="transcript"),
    path("notes/<int:note_id>/edit/", views.note_edit, name="note_edit"),
    path("notes/<int:note_id>/amend/", views.note_amend, name="note_amend"),
]
