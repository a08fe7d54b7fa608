"""The models the tests write and read through every path Django has."""

from __future__ import annotations

from django.db import models

import htmlguard as hg
from htmlguard.django.models import SanitizedCharField, SanitizedTextField

#: A policy given as an object, not a name: it deconstructs as its data.
LINKS_ONLY = hg.Policy(tags={"a"}, tag_attributes={"a": {"href"}}, url_schemes={"https"})


class Post(models.Model):
    title = SanitizedCharField(max_length=60, policy="strict")
    body = SanitizedTextField(policy="ugc")
    bio = SanitizedTextField(policy="bio", null=True, blank=True)
    links = SanitizedTextField(policy=LINKS_ONLY, blank=True, default="")
    summary = SanitizedTextField(blank=True, default="")  # HTMLGUARD_DEFAULT_POLICY
    notes = models.TextField(blank=True, default="")  # not sanitized

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    text = SanitizedTextField(policy="comment")
    copy = SanitizedTextField(policy="comment", blank=True, default="")
