"""htmlguard: a fast, policy-driven HTML sanitizer.

>>> import htmlguard as hg
>>> hg.sanitize('<p onclick="steal()">Hi <script>alert(1)</script><b>there</b></p>')
'<p>Hi <b>there</b></p>'
>>> report = hg.inspect('<a href="javascript:alert(1)" onclick="x()">link</a>')
>>> str(report)
'removed 1 attribute (a[onclick]); 1 url (a[href])'
>>> [(r.kind, r.tag, r.name) for r in report.removed]
[('url', 'a', 'href'), ('attribute', 'a', 'onclick')]
>>> hg.is_clean("<b>fine</b>"), hg.escape("<b>"), hg.strip_tags("<p>a &amp; <i>b</i></p>")
(True, '&lt;b&gt;', 'a & b')
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping

from htmlguard import _core
from htmlguard._core import (
    Policy,
    PolicyRegistry,
    Removal,
    Report,
    escape,
    inspect,
    inspect_many,
    is_clean,
    policies,
    resolve_policy,
    sanitize,
    sanitize_many,
    strip_tags,
)
from htmlguard._policy import sanitize_async
from htmlguard.errors import (
    HTMLGuardError,
    InputTooLargeError,
    PolicyError,
    UnknownPolicyError,
)

__all__ = [
    "HTMLGuardError",
    "InputTooLargeError",
    "Policy",
    "PolicyError",
    "PolicyRegistry",
    "Removal",
    "Report",
    "UnknownPolicyError",
    "escape",
    "inspect",
    "inspect_many",
    "is_clean",
    "linkify",
    "policies",
    "sanitize",
    "sanitize_async",
    "sanitize_many",
    "strip_tags",
]

__version__: str = _core.__version__

#: The policy the module-level verbs use when none is given.
DEFAULT_POLICY: str = _core.DEFAULT_POLICY

#: The parser of a policy whose ``engine`` is None (every preset's): ``"ammonia"`` or
#: ``"htmlguard"`` (``docs/engines.md``).
DEFAULT_ENGINE: str = _core.DEFAULT_ENGINE

#: The built-in presets, from strictest to most permissive.
PRESETS: tuple[str, ...] = tuple(_core.PRESET_NAMES)

for _name in PRESETS:
    if _name not in policies:
        policies.register(_name, Policy.preset(_name))
del _name


#: A link callback: ``callback(attrs, new)`` gets the link's attributes and its text
#: (key ``"_text"``), and ``new`` (made from text rather than from the input); it returns
#: the dict, changed or not, or None to drop the link (see ``Policy.sanitize_with``).
LinkCallback = Callable[[dict[str, str], bool], "Mapping[str, str] | None"]


@functools.lru_cache(maxsize=64)
def _linkifying(policy: Policy, skip_tags: frozenset[str] | None, email: bool | None) -> Policy:
    """``policy`` with linkify on and the overrides (policies are built once per set)."""
    changes: dict[str, object] = {}
    if not policy.linkify:
        changes["linkify"] = True
    if skip_tags is not None and skip_tags != policy.linkify_skip_tags:
        changes["linkify_skip_tags"] = skip_tags
    if email is not None and email != policy.linkify_email:
        changes["linkify_email"] = email
    return policy.derive(**changes) if changes else policy


def linkify(
    html: str,
    policy: str | Policy = DEFAULT_POLICY,
    *,
    callbacks: Iterable[LinkCallback] | None = None,
    skip_tags: Iterable[str] | None = None,
    email: bool | None = None,
) -> str:
    """Sanitize ``html`` under ``policy`` with ``linkify`` turned on: URLs in text become
    links the policy keeps. Never returns unsanitized HTML.

    ``skip_tags`` and ``email`` override the policy's ``linkify_skip_tags`` and
    ``linkify_email``; ``callbacks`` are link callbacks (``Policy.sanitize_with``).

    >>> import htmlguard as hg
    >>> hg.linkify("see https://x.org.")
    'see <a href="https://x.org" rel="nofollow noopener noreferrer">https://x.org</a>.'
    """
    if isinstance(skip_tags, str):
        raise TypeError("skip_tags expects an iterable of tag names, got a single str")
    base = resolve_policy(policy)
    tags = None if skip_tags is None else frozenset(skip_tags)
    p = _linkifying(base, tags, email)
    if callbacks is None:
        return p.sanitize(html)
    return p.sanitize_with(html, link_callbacks=list(callbacks))
