"""The ``sanitize`` filter for Django's Jinja2 template backend.

::

    TEMPLATES = [{
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "OPTIONS": {"environment": "htmlguard.django.jinja2.environment"},
    }]
    # or, with an environment function of your own: htmlguard.django.jinja2.install(env)

``{{ value|sanitize }}`` and ``{{ value|sanitize("bio") }}`` behave as the Django template
filter (``{% load htmlguard %}``): the default is ``HTMLGUARD_DEFAULT_POLICY`` read at each
use, names are looked up in ``HTMLGUARD_POLICIES`` then :data:`htmlguard.policies`, the
result is :class:`markupsafe.Markup`, ``None`` renders as nothing. Needs Jinja2.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from .._core import Policy
from .conf import resolve_policy
from .html import plain

__all__ = ["environment", "install", "sanitize"]


def sanitize(value: object, policy: str | Policy | None = None) -> Markup:
    if value is None:
        return Markup("")
    return Markup(resolve_policy(policy).sanitize(plain(value)))


def install(env: Environment, name: str = "sanitize") -> Environment:
    """Add the filter to `env` (as `name`) and return `env`."""
    env.filters[name] = sanitize
    return env


def environment(**options: Any) -> Environment:
    """A Jinja2 environment with the filter, for ``OPTIONS["environment"]``."""
    return install(Environment(**options))
