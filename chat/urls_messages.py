from django.urls import path

from . import views_messages as views

app_name = "messages"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.thread_start, name="start"),
    path("<int:thread_id>/", views.thread, name="thread"),
]
