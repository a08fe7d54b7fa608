"""A Jinja filter that sanitizes a value for output: ``{{ post.body|sanitize }}``.

Works with any Jinja environment, Flask or not::

    from jinja2 import Environment
    import htmlguard.jinja

    env = Environment(autoescape=True)
    htmlguard.jinja.install(env)                      # the "ugc" preset by default
    env.from_string("{{ body|sanitize }} {{ bio|sanitize('basic') }}").render(...)

The filter returns :class:`markupsafe.Markup`, so autoescaping leaves the safe HTML alone.
``None`` renders as nothing; other non-``str`` values are converted with ``str()`` first.
A value that is already ``Markup`` is sanitized all the same: ``Markup`` says a string was
*declared* safe, not that it came from someone trustworthy.

Needs Jinja2 and MarkupSafe (``pip install 'htmlguard[jinja]'``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from markupsafe import Markup

from ._core import DEFAULT_POLICY, Policy, resolve_policy

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["install", "make_filter", "sanitize_filter"]

#: The filter's signature: ``(value, policy=None) -> Markup``.
SanitizeFilter = Callable[..., Markup]
#: Turns the filter's policy argument into a Policy; the default looks names up in
#: ``htmlguard.policies`` (the Flask extension passes one that tries the app's own first).
Resolver = Callable[[str | Policy], Policy]


def _sanitize(value: object, policy: str | Policy, resolve: Resolver = resolve_policy) -> Markup:
    if value is None:
        return Markup("")
    # str() also turns a Markup (a str subclass) into a plain str: it is sanitized like any
    # other input.
    text = value if type(value) is str else str(value)
    return Markup(resolve(policy).sanitize(text))


def sanitize_filter(value: object, policy: str | Policy | None = None) -> Markup:
    """Sanitize `value` with `policy` (a registered name or a Policy; default ``"ugc"``).

    >>> sanitize_filter('<b onclick="x()">hi</b><script>bad()</script>')
    Markup('<b>hi</b>')
    >>> sanitize_filter(None)
    Markup('')
    """
    return _sanitize(value, DEFAULT_POLICY if policy is None else policy)


def make_filter(
    default_policy: str | Policy = DEFAULT_POLICY, *, resolve: Resolver = resolve_policy
) -> SanitizeFilter:
    """A :func:`sanitize_filter` whose policy defaults to `default_policy`.

    A name is looked up (with `resolve`) each time the filter runs, so a policy registered
    (or replaced) later is used.
    """

    def sanitize(value: object, policy: str | Policy | None = None) -> Markup:
        return _sanitize(value, default_policy if policy is None else policy, resolve)

    sanitize.__doc__ = sanitize_filter.__doc__
    return sanitize


def install(
    env: Environment,
    *,
    default_policy: str | Policy = DEFAULT_POLICY,
    name: str = "sanitize",
    resolve: Resolver = resolve_policy,
) -> SanitizeFilter:
    """Add the filter to `env` as `name` and return it.

    `default_policy` is what ``{{ value|sanitize }}`` uses; ``{{ value|sanitize("basic") }}``
    picks another. A name that is not registered raises ``UnknownPolicyError`` now, not on
    the first render. `resolve` turns a name into a Policy (default: ``htmlguard.policies``).
    """
    resolve(default_policy)  # fail at start-up (a TypeError for a non-str)
    f = make_filter(default_policy, resolve=resolve)
    env.filters[name] = f
    return f
