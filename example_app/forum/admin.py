"""The admin. Nothing here sanitizes: the model fields give the admin's forms
``SanitizedHTMLField``, whose textareas show the stored HTML as text and whose saves store
the policy's output."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.widgets import AdminTextareaWidget

from htmlguard.django.models import SanitizedCharField

from .models import HookHit, Post, Profile, Topic

admin.site.site_header = "htmlguard forum admin"
admin.site.site_title = "htmlguard forum admin"


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "pinned", "created"]
    search_fields = ["title"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    # summary() is plain text; listing `body` itself would render it as HTML (sanitized,
    # marked safe) inside the table.
    list_display = ["id", "summary", "topic", "author", "via"]
    list_filter = ["via"]
    search_fields = ["body"]
    readonly_fields = ["via", "created"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "bio_text"]
    # A bio is a few lines of HTML: a textarea rather than the CharField's one-line input.
    formfield_overrides = {SanitizedCharField: {"widget": AdminTextareaWidget(attrs={"rows": 4})}}

    @admin.display(description="bio")
    def bio_text(self, profile: Profile) -> str:
        return profile.bio and str.__str__(profile.bio)


@admin.register(HookHit)
class HookHitAdmin(admin.ModelAdmin):
    list_display = ["created", "page", "detail"]
