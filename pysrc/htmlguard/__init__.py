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

from htmlguard import _core
from htmlguard._core import (
    Policy,
    PolicyRegistry,
    Removal,
    Report,
    escape,
    inspect,
    is_clean,
    policies,
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
    "is_clean",
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
