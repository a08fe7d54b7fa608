"""The middleware configuration both harness apps share (and the tests rely on)."""

from __future__ import annotations

import htmlguard as hg

#: A `Policy` object (not a registered name) for one selector, so both forms are exercised.
BIO_POLICY = hg.Policy.preset("basic").derive(target_blank=True)

#: A policy with an input limit: a larger `summary` gets 413 (clean and reject modes).
SUMMARY_LIMIT = 256
SUMMARY_POLICY = hg.Policy.preset("strict").derive(max_input_bytes=SUMMARY_LIMIT)

#: Selector → policy, in priority order (the first match wins).
FIELDS: dict[str, str | hg.Policy] = {
    "description": "ugc",  # a form field (and a top-level JSON key)
    "comment*": "basic",  # a glob on form field names
    "bio": BIO_POLICY,
    "summary": SUMMARY_POLICY,
    "challenge.description": "ugc",  # JSON paths
    "comments.*.body": "basic",
}

#: The `max_body_bytes` of the /small mount.
SMALL_LIMIT = 4096

#: The only path the /paths mount's middleware looks at (`paths=`); its /echo is not guarded.
PATHS_GUARDED = "/paths/guarded"

#: Mount prefix → middleware options (None: no middleware). Both apps serve these mounts,
#: each with the routes /echo, /guarded, /submit, /health and /ids.
MOUNTS: dict[str, dict[str, object] | None] = {
    "/clean": {"mode": "clean"},
    "/strict": {"mode": "clean", "on_fault": "reject"},  # unreadable bodies get 400
    "/reject": {"mode": "reject"},
    "/report": {"mode": "report"},
    "/small": {"mode": "clean", "max_body_bytes": SMALL_LIMIT},
    "/paths": {"mode": "clean", "paths": (PATHS_GUARDED,)},
    "/plain": None,
}
