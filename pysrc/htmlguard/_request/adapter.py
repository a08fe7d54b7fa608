"""What the WSGI and ASGI middleware classes share: the wrapped app, and the core built from
the public options (the same keywords and defaults for both)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Generic, TypeVar

from .._core import Policy
from .core import DEFAULT_MAX_BODY_BYTES, DEFAULT_METHODS, RequestCore

AppT = TypeVar("AppT")


class GuardedApp(Generic[AppT]):
    """The wrapped app (``.app``) and its ``RequestCore`` (``.core``)."""

    def __init__(
        self,
        app: AppT,
        *,
        fields: Mapping[str, str | Policy] | None = None,
        default_policy: str | Policy | None = None,
        paths: Iterable[str] | None = None,
        methods: Iterable[str] = DEFAULT_METHODS,
        mode: str = "clean",
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        on_fault: str = "pass",
    ) -> None:
        self.app = app
        self.core = RequestCore(
            fields=fields,
            default_policy=default_policy,
            paths=paths,
            methods=methods,
            mode=mode,
            max_body_bytes=max_body_bytes,
            on_fault=on_fault,
        )
