"""Private messages and blogs: thin pages over ``chat.messaging`` and ``chat.blogs``."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from minimentors.access import NotFound
from minimentors.form_limits import member_form_limited
from minimentors.roles import Role, is_moderator, member_required, role_required
from moderation.services import report_submit

from . import blogs, messaging, selectors, services
from .access import access_thread
from .models import BlogComment, BlogPost
from .views import _chat_page

WRITERS = (Role.CHILD, Role.MENTOR, Role.COUNSELLOR)


@role_required(*WRITERS, Role.MODERATOR)
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(request, "chat/messages.html", {
        "threads": messaging.threads_of(user),
        "partners": messaging.partners_of(user),
        "moderators": messaging.MODERATORS,
        "staff_inbox": messaging.staff_inbox() if is_moderator(user) else [],
    })  # fmt: skip


@require_POST
@role_required(*WRITERS)
@member_form_limited
def thread_start(request: HttpRequest) -> HttpResponse:
    try:
        room = messaging.thread_open(member=request.user, partner_name=request.POST.get("to", ""))
    except services.ChatError as error:
        messages.error(request, error.message)
        return redirect("messages:inbox")
    return redirect("messages:thread", thread_id=room.pk)


@role_required(*WRITERS, Role.MODERATOR, Role.SAFEGUARDING)
def thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    room = access_thread(request.user, thread_id)
    if request.method == "POST":  # without JavaScript the form posts here
        try:
            services.post_message(author=request.user, room=room,
                                  text=request.POST.get("text", ""))  # fmt: skip
        except services.ChatError as error:
            messages.error(request, error.message)
        return redirect("messages:thread", thread_id=room.pk)
    messaging.thread_read(user=request.user, room=room)
    return _chat_page(request, room, members=selectors.bubble_members(room=room))


@member_required
def blog_list(request: HttpRequest) -> HttpResponse:
    posts = BlogPost.objects.filter(status=BlogPost.Status.PUBLISHED).select_related("author")
    page = Paginator(posts.only("id", "title", "author__username", "published_at"), 10).get_page(
        request.GET.get("page")
    )
    mine = BlogPost.objects.filter(author=request.user).exclude(status=BlogPost.Status.PUBLISHED)
    return render(request, "chat/blogs.html", {"page": page, "mine": mine})


@role_required(Role.CHILD, Role.MENTOR)
@member_form_limited
def blog_write(request: HttpRequest) -> HttpResponse:
    title, body = request.POST.get("title", ""), request.POST.get("body", "")
    if request.method == "POST":
        try:
            post, words = blogs.blog_post_create(author=request.user, title=title, body=body)
        except blogs.BlogRefused as refused:
            context = {"title": title, "body": body, "error": refused.message}
            return render(request, "chat/blog_write.html", context, status=400)
        messages.info(request, words)
        if post.status == BlogPost.Status.PUBLISHED:
            return redirect("blogs:post", post_id=post.pk)
        return redirect("blogs:list")
    return render(request, "chat/blog_write.html", {"title": title, "body": body})


def _visible_post(request: HttpRequest, post_id: int) -> BlogPost:
    post = get_object_or_404(BlogPost.objects.select_related("author"), pk=post_id)
    published = post.status == BlogPost.Status.PUBLISHED
    if not (published or post.author_id == request.user.pk or is_moderator(request.user)):
        raise NotFound
    return post


@member_required
def blog_post(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _visible_post(request, post_id)
    comments = BlogComment.objects.filter(post=post, status=BlogPost.Status.PUBLISHED)
    return render(request, "chat/blog_post.html", {
        "post": post, "comments": comments.select_related("author"),
        "comment_text": request.session.pop("comment_text", ""),
    })  # fmt: skip


@require_POST
@role_required(Role.CHILD, Role.MENTOR)
@member_form_limited
def blog_comment(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _visible_post(request, post_id)
    text = request.POST.get("text", "")
    try:
        _, words = blogs.blog_comment_create(author=request.user, post=post, text=text)
        messages.info(request, words)
    except blogs.BlogRefused as refused:
        messages.error(request, refused.message)
        request.session["comment_text"] = text[: blogs.COMMENT_MAX_CHARS]  # nothing is lost
    return redirect("blogs:post", post_id=post.pk)


@require_POST
@member_required
@member_form_limited
def blog_report(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _visible_post(request, post_id)
    report_submit(reporter=request.user, words=request.POST.get("reason", ""),
                  room=f"blog-post-{post.pk}", member=post.author)  # fmt: skip
    messages.info(request, "Thank you for telling us. A grown-up will look at it.")
    return redirect("blogs:post", post_id=post.pk)
