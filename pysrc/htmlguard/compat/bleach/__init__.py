"""bleach's API on htmlguard's core: ``from htmlguard.compat import bleach``.

Mirrors bleach 6.4: ``clean``, ``Cleaner``, ``linkify``, ``Linker``, ``DEFAULT_CALLBACKS``
and the ``ALLOWED_*`` defaults, with the submodules
code imports (``sanitizer``, ``linkifier``, ``callbacks``, ``css_sanitizer``). Each distinct set
of arguments compiles one :class:`htmlguard.Policy`, cached. Output equals bleach's as parsed
HTML except where ``docs/migration.md`` lists a difference
(``tests/compat/test_bleach_differential.py`` checks it). Arguments that would let script
through raise :class:`~htmlguard.compat.UnsupportedOptionError`. Importing this package does
not import bleach, html5lib or tinycss2.
"""

from __future__ import annotations

from htmlguard.compat.bleach import callbacks, css_sanitizer, linkifier, sanitizer
from htmlguard.compat.bleach.linkifier import DEFAULT_CALLBACKS, Linker, linkify
from htmlguard.compat.bleach.sanitizer import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    Cleaner,
    clean,
)

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_PROTOCOLS",
    "ALLOWED_TAGS",
    "DEFAULT_CALLBACKS",
    "Cleaner",
    "Linker",
    "callbacks",
    "clean",
    "css_sanitizer",
    "linkifier",
    "linkify",
    "sanitizer",
]

#: The bleach release this shim follows.
__version__ = "6.4.0"
