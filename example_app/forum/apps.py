from __future__ import annotations

from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "example_app.forum"
    label = "forum"
    verbose_name = "Forum"
    default_auto_field = "django.db.models.BigAutoField"
