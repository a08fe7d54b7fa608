"""WTForms support: a field that sanitizes what is submitted, and a validator that refuses
disallowed HTML.

::

    from wtforms import Form, StringField
    from htmlguard.wtforms import NoDisallowedHTML, SanitizedHTMLField

    class PostForm(Form):
        body = SanitizedHTMLField("Body", policy="ugc")                 # data is cleaned
        bio = SanitizedHTMLField("Bio", policy="basic", mode="reject")  # or refused
        title = StringField("Title", validators=[NoDisallowedHTML("strict")])

A policy is a name or a :class:`htmlguard.Policy`. Names are looked up when the form is
processed or validated: in the current Flask app's ``HTMLGUARD_POLICIES`` when there is an
app context with the ``HTMLGuard`` extension on it, then in :data:`htmlguard.policies`. So a
form class can name a policy its app configures later, and each app gets its own.

Needs WTForms (``pip install 'htmlguard[flask]'`` brings it).
"""

from __future__ import annotations

import sys
from typing import Any

from wtforms import Field, TextAreaField
from wtforms.form import BaseForm
from wtforms.validators import ValidationError

from ._core import DEFAULT_POLICY, Policy, Report, resolve_policy
from .errors import InputTooLargeError

__all__ = ["MODES", "NoDisallowedHTML", "SanitizedHTMLField", "disallowed_message"]

#: ``SanitizedHTMLField`` modes: ``"clean"`` sanitizes the data, ``"reject"`` fails validation.
MODES = ("clean", "reject")


def disallowed_message(report: Report) -> str:
    """The validation message for a report that would remove something.

    >>> from htmlguard import inspect
    >>> disallowed_message(inspect('<a href="/x" onclick="go()">x</a>'))
    'Disallowed HTML: would remove 1 attribute (a[onclick])'
    """
    return f"Disallowed HTML: {_would_remove(str(report))}"


def _would_remove(summary: str) -> str:
    """``str(report)`` ("removed ...") reworded for input that is refused, not changed."""
    done = "removed "
    return "would remove " + summary[len(done) :] if summary.startswith(done) else summary


def _check_policy(policy: object) -> None:
    if not isinstance(policy, (str, Policy)):
        raise TypeError(f"policy must be a registered name or a Policy, got {policy!r}")


def _resolve(policy: str | Policy) -> Policy:
    if "htmlguard.flask" in sys.modules:
        # Only the Flask extension gives apps their own policies, and no app can have them
        # unless it was imported; importing it (and Flask) here would tie WTForms to Flask.
        from .flask import resolve_policy as resolve_in_app

        return resolve_in_app(policy)
    return resolve_policy(policy)


def _problem(policy: str | Policy, value: str) -> str | None:
    """Why `value` is refused under `policy`, or None if nothing would be removed."""
    try:
        report = _resolve(policy).inspect(value)
    except InputTooLargeError as e:
        return str(e)
    return disallowed_message(report) if report.total else None


class SanitizedHTMLField(TextAreaField):
    """A ``TextAreaField`` for user HTML.

    ``mode="clean"`` (default): after a submission, :attr:`data` is the sanitized HTML and
    :attr:`raw_data` what was sent. An input over the policy's ``max_input_bytes`` leaves
    :attr:`data` empty and fails validation.

    ``mode="reject"``: :attr:`data` is what was sent, and validation fails with a message
    naming what the policy would remove (``Disallowed HTML: would remove 1 attribute
    (a[onclick])``).

    Only submitted form data is sanitized; ``data=``/``obj=`` values come from the app.
    """

    def __init__(
        self,
        label: str | None = None,
        validators: tuple[Any, ...] | list[Any] | None = None,
        *,
        policy: str | Policy = DEFAULT_POLICY,
        mode: str = "clean",
        **kwargs: Any,
    ) -> None:
        _check_policy(policy)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        super().__init__(label, validators, **kwargs)
        self.policy = policy
        self.mode = mode

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.mode != "clean" or not isinstance(self.data, str) or not self.data:
            return
        try:
            self.data = _resolve(self.policy).sanitize(self.data)
        except InputTooLargeError as e:
            self.data = ""  # never leave the unsanitized text in `data`
            raise ValueError(str(e)) from e  # WTForms records it as a validation error

    def pre_validate(self, form: BaseForm) -> None:
        super().pre_validate(form)
        if self.mode != "reject" or not isinstance(self.data, str) or not self.data:
            return
        problem = _problem(self.policy, self.data)
        if problem is not None:
            raise ValidationError(problem)


class NoDisallowedHTML:
    """A validator for any string field: fails if `policy` would remove anything.

    The message is `message` if given, else ``Disallowed HTML: would remove ...`` naming
    what would be removed. Empty and non-string data pass (combine with ``DataRequired`` to
    require a value).
    """

    def __init__(self, policy: str | Policy = DEFAULT_POLICY, message: str | None = None) -> None:
        _check_policy(policy)
        self.policy = policy
        self.message = message

    def __call__(self, form: BaseForm, field: Field) -> None:
        data = field.data
        if not isinstance(data, str) or not data:
            return
        problem = _problem(self.policy, data)
        if problem is not None:
            raise ValidationError(self.message if self.message is not None else problem)
