"""The app config: app label ``htmlguard``; builds the settings' policies at start-up and
registers the system checks."""

from __future__ import annotations

from django.apps import AppConfig


class HTMLGuardConfig(AppConfig):
    name = "htmlguard.django"
    label = "htmlguard"
    verbose_name = "htmlguard"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from . import checks, conf

        checks.register()
        # override_settings and pytest-django's `settings` announce changes: register the
        # new HTMLGUARD_POLICIES at once, so htmlguard.sanitize(html, name) sees them too.
        setting_changed.connect(conf.on_setting_changed, dispatch_uid="htmlguard-settings")
        # Build HTMLGUARD_POLICIES now and register them in htmlguard.policies. A policy
        # that fails to build is not raised here: `manage.py check` reports it
        # (htmlguard.E001), and using it raises the PolicyError, never sanitizes without it.
        conf.project_policies()
