from django.urls import path

from . import views_messages as views

app_name = "blogs"
urlpatterns = [
    path("", views.blog_list, name="list"),
    path("new/", views.blog_write, name="write"),
    path("<int:post_id>/", views.blog_post, name="post"),
    path("<int:post_id>/comment/", views.blog_comment, name="comment"),
    path("<int:post_id>/report/", views.blog_report, name="report"),
]
