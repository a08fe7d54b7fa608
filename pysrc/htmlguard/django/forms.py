"""``SanitizedHTMLField``: a form field that cleans or refuses disallowed HTML.

::

    from htmlguard.django.forms import SanitizedHTMLField

    class CommentForm(forms.Form):
        body = SanitizedHTMLField(policy="ugc")                  # cleaned_data is sanitized
        bio = SanitizedHTMLField(policy="bio", mode="reject")    # or a validation error

ModelForms and the admin use it for ``SanitizedTextField``/``SanitizedCharField`` with the
model field's policy, keeping ``Meta.widgets``, ``max_length``, ``required`` and the other
keywords (a ``field_classes`` entry replaces it, as for any field; the model field still
sanitizes what is saved).

In ``"clean"`` mode the cleaned value is the policy's output, marked safe; ``max_length``
applies to it. In ``"reject"`` mode the value is kept as typed and a value the policy would
change by removing something fails validation (code ``"disallowed_html"``) with a message
naming what would be removed. Input over the policy's ``max_input_bytes`` fails with code
``"too_large"``. An empty value is ``empty_value`` (``""``, or None for a nullable model
field). The widget shows a value as text (escaped once, never as markup), so a stored value
saved back unchanged stays as it was.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .._core import Policy, Report
from ..errors import InputTooLargeError
from . import conf
from .html import SanitizedHTML, plain

__all__ = ["MODES", "SanitizedHTMLField", "disallowed_message"]

#: The form field's modes.
MODES = ("clean", "reject")


def disallowed_message(report: Report) -> str:
    """The validation message for a report that would remove something:
    ``'Disallowed HTML: would remove 1 tag (<script>)'``."""
    summary, done = str(report), "removed "
    if summary.startswith(done):
        summary = "would remove " + summary[len(done) :]
    return f"Disallowed HTML: {summary}"


class SanitizedHTMLField(forms.CharField):
    """A ``CharField`` (a ``Textarea`` by default) for user HTML; see the module
    documentation. `policy` is a name (looked up when the form is cleaned), a
    :class:`~htmlguard.Policy`, or None for ``HTMLGUARD_DEFAULT_POLICY``."""

    widget = forms.Textarea
    default_error_messages = {
        "disallowed_html": "%(message)s",
        "too_large": "%(message)s",
    }

    def __init__(
        self, *, policy: str | Policy | None = None, mode: str = "clean", **kwargs: Any
    ) -> None:
        if policy is not None and not isinstance(policy, (str, Policy)):
            raise TypeError(f"policy must be a registered name or a Policy, got {policy!r}")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.policy = policy
        self.mode = mode
        super().__init__(**kwargs)

    def get_policy(self) -> Policy:
        return conf.resolve_policy(self.policy)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in self.empty_values or self.mode != "clean":
            return value
        policy = self.get_policy()
        try:
            return SanitizedHTML(policy.sanitize(plain(value)), policy)
        except InputTooLargeError as e:
            raise ValidationError(
                self.error_messages["too_large"], code="too_large", params={"message": str(e)}
            ) from e

    def validate(self, value: Any) -> None:
        super().validate(value)
        if self.mode != "reject" or value in self.empty_values:
            return
        try:
            report = self.get_policy().inspect(plain(value))
        except InputTooLargeError as e:
            raise ValidationError(
                self.error_messages["too_large"], code="too_large", params={"message": str(e)}
            ) from e
        if report.total:
            raise ValidationError(
                self.error_messages["disallowed_html"],
                code="disallowed_html",
                params={"message": disallowed_message(report), "report": report},
            )

    def prepare_value(self, value: Any) -> Any:
        # The widget must escape the HTML it shows: a safe string would be put into the
        # <textarea> as markup, and the browser would send back its text, not the HTML.
        return plain(value) if isinstance(value, str) else value
