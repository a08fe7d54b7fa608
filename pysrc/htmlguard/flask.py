"""The Flask extension: per-app policies from config, the ``sanitize`` template filter,
and the request middleware.

::

    from htmlguard.flask import HTMLGuard

    guard = HTMLGuard()                 # or HTMLGuard(app)

    def create_app() -> Flask:
        app = Flask(__name__)
        app.config["HTMLGUARD_POLICIES"] = {"bio": {"tags": ["b", "i"]}}
        app.config["HTMLGUARD_FIELDS"] = {"description": "ugc", "bio": "bio"}
        guard.init_app(app)
        return app

Config keys (all optional):

``HTMLGUARD_POLICIES``
    name -> dict for :meth:`htmlguard.Policy.from_dict`; each is built at init and kept in
    the app's state, not in :data:`htmlguard.policies`, so two apps in one process may
    each have their own ``"bio"``. A bad dict raises :class:`~htmlguard.PolicyError` whose
    message starts with ``HTMLGUARD_POLICIES['name']:``; so does a preset's name.
``HTMLGUARD_DEFAULT_POLICY``
    what ``{{ value|sanitize }}`` and :meth:`HTMLGuard.sanitize` use (default ``"ugc"``); an
    unknown name raises :class:`~htmlguard.UnknownPolicyError` at init.
``HTMLGUARD_FIELDS``, ``HTMLGUARD_PATHS``, ``HTMLGUARD_MODE``, ``HTMLGUARD_MAX_BODY_BYTES``, \
``HTMLGUARD_ON_FAULT``
    when ``HTMLGUARD_FIELDS`` is set and not empty, ``app.wsgi_app`` is wrapped in
    :class:`htmlguard.wsgi.HTMLGuardMiddleware` with ``fields``, ``paths``, ``mode``,
    ``max_body_bytes`` and ``on_fault`` taken from these keys.

Every part of the integration (the filter, :meth:`HTMLGuard.sanitize`, the WTForms field
and validator, the middleware) looks a policy name up in the app's ``HTMLGUARD_POLICIES``
first, then in :data:`htmlguard.policies` (the presets and what the program registered):
see :func:`resolve_policy`.

Needs the ``flask`` extra (``pip install 'htmlguard[flask]'``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from flask import Flask, current_app, has_app_context

from ._core import DEFAULT_POLICY, PRESET_NAMES, Policy, Report
from ._core import resolve_policy as resolve_global
from .errors import PolicyError, UnknownPolicyError
from .jinja import install
from .wsgi import HTMLGuardMiddleware

__all__ = ["EXTENSION_NAME", "HTMLGuard", "HTMLGuardState", "get_state", "resolve_policy"]

#: The key of :attr:`flask.Flask.extensions` the extension's state is stored under.
EXTENSION_NAME = "htmlguard"


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: a Mapping is unhashable
class HTMLGuardState:
    """What :meth:`HTMLGuard.init_app` set up on one app (``app.extensions["htmlguard"]``)."""

    #: The policy ``{{ value|sanitize }}`` and :meth:`HTMLGuard.sanitize` use.
    default_policy: str | Policy
    #: This app's policies from ``HTMLGUARD_POLICIES``, name -> Policy in config order.
    policies: Mapping[str, Policy]
    #: The request middleware around ``app.wsgi_app``, or None without ``HTMLGUARD_FIELDS``.
    middleware: HTMLGuardMiddleware | None

    def resolve(self, policy: str | Policy) -> Policy:
        """`policy` as a Policy: a name is looked up in this app's policies, then in
        :data:`htmlguard.policies`."""
        return _lookup(self.policies, policy)


class HTMLGuard:
    """The Flask extension; see the module documentation.

    Like other Flask extensions it keeps no reference to an app: one instance can be
    initialised on several apps, each with its own config and policies.
    """

    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Build the app's policies, install the filter and, if configured, the request
        middleware. Configuration errors are raised here, not on first use, and leave the
        app as it was."""
        config = app.config
        config.setdefault("HTMLGUARD_POLICIES", {})
        config.setdefault("HTMLGUARD_DEFAULT_POLICY", DEFAULT_POLICY)
        config.setdefault("HTMLGUARD_FIELDS", None)
        config.setdefault("HTMLGUARD_PATHS", None)
        config.setdefault("HTMLGUARD_MODE", "clean")
        config.setdefault("HTMLGUARD_ON_FAULT", "pass")

        own = MappingProxyType(_build_policies(config["HTMLGUARD_POLICIES"]))
        default = _check_default(config["HTMLGUARD_DEFAULT_POLICY"], own)

        inner: Callable[..., Any] = app.wsgi_app
        previous = app.extensions.get(EXTENSION_NAME)
        if (
            isinstance(previous, HTMLGuardState)
            and previous.middleware is not None
            and inner is previous.middleware
        ):
            # init_app again on the same app: replace our middleware, do not stack a second.
            inner = previous.middleware.app

        middleware = None
        fields = config["HTMLGUARD_FIELDS"]
        if fields:
            options: dict[str, Any] = {}
            if config.get("HTMLGUARD_MAX_BODY_BYTES") is not None:
                options["max_body_bytes"] = config["HTMLGUARD_MAX_BODY_BYTES"]
            middleware = HTMLGuardMiddleware(
                inner,
                # Policy objects, not names: the middleware knows only the global registry.
                fields=_resolve_fields(fields, own),
                default_policy=None,
                paths=config["HTMLGUARD_PATHS"],
                mode=config["HTMLGUARD_MODE"] or "clean",
                on_fault=config["HTMLGUARD_ON_FAULT"] or "pass",
                **options,
            )

        state = HTMLGuardState(default_policy=default, policies=own, middleware=middleware)
        # The filter belongs to this app's environment, so it resolves through this state
        # (no app context needed to render).
        install(app.jinja_env, default_policy=default, resolve=state.resolve)
        outer = inner if middleware is None else middleware
        if app.wsgi_app is not outer:
            app.wsgi_app = outer  # type: ignore[method-assign]
        app.extensions[EXTENSION_NAME] = state

    def sanitize(self, html: str, policy: str | Policy | None = None) -> str:
        """Sanitize `html` with `policy`, by default the current app's default policy.

        Needs an app context (a request, a CLI command, ``app.app_context()``).
        """
        return _policy_for(policy).sanitize(html)

    def inspect(self, html: str, policy: str | Policy | None = None) -> Report:
        """:meth:`htmlguard.Policy.inspect` with the current app's default policy."""
        return _policy_for(policy).inspect(html)


def get_state(app: Flask | None = None) -> HTMLGuardState:
    """The extension's state on `app` (default: ``flask.current_app``)."""
    target = current_app if app is None else app
    state = target.extensions.get(EXTENSION_NAME)
    if not isinstance(state, HTMLGuardState):
        raise RuntimeError(
            "HTMLGuard is not initialised on this app: call HTMLGuard(app) or guard.init_app(app)"
        )
    return state


def resolve_policy(policy: str | Policy) -> Policy:
    """`policy` as a Policy, the way the whole integration resolves a name: in the current
    app's ``HTMLGUARD_POLICIES`` when there is an app context and HTMLGuard is initialised
    on that app, then in :data:`htmlguard.policies`.

    Raises :class:`~htmlguard.UnknownPolicyError` for a name neither knows.
    """
    state = current_app.extensions.get(EXTENSION_NAME) if has_app_context() else None
    if isinstance(state, HTMLGuardState):
        return state.resolve(policy)
    return resolve_global(policy)


def _lookup(own: Mapping[str, Policy], policy: str | Policy) -> Policy:
    if isinstance(policy, str):
        found = own.get(policy)
        if found is not None:
            return found
    try:
        return resolve_global(policy)  # also the TypeError for what is neither
    except UnknownPolicyError as e:
        if not own:
            raise
        # The global message lists only the global names; the app's are candidates too.
        raise UnknownPolicyError(f"{e}; this app's HTMLGUARD_POLICIES: {', '.join(own)}") from e


def _policy_for(policy: str | Policy | None) -> Policy:
    state = get_state()
    return state.resolve(state.default_policy if policy is None else policy)


def _build_policies(value: object) -> dict[str, Policy]:
    """Every policy of ``HTMLGUARD_POLICIES``, built; a preset's name is refused (presets
    are reserved, so a name means the same preset in every app)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PolicyError(
            "HTMLGUARD_POLICIES: expected a mapping of name -> policy dict, "
            f"got {type(value).__name__}"
        )
    built: dict[str, Policy] = {}
    for name, spec in value.items():
        where = f"HTMLGUARD_POLICIES[{name!r}]"
        if not isinstance(name, str) or not name:
            raise PolicyError(f"{where}: a policy name must be a non-empty str")
        if name in PRESET_NAMES:
            raise PolicyError(
                f"{where}: {name!r} is a built-in preset and cannot be replaced; "
                "give your policy another name"
            )
        if isinstance(spec, Policy):
            built[name] = spec
            continue
        if not isinstance(spec, Mapping):
            raise PolicyError(
                f"{where}: expected a dict for Policy.from_dict, got {type(spec).__name__}"
            )
        try:
            built[name] = Policy.from_dict(spec)
        except (TypeError, ValueError) as e:  # PolicyError is a ValueError
            raise PolicyError(f"{where}: {e}") from e
    return built


def _check_default(value: object, own: Mapping[str, Policy]) -> str | Policy:
    if isinstance(value, Policy):
        return value
    if not isinstance(value, str):
        raise TypeError(
            "HTMLGUARD_DEFAULT_POLICY: expected a policy name or a Policy, "
            f"got {type(value).__name__}"
        )
    try:
        _lookup(own, value)
    except UnknownPolicyError as e:
        raise UnknownPolicyError(f"HTMLGUARD_DEFAULT_POLICY: {e}") from e
    return value


def _resolve_fields(value: object, own: Mapping[str, Policy]) -> dict[str, Policy]:
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
            resolved[selector] = _lookup(own, policy)
        except UnknownPolicyError as e:
            raise UnknownPolicyError(f"{where}: {e}") from e
        except TypeError as e:
            raise TypeError(f"{where}: {e}") from e
    return resolved
