"""Exceptions raised by htmlguard.

Every error the package raises on purpose is an :class:`HTMLGuardError`, and each also
derives from the builtin a caller would naturally catch (``ValueError``, ``LookupError``).
"""

from __future__ import annotations

__all__ = [
    "HTMLGuardError",
    "InputTooLargeError",
    "InvalidUTF8Error",
    "PolicyError",
    "UnknownPolicyError",
]


class HTMLGuardError(Exception):
    """Base class of htmlguard's errors."""


class PolicyError(HTMLGuardError, ValueError):
    """A policy cannot be built: an unknown, invalid or conflicting option.

    The message starts with the option (or both options, for a conflict) to change.
    """


class UnknownPolicyError(HTMLGuardError, LookupError):
    """No policy is registered under the given name."""


class InputTooLargeError(HTMLGuardError, ValueError):
    """The input is longer than the policy's ``max_input_bytes``."""


class InvalidUTF8Error(HTMLGuardError, ValueError):
    """Bytes given as UTF-8 are not; the message names the byte offset of the first bad one."""
