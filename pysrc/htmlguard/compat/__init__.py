"""Drop-in replacements for other sanitizers' APIs, running on htmlguard's core.

``from htmlguard.compat import nh3`` stands in for ``import nh3``,
``from htmlguard.compat import bluemonday`` for ``import pybluemonday``, and
``from htmlguard.compat import bleach`` for ``import bleach``. Each maps its peer's
arguments and builder calls onto :class:`htmlguard.Policy` options; what cannot be mapped
raises :class:`UnsupportedOptionError` when the policy is built, never silently. No
module imports its peer, and ``import htmlguard`` imports none of them. What maps, what does not
and the remaining output differences: ``docs/migration.md``.
"""

from __future__ import annotations

from htmlguard.compat._common import UnsupportedOptionError

__all__ = ["UnsupportedOptionError"]
