from django.urls import path

from . import views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path(
        "alerts/<int:alert_id>/<slug:action>/",
        views.alert_act,
        name="alert_act",
    ),
    path("members/<int:member_id>/", views.member_detail, name="member"),
    path("members/<int:member_id>/sanction/", views.member_sanction, name="member_sanction"),
    path("members/<int:member_id>/lift/", views.member_lift, name="member_lift"),
    path("members/<int:member_id>/hide/", views.member_content_hide, name="member_content_hide"),
    path(
        "members/<int:member_id>/approve-block/",
        views.member_approve_block,
        name="member_approve_block",
    ),
    path("report/", views.report, name="report"),
    path("my-reports/", views.my_reports, name="my_reports"),
    path("blocked/", views.blocked, name="blocked"),
    path("appeal/", views.appeal, name="appeal"),
]
