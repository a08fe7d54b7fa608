"""The errors a bulk job raises before or instead of processing rows (a bad row is never
an exception: it is a :class:`~htmlguard.bulk.report.Failure` in the report)."""

from __future__ import annotations

import importlib
from types import ModuleType

from htmlguard.errors import HTMLGuardError

#: What to install for the optional dependencies of htmlguard.bulk.
EXTRA_HINT = "pip install 'htmlguard[bulk]'"


class BulkError(HTMLGuardError):
    """A job that cannot start or go on: a bad source, destination, column or checkpoint,
    or a missing optional dependency. The CLI prints it as one line (exit status 2)."""


class CheckpointError(BulkError):
    """A checkpoint that belongs to another job, or output that no longer matches it."""


def require(module: str, what: str) -> ModuleType:
    """Import `module` (an optional dependency), or raise a :class:`BulkError` naming the
    extra that brings it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise BulkError(f"{what} needs {module.split('.')[0]}: {EXTRA_HINT}") from None
