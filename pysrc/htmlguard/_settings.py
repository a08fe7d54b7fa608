"""The ``HTMLGUARD_*`` settings that the Flask extension (``app.config``) and the Django app
(``django.conf.settings``) share: their names, defaults and meaning, checked in one place.

Framework-free: each integration reads its own settings object and hands the values here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ._core import DEFAULT_POLICY, PRESET_NAMES, Policy, policies
from ._core import resolve_policy as resolve_global
from ._request.core import DEFAULT_MAX_BODY_BYTES, RequestCore
from .errors import PolicyError, UnknownPolicyError

__all__ = [
    "DEFAULTS",
    "build_policies",
    "build_policy",
    "check_default",
    "lookup",
    "middleware_options",
    "middleware_problems",
    "request_core",
    "resolve_fields",
]

#: Every key and its default; a key left out of the settings means its default.
DEFAULTS: Mapping[str, Any] = {
    # name -> dict for Policy.from_dict (or a Policy), built once when read
    "HTMLGUARD_POLICIES": {},
    # what the template filter (and the Django fields without policy=) use
    "HTMLGUARD_DEFAULT_POLICY": DEFAULT_POLICY,
    # the request middleware: selector -> policy; unset or empty: it reads no body
    "HTMLGUARD_FIELDS": None,
    "HTMLGUARD_PATHS": None,
    "HTMLGUARD_MODE": "clean",
    "HTMLGUARD_MAX_BODY_BYTES": DEFAULT_MAX_BODY_BYTES,
    "HTMLGUARD_ON_FAULT": "pass",
}

Getter = Callable[[str], Any]


def build_policy(name: object, spec: object) -> Policy:
    """One entry of ``HTMLGUARD_POLICIES``, built; a :class:`PolicyError` whose message starts
    with ``HTMLGUARD_POLICIES['name']:`` otherwise. A preset's name is refused: presets are
    reserved, so a name means the same preset everywhere."""
    where = f"HTMLGUARD_POLICIES[{name!r}]"
    if not isinstance(name, str) or not name:
        raise PolicyError(f"{where}: a policy name must be a non-empty str")
    if name in PRESET_NAMES:
        raise PolicyError(
            f"{where}: {name!r} is a built-in preset and cannot be replaced; "
            "give your policy another name"
        )
    if isinstance(spec, Policy):
        return spec
    if not isinstance(spec, Mapping):
        raise PolicyError(
            f"{where}: expected a dict for Policy.from_dict, got {type(spec).__name__}"
        )
    try:
        return Policy.from_dict(spec)
    except (TypeError, ValueError) as e:  # PolicyError is a ValueError
        raise PolicyError(f"{where}: {e}") from e


def check_mapping(value: object) -> Mapping[Any, Any]:
    """``HTMLGUARD_POLICIES`` as a mapping (None is empty), or a PolicyError."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PolicyError(
            "HTMLGUARD_POLICIES: expected a mapping of name -> policy dict, "
            f"got {type(value).__name__}"
        )
    return value


def build_policies(value: object) -> dict[str, Policy]:
    """Every policy of ``HTMLGUARD_POLICIES``, built, in its order; the first error raises."""
    return {name: build_policy(name, spec) for name, spec in check_mapping(value).items()}


def lookup(own: Mapping[str, Policy], policy: str | Policy) -> Policy:
    """`policy` as a Policy: a name is looked up in `own` (the settings' policies), then in
    :data:`htmlguard.policies`."""
    if isinstance(policy, str):
        found = own.get(policy)
        if found is not None:
            return found
    try:
        return resolve_global(policy)  # also the TypeError for what is neither
    except UnknownPolicyError as e:
        # The global message lists the registered names; the settings' are candidates too
        # (the Django app registers its own, which are listed already).
        extra = [name for name in own if name not in policies]
        if not extra:
            raise
        raise UnknownPolicyError(f"{e}; HTMLGUARD_POLICIES: {', '.join(extra)}") from e


def check_default(value: object, own: Mapping[str, Policy]) -> str | Policy:
    """``HTMLGUARD_DEFAULT_POLICY``, checked: a name `own` or the registry knows, or a Policy."""
    if isinstance(value, Policy):
        return value
    if not isinstance(value, str):
        raise TypeError(
            "HTMLGUARD_DEFAULT_POLICY: expected a policy name or a Policy, "
            f"got {type(value).__name__}"
        )
    try:
        lookup(own, value)
    except UnknownPolicyError as e:
        raise UnknownPolicyError(f"HTMLGUARD_DEFAULT_POLICY: {e}") from e
    return value


def resolve_fields(value: object, own: Mapping[str, Policy]) -> dict[str, Policy]:
    """``HTMLGUARD_FIELDS`` with every policy as a Policy, an error naming its key."""
    if not isinstance(value, Mapping):
        raise TypeError(
            "HTMLGUARD_FIELDS: expected a mapping of selector -> policy, "
            f"got {type(value).__name__}"
        )
    resolved: dict[str, Policy] = {}
    for selector, policy in value.items():
        where = f"HTMLGUARD_FIELDS[{selector!r}]"
        try:
            resolved[selector] = lookup(own, policy)
        except UnknownPolicyError as e:
            raise UnknownPolicyError(f"{where}: {e}") from e
        except TypeError as e:
            raise TypeError(f"{where}: {e}") from e
    return resolved


def middleware_options(get: Getter, own: Mapping[str, Policy]) -> dict[str, Any] | None:
    """The request middleware's keywords from the settings (`get` reads one key, its default
    when unset), or None when ``HTMLGUARD_FIELDS`` selects nothing."""
    fields = get("HTMLGUARD_FIELDS")
    if not fields:
        return None
    # Policy objects, not names: the core knows only the global registry.
    return {"fields": resolve_fields(fields, own), "default_policy": None, **_options(get)}


def _options(get: Getter) -> dict[str, Any]:
    """The middleware keywords other than the fields, an unset or None setting its default."""
    max_body = get("HTMLGUARD_MAX_BODY_BYTES")
    return {
        "paths": get("HTMLGUARD_PATHS"),
        "mode": get("HTMLGUARD_MODE") or "clean",
        "on_fault": get("HTMLGUARD_ON_FAULT") or "pass",
        "max_body_bytes": DEFAULT_MAX_BODY_BYTES if max_body is None else max_body,
    }


#: The request middleware's settings other than HTMLGUARD_FIELDS, and their keywords.
MIDDLEWARE_KEYS = {
    "HTMLGUARD_PATHS": "paths",
    "HTMLGUARD_MODE": "mode",
    "HTMLGUARD_MAX_BODY_BYTES": "max_body_bytes",
    "HTMLGUARD_ON_FAULT": "on_fault",
}


def middleware_problems(get: Getter) -> dict[str, TypeError | ValueError]:
    """Setting -> the error its value gives the request middleware (its message naming the
    setting), for each invalid one; checked whether or not HTMLGUARD_FIELDS is set."""
    options = _options(get)
    problems: dict[str, TypeError | ValueError] = {}
    for key, keyword in MIDDLEWARE_KEYS.items():
        try:
            RequestCore(**{keyword: options[keyword]})
        except (TypeError, ValueError) as e:
            problems[key] = type(e)(f"{key}: {e}")
    return problems


def request_core(get: Getter, own: Mapping[str, Policy]) -> RequestCore | None:
    """The middleware's core for these settings, or None; an invalid setting raises the
    core's TypeError or ValueError, its message naming the setting."""
    options = middleware_options(get, own)
    if options is None:
        return None
    for problem in middleware_problems(get).values():
        raise problem
    return RequestCore(**options)
