"""The forum's pages, its JSON API and the script hook's recorder.

The views never sanitize: the model fields, the forms they generate and the request
middleware do (see the package documentation). They only tell the user what htmlguard
removed from what they sent.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from htmlguard.django import resolve_policy

from .forms import PostForm, ProfileForm, TopicForm
from .models import HookHit, Post, Profile, Topic


def hook_status(request: HttpRequest) -> dict[str, Any]:
    """Context processor: how often the script hook ran (shown in every footer)."""
    return {"hook_hits": HookHit.objects.count()}


def _tell_what_was_removed(request: HttpRequest, what: str, raw: str | None, policy: str) -> None:
    if raw:
        report = resolve_policy(policy).inspect(raw)
        if report.total:
            messages.info(request, f"htmlguard cleaned your {what}: {report}")


# ------------------------------------------------------------------ pages


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    topics = (
        Topic.objects.select_related("author")
        .annotate(post_count=Count("posts"), last_post=Max("posts__created"))
        .order_by("-pinned", "-last_post", "-pk")
    )
    latest = Post.objects.select_related("author", "topic").order_by("-created", "-id")[:5]
    return render(request, "forum/index.html", {"topics": topics, "latest": latest})


@require_GET
def topic(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_topic(request, get_object_or_404(Topic, pk=pk), PostForm())


def _render_topic(request: HttpRequest, topic: Topic, form: PostForm, status: int = 200) -> Any:
    posts = topic.posts.select_related("author")
    context = {"topic": topic, "posts": posts, "form": form}
    return render(request, "forum/topic.html", context, status=status)


@login_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    form = PostForm(request.POST)
    if not form.is_valid():
        return _render_topic(request, topic, form, status=422)
    post = form.save(commit=False)
    post.topic, post.author = topic, request.user
    post.save()
    _tell_what_was_removed(request, "post", request.POST.get("body"), "post")
    return redirect(post)


@login_required
@require_http_methods(["GET", "POST"])
def new_topic(request: HttpRequest) -> HttpResponse:
    topic_form = TopicForm(request.POST or None)
    post_form = PostForm(request.POST or None)
    if request.method == "POST" and all([topic_form.is_valid(), post_form.is_valid()]):
        with transaction.atomic():
            topic = topic_form.save(commit=False)
            topic.author = request.user
            topic.save()
            post = post_form.save(commit=False)
            post.topic, post.author = topic, request.user
            post.save()
        _tell_what_was_removed(request, "post", request.POST.get("body"), "post")
        return redirect(topic)
    context = {"topic_form": topic_form, "form": post_form}
    return render(request, "forum/topic_new.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post.objects.select_related("topic"), pk=pk)
    if post.author_id != request.user.pk and not request.user.is_staff:
        raise PermissionDenied
    form = PostForm(request.POST or None, instance=post)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            form.save()
            _tell_what_was_removed(request, "post", request.POST.get("body"), "post")
            messages.success(request, "Post saved.")
        else:
            messages.info(request, "Nothing changed.")
        return redirect(post)
    return render(request, "forum/post_edit.html", {"form": form, "post": post})


@require_GET
def user(request: HttpRequest, username: str) -> HttpResponse:
    member = get_object_or_404(get_user_model(), username=username)
    profile = Profile.objects.filter(user=member).first()
    posts = Post.objects.filter(author=member).select_related("topic").order_by("-created")
    context = {"member": member, "profile": profile, "posts": posts[:20]}
    return render(request, "forum/user.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request: HttpRequest) -> HttpResponse:
    profile, _ = Profile.objects.get_or_create(user=request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        _tell_what_was_removed(request, "bio", request.POST.get("bio"), "bio")
        messages.success(request, "Profile saved.")
        return redirect("user", username=request.user.get_username())
    return render(request, "forum/profile_edit.html", {"form": form})


# ------------------------------------------------------------------ JSON API
#
# POSTs carry Django's CSRF token in an X-CSRFToken header (the csrftoken cookie's value),
# like any session-authenticated call. By the time a view below runs, HTMLGuardMiddleware
# has cleaned "post.body" in the JSON body with the "post" policy (HTMLGUARD_FIELDS).


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _post_json(post: Post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "topic": post.topic_id,
        "author": post.author.get_username(),
        "via": post.via,
        "created": post.created.isoformat(),
        "body": post.body,  # a str: JSON escapes it, nothing renders it here
    }


def _read_post_object(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    """The ``"post"`` object of a JSON body, or the error response to send instead."""
    if not request.user.is_authenticated:
        return _error("log in first", 401)
    if request.content_type != "application/json":
        return _error("expected Content-Type: application/json", 415)
    try:
        data = json.loads(request.body)
    except ValueError:
        return _error("the body is not JSON", 400)
    post = data.get("post") if isinstance(data, dict) else None
    if not isinstance(post, dict) or not isinstance(post.get("body"), str):
        return _error('expected {"post": {"body": "...", ...}}', 400)
    return post


@require_http_methods(["GET", "POST"])
def api_posts(request: HttpRequest) -> JsonResponse:
    """GET ``?topic=ID``: a topic's posts (the latest 50 without it). POST
    ``{"post": {"topic": ID, "body": "..."}}``: a new post, answered with 201 and the post
    as stored."""
    if request.method == "GET":
        posts = Post.objects.select_related("author")
        topic_id = request.GET.get("topic")
        if topic_id is not None:
            if not topic_id.isdigit():
                return _error("topic must be an id", 400)
            posts = posts.filter(topic_id=int(topic_id))
        else:
            posts = posts.order_by("-created", "-id")[:50]
        return JsonResponse({"posts": [_post_json(p) for p in posts]})

    data = _read_post_object(request)
    if isinstance(data, JsonResponse):
        return data
    topic_id = data.get("topic")
    if type(topic_id) is not int:
        return _error('expected {"post": {"topic": ID, "body": "..."}}', 400)
    topic = Topic.objects.filter(pk=topic_id).first()
    if topic is None:
        return _error("no such topic", 404)
    if not data["body"].strip():
        return _error("the body is empty", 400)
    post = Post.objects.create(topic=topic, author=request.user, body=data["body"], via="api")
    return JsonResponse({"post": _post_json(post)}, status=201)


@require_POST
def api_preview(request: HttpRequest) -> JsonResponse:
    """``{"post": {"body": "..."}}`` -> ``{"html": ...}``: the body as it would be stored,
    for the post forms' Preview button, which puts it into the page as HTML.

    Deliberately no sanitizing in this view: it returns the body exactly as it arrived,
    so what makes the preview safe is the middleware alone (and it is the user's own
    text, shown only to them).
    """
    data = _read_post_object(request)
    if isinstance(data, JsonResponse):
        return data
    return JsonResponse({"html": data["body"]})


# ------------------------------------------------------------------ the script hook


@csrf_exempt  # the hook reports from any page, before (or without) a session
@require_http_methods(["GET", "POST"])
def pwned(request: HttpRequest) -> JsonResponse:
    """POST: called by ``window.__hook()`` (static/forum/hook.js): a payload ran in
    somebody's browser. GET: every hit so far."""
    if request.method == "POST":
        try:
            data = json.loads(request.body)
        except ValueError:
            data = None
        data = data if isinstance(data, dict) else {}
        HookHit.objects.create(
            page=str(data.get("page", ""))[:500], detail=str(data.get("detail", ""))[:500]
        )
        return JsonResponse({"recorded": True})
    hits = [
        {"page": h.page, "detail": h.detail, "created": h.created.isoformat()}
        for h in HookHit.objects.order_by("id")
    ]
    return JsonResponse({"count": len(hits), "hits": hits})
