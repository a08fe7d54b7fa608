"""Topics, posts, profiles, and the script hook's record.

The HTML fields are htmlguard's: whatever path writes them (a form, the admin, the JSON
API, ``create()``, ``update()``), the database gets the policy's output; whatever is read
back (even a row written by raw SQL) is sanitized again and comes back marked safe, so a
template renders ``{{ post.body }}`` as HTML without ``|safe``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

import htmlguard as hg
from htmlguard.django.models import SanitizedCharField, SanitizedTextField


class Topic(models.Model):
    title = models.CharField(max_length=120)  # plain text: the templates escape it
    pinned = models.BooleanField(default=False, help_text="Listed first on the front page.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("topic", args=[self.pk])


class Post(models.Model):
    class Via(models.TextChoices):
        FORM = "form", "web form"
        API = "api", "JSON API"
        ORM = "orm", "seed, through the ORM"
        SQL = "sql", "seed, raw SQL (stored unsanitized)"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    body = SanitizedTextField(policy="post")
    via = models.CharField(max_length=8, choices=Via.choices, default=Via.FORM, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"#{self.pk} by {self.author} in {self.topic}"

    def get_absolute_url(self) -> str:
        return f"{self.topic.get_absolute_url()}#post-{self.pk}"

    def summary(self, length: int = 60) -> str:
        """The body as plain text (the admin's list shows it escaped)."""
        text = " ".join(hg.strip_tags(self.body).split())
        return text if len(text) <= length else text[: length - 1] + "…"


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # max_length applies to the sanitized bio.
    bio = SanitizedCharField(max_length=500, policy="bio", blank=True)

    def __str__(self) -> str:
        return f"profile of {self.user}"


class HookHit(models.Model):
    """One call of the pages' script hook: a payload that ran in somebody's browser."""

    page = models.CharField(max_length=500)
    detail = models.CharField(max_length=500)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.page}: {self.detail}"
