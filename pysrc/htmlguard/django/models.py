"""Model fields that store only sanitized HTML: ``SanitizedTextField`` and
``SanitizedCharField``.

::

    from htmlguard.django.models import SanitizedCharField, SanitizedTextField

    class Post(models.Model):
        title = SanitizedCharField(max_length=200, policy="strict")
        body = SanitizedTextField(policy="ugc")        # a name, a Policy, or None (default)

Every write path sanitizes: ``save()`` (``update_fields`` too), ``create()``, ModelForms and
the admin, ``QuerySet.update()``, ``bulk_create()`` and ``bulk_update()``: the value is
cleaned where Django turns it into a query parameter (``get_db_prep_save``), which all of
them call. A database expression whose result htmlguard cannot see (``Upper(...)``,
``Concat(...)``, ``Value("...")``, a column of another kind) is refused with
:class:`UnsanitizableExpressionError`; ``F()`` of a field with an equal policy is allowed.
Lookups (``filter(body__contains="<b>")``) compare with the value as given.

Reading sanitizes too: a row written by raw SQL, by another program or before the field
existed comes back as the policy's output, a :class:`SanitizedHTML` (marked safe, so
``{{ post.body }}`` renders it as HTML). Forms and serializers get a plain ``str``
(``value_from_object``), so the admin's textarea shows the HTML as text, escaped once.

A named policy is looked up when used, in ``HTMLGUARD_POLICIES`` and then in
:data:`htmlguard.policies`: changing its options in settings applies at once and makes no
migration (the field deconstructs with the name). A :class:`~htmlguard.Policy` deconstructs
as its ``to_dict()`` data.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.expressions import Case, Col, F, Value, When
from django.db.models.functions import Cast

from .._core import Policy
from ..errors import HTMLGuardError, InputTooLargeError, PolicyError, UnknownPolicyError
from . import conf, readcache
from .html import SanitizedHTML, plain

__all__ = [
    "SanitizedCharField",
    "SanitizedFieldMixin",
    "SanitizedHTML",
    "SanitizedTextField",
    "UnsanitizableExpressionError",
]

PolicyArg = str | Policy | Mapping[str, Any] | None

if TYPE_CHECKING:  # django-stubs makes the fields generic; Django's classes are not
    _TextField = models.TextField[Any, Any]
    _CharField = models.CharField[Any, Any]
else:
    _TextField = models.TextField
    _CharField = models.CharField


class UnsanitizableExpressionError(HTMLGuardError, TypeError):
    """A sanitized field was given a database expression whose value the database computes,
    so it cannot be sanitized before it is stored."""


def _policy_arg(policy: object) -> str | Policy | None:
    if policy is None or isinstance(policy, (str, Policy)):
        return policy
    if isinstance(policy, Mapping):  # a Policy's data, as a migration gives it back
        return Policy.from_dict(policy)
    raise TypeError(
        f"policy must be a registered name, a Policy or a Policy's data, got {policy!r}"
    )


@functools.lru_cache(maxsize=64)
def _without_limit(policy: Policy) -> Policy:
    return policy.derive(max_input_bytes=None)


class SanitizedFieldMixin:
    """What both fields add to Django's ``TextField``/``CharField``."""

    policy: str | Policy | None

    def __init__(self, *args: Any, policy: PolicyArg = None, **kwargs: Any) -> None:
        self.policy = _policy_arg(policy)
        super().__init__(*args, **kwargs)

    # ------------------------------------------------------------ the policy

    def get_policy(self) -> Policy:
        """The field's policy now (a name is looked up each time: settings may change)."""
        return conf.resolve_policy(self.policy)

    def sanitize(self, value: object) -> SanitizedHTML:
        """`value` (a str, a lazy string, anything ``str()`` takes) as the policy's output;
        a value that already is (a form's cleaned data, a value read back) is kept."""
        policy = self.get_policy()
        if isinstance(value, SanitizedHTML) and (value.policy is policy or value.policy == policy):
            return value
        return SanitizedHTML(policy.sanitize(plain(value)), policy)

    # ------------------------------------------------------------ writing

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)  # type: ignore[misc]
        if value is None:
            return None
        if hasattr(value, "resolve_expression"):
            self._refuse_unless_sanitized(value, type(model_instance))
            return value
        clean = self.sanitize(value)
        setattr(model_instance, self.attname, clean)  # type: ignore[attr-defined]
        return clean

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        # Every write path ends here for a plain value: save() and create() (after
        # pre_save), update() and the Value()s bulk_update() builds.
        if value is None:
            pass
        elif hasattr(value, "resolve_expression"):
            # Django >= 6.0 hands update()'s expressions here too (older versions only to
            # get_placeholder, below).
            self._refuse_unless_sanitized(value, self.model)  # type: ignore[attr-defined]
        else:
            value = plain(self.sanitize(value))
        return super().get_db_prep_save(value, connection)  # type: ignore[misc]

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        # The SQL compilers ask each field for its placeholder before they compile an
        # UPDATE's value: the one place an expression given to update() can be seen.
        if hasattr(value, "resolve_expression"):
            self._refuse_unless_sanitized(value, self.model)  # type: ignore[attr-defined]
        return "%s"

    def _refuse_unless_sanitized(self, expression: Any, model: Any) -> None:
        bad = self._unsanitized_part(expression, model)
        if bad is not None:
            raise UnsanitizableExpressionError(
                f"{self._label()} is a {type(self).__name__}: it cannot store the database "
                f"expression {bad!r}, whose value htmlguard never sees to sanitize; pass a "
                "str (or F() of a field with the same policy)"
            )

    def _unsanitized_part(self, expr: Any, model: Any) -> Any:
        """The part of `expr` whose value could be unsanitized, or None."""
        if isinstance(expr, Value):
            if expr.value is None:
                return None
            # bulk_update() wraps each value in Value(output_field=field), whose SQL goes
            # through that field's get_db_prep_save.
            return None if self._same_policy(getattr(expr, "_output_field_or_none", None)) else expr
        if isinstance(expr, Case):
            for part in (*expr.cases, expr.default):
                bad = self._unsanitized_part(part, model)
                if bad is not None:
                    return bad
            return None
        if isinstance(expr, When):
            return self._unsanitized_part(expr.result, model)
        if isinstance(expr, Cast):  # bulk_update()'s CASE is cast on some databases
            (source,) = expr.get_source_expressions()
            return self._unsanitized_part(source, model)
        if isinstance(expr, Col):
            return None if self._same_policy(expr.target) else expr
        name = getattr(expr, "name", "")
        if isinstance(expr, F) and name and "__" not in name:
            try:
                target = model._meta.get_field(name)
            except FieldDoesNotExist:
                return expr
            return None if self._same_policy(target) else expr
        return expr

    def _same_policy(self, other: object) -> bool:
        if not isinstance(other, SanitizedFieldMixin):
            return False
        return other is self or other.get_policy() == self.get_policy()

    def _label(self) -> str:
        model = getattr(self, "model", None)
        name = getattr(self, "name", None)
        return f"{model._meta.label}.{name}" if model is not None else str(name)

    # ------------------------------------------------------------ reading

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        # What the database holds may predate the field or the policy, or come from raw
        # SQL: what the program reads is always the policy's output.
        if value is None:
            return None
        policy = self.get_policy()
        text = plain(value)
        try:
            return SanitizedHTML(readcache.cache.get(policy, text, policy.sanitize), policy)
        except InputTooLargeError:
            # max_input_bytes bounds what users send, not what is stored already: a row
            # larger than the limit must still read (as its sanitized HTML), or no page,
            # not even the admin's, could show or fix it.
            return SanitizedHTML(_without_limit(policy).sanitize(text), policy)

    def value_from_object(self, obj: models.Model) -> Any:
        # Forms and serializers show and export the HTML as text: a plain str, which a
        # widget escapes once (a SafeString would be put into the <textarea> raw).
        value = super().value_from_object(obj)  # type: ignore[misc]
        return plain(value) if isinstance(value, str) else value

    def clean(self, value: Any, model_instance: models.Model | None) -> Any:
        # full_clean() (a ModelForm calls it) validates what will be stored: max_length
        # applies to the sanitized value.
        value = self.to_python(value)  # type: ignore[attr-defined]
        if value is not None and not hasattr(value, "resolve_expression"):
            value = self.sanitize(value)
        self.validate(value, model_instance)  # type: ignore[attr-defined]
        self.run_validators(value)  # type: ignore[attr-defined]
        return value

    # ------------------------------------------------------------ forms, migrations, checks

    def formfield(self, **kwargs: Any) -> Any:
        from .forms import SanitizedHTMLField

        form_class = kwargs.get("form_class", SanitizedHTMLField)
        if isinstance(form_class, type) and issubclass(form_class, SanitizedHTMLField):
            kwargs["form_class"] = form_class
            kwargs.setdefault("policy", self.policy)
        return super().formfield(**kwargs)  # type: ignore[misc]

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        if isinstance(self.policy, Policy):
            kwargs["policy"] = self.policy.to_dict()
        elif self.policy is not None:
            kwargs["policy"] = self.policy  # the name only: its options live in settings
        return name, path, args, kwargs

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        from .checks import style_unfiltered, style_warning

        errors: list[checks.CheckMessage] = super().check(**kwargs)  # type: ignore[misc]
        if isinstance(self.policy, Policy) and style_unfiltered(self.policy):
            warning = style_warning(f"{self._label()}'s policy")
            warning.obj = self
            errors.append(warning)
        if isinstance(self.policy, str):
            try:
                conf.resolve_policy(self.policy)
            except (UnknownPolicyError, PolicyError) as e:
                errors.append(
                    checks.Error(
                        f"{self._label()}: policy {self.policy!r}: {e}",
                        hint="Declare it in HTMLGUARD_POLICIES, register it in "
                        "htmlguard.policies, or name a preset.",
                        obj=self,
                        id="htmlguard.E004",
                    )
                )
        return errors


class SanitizedTextField(SanitizedFieldMixin, _TextField):
    """A ``TextField`` that stores only sanitized HTML (see the module documentation)."""

    description = "HTML sanitized by htmlguard"
    # The policy changes what is written, not the column: a migration, no ALTER TABLE.
    non_db_attrs = (*models.TextField.non_db_attrs, "policy")

    def formfield(self, **kwargs: Any) -> Any:
        if self.null:  # None, not "", for an empty nullable field (as CharField does)
            kwargs.setdefault("empty_value", None)
        return super().formfield(**kwargs)


class SanitizedCharField(SanitizedFieldMixin, _CharField):
    """A ``CharField`` that stores only sanitized HTML; ``max_length`` is checked against
    the sanitized value (see the module documentation)."""

    description = "HTML sanitized by htmlguard (up to %(max_length)s characters)"
    non_db_attrs = (*models.CharField.non_db_attrs, "policy")

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        kwargs.setdefault("widget", forms.TextInput)  # a one-line input, as for CharField
        return super().formfield(**kwargs)
