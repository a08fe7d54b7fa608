"""``{% load htmlguard %}``: the ``sanitize`` filter.

``{{ value|sanitize }}`` sanitizes with ``HTMLGUARD_DEFAULT_POLICY``,
``{{ value|sanitize:"bio" }}`` with a named policy (``HTMLGUARD_POLICIES``, then
:data:`htmlguard.policies`). The result is marked safe. ``None`` renders as nothing; lazy
strings and other values are converted with ``str()``; a value already marked safe is
sanitized all the same (``mark_safe`` says someone *declared* it safe, not that it came from
someone trusted). An unknown name raises, so a template never renders the raw HTML.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from ..conf import resolve_policy
from ..html import plain

register = template.Library()


@register.filter(name="sanitize")
def sanitize(value: Any, policy: Any = None) -> SafeString:
    if value is None:
        return mark_safe("")
    return mark_safe(resolve_policy(policy).sanitize(plain(value)))
