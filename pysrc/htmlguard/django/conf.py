"""The app's settings, read when used: the one place the Django pieces get a policy, the
default, and the request core from.

``HTMLGUARD_POLICIES`` is built once per value of the setting (a new value, as
``override_settings`` gives, is built again) and its policies are registered in
:data:`htmlguard.policies`, so ``htmlguard.sanitize(html, "bio")`` knows them too. Names
registered this way are replaced when the setting changes; a program's own registration of
a name the setting declares is replaced while it does (the setting wins), then restored.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from django.conf import settings

from .. import _settings
from .._core import PRESET_NAMES, Policy, policies
from .._request.core import RequestCore
from ..errors import PolicyError

__all__ = [
    "Loaded",
    "default_policy",
    "loaded",
    "project_policies",
    "request_core",
    "resolve_policy",
    "sanitize",
    "setting",
]


#: The settings as last read; emptied when Django announces a change (``setting_changed``:
#: override_settings, pytest-django's ``settings``). Reading an unset setting through
#: Django costs an AttributeError each time, and the fields read them for every value.
_values: dict[str, Any] = {}


def setting(key: str) -> Any:
    """The value of ``settings.<key>``, its default (``_settings.DEFAULTS``) when unset."""
    try:
        return _values[key]
    except KeyError:
        value = _values[key] = getattr(settings, key, _settings.DEFAULTS[key])
        return value


@dataclass(frozen=True)
class Loaded:
    """``HTMLGUARD_POLICIES`` as built from one value of the setting."""

    #: The setting's value this was built from (compared by identity).
    source: object
    policies: Mapping[str, Policy]
    #: name -> the PolicyError message of each entry that failed to build; "" is the key
    #: of an error about the whole setting (not a mapping).
    errors: Mapping[str, str] = field(default_factory=dict)


_lock = threading.Lock()
_loaded: Loaded | None = None
_registered: dict[str, Policy] = {}
#: A program's own registrations that a name of the setting replaced, restored when the
#: setting no longer declares that name.
_displaced: dict[str, Policy] = {}
_core: tuple[tuple[object, ...], RequestCore | None] | None = None


def loaded() -> Loaded:
    """``HTMLGUARD_POLICIES`` built from its current value (again only when it changed)."""
    global _loaded
    value = setting("HTMLGUARD_POLICIES")
    current = _loaded
    if current is not None and current.source is value:
        return current
    with _lock:
        if _loaded is not None and _loaded.source is value:
            return _loaded
        _loaded = _build(value)
        _sync_registry(_loaded.policies)
        return _loaded


def _build(value: object) -> Loaded:
    try:
        entries = _settings.check_mapping(value)
    except PolicyError as e:
        return Loaded(value, MappingProxyType({}), {"": str(e)})
    built: dict[str, Policy] = {}
    errors: dict[str, str] = {}
    for name, spec in entries.items():
        try:
            built[name] = _settings.build_policy(name, spec)
        except PolicyError as e:
            errors[str(name)] = str(e)
    return Loaded(value, MappingProxyType(built), errors)


def _sync_registry(new: Mapping[str, Policy]) -> None:
    ours = dict(_registered)  # what the previous value of the setting registered
    _registered.clear()
    for name, policy in ours.items():
        if name in new or policies.get(name) is not policy:
            continue  # declared again (replaced below), or replaced by the program since
        previous = _displaced.pop(name, None)
        if previous is None:
            policies.unregister(name)
        else:
            policies.register(name, previous, replace=True)
    for name, policy in new.items():
        current = policies.get(name)
        if current is not None and current is not ours.get(name):
            _displaced[name] = current  # the program's own: restored when we let go
        policies.register(name, policy, replace=True)
        _registered[name] = policy


def on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    """Receiver of Django's ``setting_changed``: read the settings again, and build a new
    ``HTMLGUARD_POLICIES`` at once (so the registry has its names)."""
    if setting.startswith("HTMLGUARD_"):
        _values.clear()
    if setting == "HTMLGUARD_POLICIES":
        loaded()


def project_policies() -> Mapping[str, Policy]:
    """The policies ``HTMLGUARD_POLICIES`` declares that built, by name."""
    return loaded().policies


def resolve_policy(policy: str | Policy | None = None) -> Policy:
    """`policy` as a Policy: None is ``HTMLGUARD_DEFAULT_POLICY``; a name is looked up in
    ``HTMLGUARD_POLICIES``, then in :data:`htmlguard.policies`.

    A name whose ``HTMLGUARD_POLICIES`` entry is invalid raises its
    :class:`~htmlguard.PolicyError`; an unknown name :class:`~htmlguard.UnknownPolicyError`.
    """
    state = loaded()
    if policy is None:
        policy = default_policy()
    if isinstance(policy, str) and policy not in state.policies:
        problem = state.errors.get(policy)
        if problem is None and policy not in PRESET_NAMES:
            # The whole setting is invalid: any name might have been meant there, but a
            # preset's name always means the preset.
            problem = state.errors.get("")
        if problem is not None:
            raise PolicyError(problem)
    return _settings.lookup(state.policies, policy)


def default_policy() -> str | Policy:
    """``HTMLGUARD_DEFAULT_POLICY``, checked (a name that is not known raises)."""
    value = setting("HTMLGUARD_DEFAULT_POLICY")
    return _settings.check_default(value, loaded().policies)


def sanitize(html: str, policy: str | Policy | None = None) -> str:
    """`html` sanitized with `policy` (default: ``HTMLGUARD_DEFAULT_POLICY``)."""
    return resolve_policy(policy).sanitize(html)


_CORE_KEYS = (
    "HTMLGUARD_FIELDS",
    "HTMLGUARD_PATHS",
    "HTMLGUARD_MODE",
    "HTMLGUARD_MAX_BODY_BYTES",
    "HTMLGUARD_ON_FAULT",
)


def request_core() -> RequestCore | None:
    """The request middleware's core for the current settings, or None when
    ``HTMLGUARD_FIELDS`` selects nothing. Built again only when one of its settings (or
    ``HTMLGUARD_POLICIES``) is a new value; invalid settings raise here (TypeError,
    ValueError, UnknownPolicyError), as ``manage.py check`` reports them."""
    global _core
    state = loaded()
    key = (state, *(setting(k) for k in _CORE_KEYS))
    cached = _core
    if cached is not None and _same(cached[0], key):
        return cached[1]
    core = _settings.request_core(setting, state.policies)
    _core = (key, core)
    return core


def _same(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    return len(a) == len(b) and all(x is y or x == y for x, y in zip(a, b, strict=True))
