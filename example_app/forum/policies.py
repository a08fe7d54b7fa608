"""The forum's policies, as plain data for ``HTMLGUARD_POLICIES`` (each dict goes through
``htmlguard.Policy.from_dict`` when the app starts; ``manage.py check`` reports a bad one).

A policy allows exactly what it lists. Posts get paragraphs, lists, quotes, code, links and
images; bios a few inline tags and https links; the front page's excerpts only emphasis and
code (no links or images in a list of summaries).
"""

from __future__ import annotations

from typing import Any

#: Removed together with their content: their text is code, styles or hidden markup, not
#: something a reader should see (other disallowed tags lose only their tags).
_DROP_WITH_CONTENT = (
    "script style iframe object embed noscript template svg math textarea select title".split()
)

_LINK_REL = "nofollow noopener noreferrer"

POST: dict[str, Any] = {
    "tags": """
        h3 h4 p br hr b strong i em u s del mark sub sup code pre kbd blockquote
        ul ol li a img
    """.split(),
    "tag_attributes": {
        "a": ["href", "title"],
        "img": ["src", "alt", "width", "height"],
        "ol": ["start"],
    },
    "attribute_patterns": {
        "img": {"width": "^[0-9]{1,4}$", "height": "^[0-9]{1,4}$"},
        "ol": {"start": "^[0-9]{1,4}$"},
    },
    "url_schemes": ["http", "https", "mailto"],
    "url_relative": "pass",  # links to other topics, images under /static/
    "link_rel": _LINK_REL,
    "clean_content_tags": _DROP_WITH_CONTENT,
    # Also applies when a stored row is read back: a row written around the ORM that is
    # larger than this cannot be loaded (InputTooLargeError), so keep it above any legacy row.
    "max_input_bytes": 20_000,
}

BIO: dict[str, Any] = {
    "tags": ["b", "strong", "i", "em", "code", "br", "a"],
    "tag_attributes": {"a": ["href"]},
    "url_schemes": ["https"],
    "link_rel": _LINK_REL,
    "target_blank": True,
    "clean_content_tags": _DROP_WITH_CONTENT,
    "max_input_bytes": 4_000,
}

EXCERPT: dict[str, Any] = {
    "tags": ["b", "strong", "i", "em", "code"],
    "clean_content_tags": _DROP_WITH_CONTENT,
}

POLICIES: dict[str, dict[str, Any]] = {"post": POST, "bio": BIO, "excerpt": EXCERPT}
