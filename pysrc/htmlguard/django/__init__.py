"""htmlguard for Django: ``INSTALLED_APPS += ["htmlguard.django"]`` (app label ``htmlguard``).

- ``htmlguard.django.models``: ``SanitizedTextField``, ``SanitizedCharField`` (every write
  path stores sanitized HTML; values read back are sanitized and marked safe).
- ``htmlguard.django.forms``: ``SanitizedHTMLField`` (``mode="clean"`` or ``"reject"``), the
  form field ModelForms and the admin pick for those model fields.
- ``{% load htmlguard %}``: ``{{ value|sanitize }}``, ``{{ value|sanitize:"bio" }}``.
- ``htmlguard.django.middleware.HTMLGuardMiddleware``: the request middleware.
- ``manage.py check`` (``htmlguard.E0xx``/``W0xx``) and ``manage.py htmlguard_resanitize``.

Settings (the Flask extension's keys, read when used, so ``override_settings`` works):
``HTMLGUARD_POLICIES``, ``HTMLGUARD_DEFAULT_POLICY``, ``HTMLGUARD_FIELDS``,
``HTMLGUARD_PATHS``, ``HTMLGUARD_MODE``, ``HTMLGUARD_MAX_BODY_BYTES``, ``HTMLGUARD_ON_FAULT``.
See docs/django.md. Needs the ``django`` extra (``pip install 'htmlguard[django]'``).

This module imports nothing from Django's models, so settings need not be configured to
import it; :func:`sanitize` and :func:`resolve_policy` need them.
"""

from __future__ import annotations

from .conf import resolve_policy, sanitize

__all__ = ["resolve_policy", "sanitize"]
