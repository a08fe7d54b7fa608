"""The Flask extension: policies from config, the ``sanitize`` template filter, and the
request middleware.

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
    name -> dict for :meth:`htmlguard.Policy.from_dict`; each is built and registered in
    :data:`htmlguard.policies` at init (replacing an earlier one of the same name, so an app
    factory can run twice). A bad dict raises :class:`~htmlguard.PolicyError` whose message
    starts with ``HTMLGUARD_POLICIES['name']:``; so does a preset's name.
``HTMLGUARD_DEFAULT_POLICY``
    what ``{{ value|sanitize }}`` and :meth:`HTMLGuard.sanitize` use (default ``"ugc"``); an
    unknown name raises :class:`~htmlguard.UnknownPolicyError` at init.
``HTMLGUARD_FIELDS``, ``HTMLGUARD_PATHS``, ``HTMLGUARD_MODE``, ``HTMLGUARD_MAX_BODY_BYTES``, \
``HTMLGUARD_ON_FAULT``
    when ``HTMLGUARD_FIELDS`` is set and not empty, ``app.wsgi_app`` is wrapped in
    :class:`htmlguard.wsgi.HTMLGuardMiddleware` with ``fields``, ``paths``, ``mode``,
    ``max_body_bytes`` and ``on_fault`` taken from these keys.

Needs the ``flask`` extra (``pip install 'htmlguard[flask]'``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from ._core import PRESET_NAMES, Policy, Report, policies, resolve_policy
from ._policy import Policy as PublicPolicy
from .errors import PolicyError, UnknownPolicyError
from .jinja import install
from .wsgi import HTMLGuardMiddleware

__all__ = ["EXTENSION_NAME", "HTMLGuard", "HTMLGuardState", "get_state"]

#: The key of :attr:`flask.Flask.extensions` the extension's state is stored under.
EXTENSION_NAME = "htmlguard"


@dataclass(frozen=True)
class HTMLGuardState:
    """What :meth:`HTMLGuard.init_app` set up on one app (``app.extensions["htmlguard"]``)."""

    #: The policy ``{{ value|sanitize }}`` and :meth:`HTMLGuard.sanitize` use.
    default_policy: str | Policy
    #: The names registered from ``HTMLGUARD_POLICIES``, in config order.
    policies: tuple[str, ...]
    #: The request middleware around ``app.wsgi_app``, or None without ``HTMLGUARD_FIELDS``.
    middleware: HTMLGuardMiddleware | None


class HTMLGuard:
    """The Flask extension; see the module documentation.

    Like other Flask extensions it keeps no reference to an app: one instance can be
    initialised on several apps, each with its own config.
    """

    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Register the configured policies, install the filter and, if configured, the
        request middleware. Configuration errors are raised here, not on first use."""
        config = app.config
        config.setdefault("HTMLGUARD_POLICIES", {})
        config.setdefault("HTMLGUARD_DEFAULT_POLICY", "ugc")
        config.setdefault("HTMLGUARD_FIELDS", None)
        config.setdefault("HTMLGUARD_PATHS", None)
        config.setdefault("HTMLGUARD_MODE", "clean")
        config.setdefault("HTMLGUARD_ON_FAULT", "pass")

        built = _build_policies(config["HTMLGUARD_POLICIES"])
        for name, policy in built.items():
            policies.register(name, policy, replace=True)
        default = _check_default(config["HTMLGUARD_DEFAULT_POLICY"])

        previous = app.extensions.get(EXTENSION_NAME)
        if (
            isinstance(previous, HTMLGuardState)
            and previous.middleware is not None
            and app.wsgi_app is previous.middleware
        ):
            # init_app again on the same app: replace our middleware, do not stack a second.
            app.wsgi_app = previous.middleware.app  # type: ignore[method-assign, assignment]

        middleware = None
        fields = config["HTMLGUARD_FIELDS"]
        if fields:
            options: dict[str, Any] = {}
            if config.get("HTMLGUARD_MAX_BODY_BYTES") is not None:
                options["max_body_bytes"] = config["HTMLGUARD_MAX_BODY_BYTES"]
            middleware = HTMLGuardMiddleware(
                app.wsgi_app,
                fields=fields,
                default_policy=None,
                paths=config["HTMLGUARD_PATHS"],
                mode=config["HTMLGUARD_MODE"] or "clean",
                on_fault=config["HTMLGUARD_ON_FAULT"] or "pass",
                **options,
            )
            app.wsgi_app = middleware  # type: ignore[method-assign]

        install(app.jinja_env, default_policy=default)
        app.extensions[EXTENSION_NAME] = HTMLGuardState(
            default_policy=default, policies=tuple(built), middleware=middleware
        )

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


def _policy_for(policy: str | Policy | None) -> Policy:
    return resolve_policy(get_state().default_policy if policy is None else policy)


def _build_policies(value: object) -> dict[str, Policy]:
    """Every policy of ``HTMLGUARD_POLICIES``, all built before any is registered."""
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
            built[name] = PublicPolicy.from_dict(spec)
        except (TypeError, ValueError) as e:  # PolicyError is a ValueError
            raise PolicyError(f"{where}: {e}") from e
    return built


def _check_default(value: object) -> str | Policy:
    if isinstance(value, Policy):
        return value
    if not isinstance(value, str):
        raise TypeError(
            "HTMLGUARD_DEFAULT_POLICY: expected a policy name or a Policy, "
            f"got {type(value).__name__}"
        )
    try:
        resolve_policy(value)
    except UnknownPolicyError as e:
        raise UnknownPolicyError(f"HTMLGUARD_DEFAULT_POLICY: {e}") from e
    return value
