"""System checks (``manage.py check``), ids ``htmlguard.E0xx`` (errors) and ``W0xx``.

- E001 ``HTMLGUARD_POLICIES`` is not a mapping, or one of its policies does not build.
- E002 ``HTMLGUARD_DEFAULT_POLICY`` is unknown (or not a name or a Policy).
- E003 ``HTMLGUARD_FIELDS`` names an unknown policy (or is not a mapping).
- E004 a model field's ``policy=`` is unknown (the field's own check).
- E005 a request middleware setting is invalid (``HTMLGUARD_MODE``, ``_PATHS``,
  ``_ON_FAULT``, ``_MAX_BODY_BYTES``), whether or not ``HTMLGUARD_FIELDS`` is set.
- W001 a policy allows ``style`` attributes without ``filter_style_properties``: any CSS
  passes, including what hides or overlays the page (settings, and model fields given a
  Policy).
- W002 ``HTMLGuardMiddleware`` comes after a middleware that reads the request body (it
  then cannot clean it), found by reading that middleware's request code.
- W003 ``HTMLGUARD_FIELDS`` is set but ``HTMLGuardMiddleware`` is not in ``MIDDLEWARE``.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from .. import _settings
from .._core import Policy
from ..errors import PolicyError, UnknownPolicyError
from . import conf

MIDDLEWARE_PATH = "htmlguard.django.middleware.HTMLGuardMiddleware"

# What request code that reads the body looks like: request.body/POST/FILES/read()...
_READS_BODY = re.compile(
    r"\b(?:request|req)\s*\.\s*(?:body|POST|FILES|read|readline|readlines|stream|_stream|"
    r"__iter__)\b"
)
_REQUEST_HOOKS = ("__call__", "__acall__", "process_request")


def register() -> None:
    """Register the checks (once; AppConfig.ready calls this)."""
    for check in (
        check_policies,
        check_default,
        check_fields,
        check_middleware_settings,
        check_middleware,
    ):
        checks.register(check, "htmlguard")


def check_policies(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    state = conf.loaded()
    found: list[checks.CheckMessage] = [
        checks.Error(message, id="htmlguard.E001") for message in state.errors.values()
    ]
    for name, policy in state.policies.items():
        if style_unfiltered(policy):
            found.append(style_warning(f"HTMLGUARD_POLICIES[{name!r}]"))
    default = conf.setting("HTMLGUARD_DEFAULT_POLICY")
    if isinstance(default, Policy) and style_unfiltered(default):
        found.append(style_warning("HTMLGUARD_DEFAULT_POLICY"))
    return found


def check_default(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        conf.default_policy()
    except (UnknownPolicyError, PolicyError, TypeError) as e:
        return [checks.Error(str(e), id="htmlguard.E002")]
    return []


def check_fields(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    fields = conf.setting("HTMLGUARD_FIELDS")
    if not fields:
        return []
    state = conf.loaded()
    try:
        resolved = _settings.resolve_fields(fields, state.policies)
    except (UnknownPolicyError, PolicyError, TypeError) as e:
        return [checks.Error(str(e), id="htmlguard.E003")]
    found: list[checks.CheckMessage] = []
    for selector, policy in resolved.items():
        named = fields[selector]
        if isinstance(named, Policy) and style_unfiltered(policy):
            found.append(style_warning(f"HTMLGUARD_FIELDS[{selector!r}]"))
    return found


def check_middleware_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problems = _settings.middleware_problems(conf.setting)
    return [checks.Error(str(problem), id="htmlguard.E005") for problem in problems.values()]


def check_middleware(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    stack = list(getattr(settings, "MIDDLEWARE", None) or ())
    if MIDDLEWARE_PATH not in stack:
        if conf.setting("HTMLGUARD_FIELDS"):
            return [
                checks.Warning(
                    "HTMLGUARD_FIELDS is set but HTMLGuardMiddleware is not in MIDDLEWARE: "
                    "no request body is cleaned",
                    hint=f"Add {MIDDLEWARE_PATH!r} to MIDDLEWARE, before any middleware "
                    "that reads request.POST or request.body.",
                    id="htmlguard.W003",
                )
            ]
        return []
    found: list[checks.CheckMessage] = []
    for path in stack[: stack.index(MIDDLEWARE_PATH)]:
        hook = _body_reader(path)
        if hook is not None:
            found.append(
                checks.Warning(
                    f"HTMLGuardMiddleware comes after {path}, whose {hook} reads the request "
                    "body: it sees the body before it is cleaned, and the middleware then "
                    "cannot clean it",
                    hint=f"Move {MIDDLEWARE_PATH!r} above {path!r} in MIDDLEWARE.",
                    id="htmlguard.W002",
                )
            )
    return found


def _body_reader(path: str) -> str | None:
    """The hook of middleware `path` whose source reads the request body, if any."""
    try:
        middleware = import_string(path)
    except ImportError:
        return None  # Django's own checks and start-up report it
    # A class: the hooks that run before the view; a function: the factory and its inner
    # middleware function, all one source.
    hooks = _REQUEST_HOOKS if isinstance(middleware, type) else ("",)
    for hook in hooks:
        function = getattr(middleware, hook, None) if hook else middleware
        if function is None or _defined_by_django(function):
            continue
        try:
            source = inspect.getsource(function)
        except (OSError, TypeError):
            continue
        if _READS_BODY.search(source):
            return f"{hook}()" if hook else "code"
    return None


def _defined_by_django(function: Any) -> bool:
    module = getattr(function, "__module__", "") or ""
    return module.startswith("django.")  # MiddlewareMixin.__call__: calls process_request


def style_unfiltered(policy: Policy) -> bool:
    """Whether `policy` keeps ``style`` attributes with any CSS in them."""
    if policy.filter_style_properties is not None:
        return False
    named = set(policy.generic_attributes).union(*policy.tag_attributes.values())
    return "style" in named or any("style".startswith(p) for p in policy.generic_attribute_prefixes)


def style_warning(where: str) -> checks.Warning:
    return checks.Warning(
        f"{where} allows the style attribute without filter_style_properties: any CSS "
        "passes (positioning over the page, hidden text, tracking images)",
        hint="Set filter_style_properties to the CSS properties users may set.",
        id="htmlguard.W001",
    )
