"""The site's three policies, one per kind of content, as plain data for
``HTMLGUARD_POLICIES`` (each dict goes through ``htmlguard.Policy.from_dict``).

A policy allows exactly what it lists. The further a field is from the admins, the less
it allows: challenge descriptions (written by admins) get documents with headings, code,
tables, links and images; bios get a few inline tags and links; comments only emphasis
and code.
"""

from __future__ import annotations

from typing import Any

#: Dropped together with their content (the others lose only their tags and keep their text).
_DROP_WITH_CONTENT = (
    "script style iframe object embed noscript template svg math textarea select title".split()
)

_LINK_REL = "nofollow noopener noreferrer"

CHALLENGE: dict[str, Any] = {
    "tags": """
        h2 h3 h4 p br hr div span b strong i em u s mark small sub sup code pre kbd samp
        blockquote ul ol li dl dt dd a img table caption thead tbody tr th td details summary
    """.split(),
    "tag_attributes": {
        "a": ["href", "title"],
        "img": ["src", "alt", "width", "height"],
        "th": ["colspan", "rowspan"],
        "td": ["colspan", "rowspan"],
        "ol": ["start"],
        "details": ["open"],
    },
    "attribute_patterns": {
        "img": {"width": "^[0-9]{1,4}$", "height": "^[0-9]{1,4}$"},
        "th": {"colspan": "^[0-9]{1,2}$", "rowspan": "^[0-9]{1,2}$"},
        "td": {"colspan": "^[0-9]{1,2}$", "rowspan": "^[0-9]{1,2}$"},
        "ol": {"start": "^[0-9]{1,4}$"},
    },
    "url_schemes": ["http", "https", "mailto"],
    "url_relative": "pass",  # links to other challenges, images under /static/
    "link_rel": _LINK_REL,
    "clean_content_tags": _DROP_WITH_CONTENT,
    "max_input_bytes": 64_000,
}

BIO: dict[str, Any] = {
    "tags": ["p", "br", "b", "strong", "i", "em", "u", "s", "code", "a"],
    "tag_attributes": {"a": ["href"]},
    "url_schemes": ["https"],
    "url_relative": "deny",
    "link_rel": _LINK_REL,
    "target_blank": True,
    "clean_content_tags": _DROP_WITH_CONTENT,
    "max_input_bytes": 4_000,
}

COMMENT: dict[str, Any] = {
    "tags": ["b", "strong", "i", "em", "code", "br"],
    "clean_content_tags": _DROP_WITH_CONTENT,
    "max_input_bytes": 2_000,
}

POLICIES: dict[str, dict[str, Any]] = {"challenge": CHALLENGE, "bio": BIO, "comment": COMMENT}
