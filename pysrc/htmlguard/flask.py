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

``flask htmlguard resanitize``
    re-sanitizes stored HTML in a table of the app's database (``SQLALCHEMY_DATABASE_URI``,
    or ``--url``) with :func:`htmlguard.bulk.sql.run_sql`, policies named as the app names
    them: ``flask htmlguard resanitize --table posts --column body=ugc [--dry-run]``.
    Needs the ``bulk`` extra as well.

Needs the ``flask`` extra (``pip install 'htmlguard[flask]'``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import click
from flask import Flask, current_app, has_app_context
from flask.cli import AppGroup

from . import _settings
from ._core import Policy, Report
from ._core import resolve_policy as resolve_global
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
        return _settings.lookup(self.policies, policy)


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
        for key, value in _settings.DEFAULTS.items():
            config.setdefault(key, value)

        own = MappingProxyType(_settings.build_policies(config["HTMLGUARD_POLICIES"]))
        default = _settings.check_default(config["HTMLGUARD_DEFAULT_POLICY"], own)

        inner: Callable[..., Any] = app.wsgi_app
        previous = app.extensions.get(EXTENSION_NAME)
        if (
            isinstance(previous, HTMLGuardState)
            and previous.middleware is not None
            and inner is previous.middleware
        ):
            # init_app again on the same app: replace our middleware, do not stack a second.
            inner = previous.middleware.app

        options = _settings.middleware_options(config.get, own)
        middleware = None if options is None else HTMLGuardMiddleware(inner, **options)

        state = HTMLGuardState(default_policy=default, policies=own, middleware=middleware)
        # The filter belongs to this app's environment, so it resolves through this state
        # (no app context needed to render).
        install(app.jinja_env, default_policy=default, resolve=state.resolve)
        outer = inner if middleware is None else middleware
        if app.wsgi_app is not outer:
            app.wsgi_app = outer  # type: ignore[method-assign]
        app.extensions[EXTENSION_NAME] = state
        app.cli.add_command(commands)

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


def _policy_for(policy: str | Policy | None) -> Policy:
    state = get_state()
    return state.resolve(state.default_policy if policy is None else policy)


# ------------------------------------------------------------------ flask htmlguard ...

#: The ``flask htmlguard`` group (its commands run in the app's context).
commands = AppGroup("htmlguard", help="htmlguard's commands.")


@commands.command("resanitize")
@click.option("--url", help="SQLAlchemy URL (default: the app's SQLALCHEMY_DATABASE_URI)")
@click.option("--table", required=True, help="the table (may be schema.table)")
@click.option("--key", help="the unique column batches are ordered by (the primary key)")
@click.option(
    "--column",
    "-c",
    "columns",
    multiple=True,
    required=True,
    metavar="COLUMN=POLICY",
    help="a column and the policy for it (the app's HTMLGUARD_POLICIES, then registered)",
)
@click.option("--dry-run", is_flag=True, help="write nothing; report with sample changes")
@click.option("--batch-size", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), help="threads sanitizing (one per core)")
@click.option("--checkpoint", help="the checkpoint file (TABLE.htmlguard-checkpoint)")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def resanitize(
    url: str | None,
    table: str,
    key: str | None,
    columns: tuple[str, ...],
    dry_run: bool,
    batch_size: int,
    workers: int | None,
    checkpoint: str | None,
    as_json: bool,
) -> None:
    """Re-sanitize stored HTML in a table, in batches (the same job as `htmlguard bulk`).

    Exit status 1 if rows failed, 2 if the job could not start or go on (run again to
    continue from the last committed batch).
    """
    import json

    from .bulk.cli import report_text
    from .bulk.sql import run_sql
    from .errors import HTMLGuardError

    state = get_state()
    url = url or current_app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        raise click.UsageError("no database: set SQLALCHEMY_DATABASE_URI or pass --url")
    chosen: dict[str, Policy] = {}
    try:
        for spec in columns:
            column, sep, name = spec.partition("=")
            if not sep or not column or not name:
                raise click.BadParameter(f"{spec!r}: expected COLUMN=POLICY", param_hint="--column")
            chosen[column] = state.resolve(name)
        report = run_sql(
            url,
            table,
            chosen,
            key=key,
            dry_run=dry_run,
            batch_size=batch_size,
            checkpoint=checkpoint,
            workers=workers,
        )
    except HTMLGuardError as e:  # htmlguard.bulk's BulkError, UnknownPolicyError...
        click.echo(f"Error: {e}", err=True)
        raise SystemExit(2) from None
    except Exception as e:
        if not type(e).__module__.startswith("sqlalchemy"):
            raise
        click.echo(f"Error: database error: {e}; run again to continue", err=True)
        raise SystemExit(2) from None
    if as_json:
        click.echo(json.dumps({"dry_run": dry_run, **report.to_dict()}, default=str))
    else:
        click.echo(report_text(report, dry_run), nl=False)
    if report.failed:
        raise SystemExit(1)
