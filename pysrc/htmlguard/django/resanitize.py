"""Re-clean the HTML a model field has stored: the core of ``manage.py htmlguard_resanitize``.

::

    from htmlguard.django.resanitize import resanitize, target

    summary = resanitize(target("testapp.Post.body"), batch_size=500)
    summary.changed, summary.by_kind

A :class:`Target` is one column and the policies its values go through. :func:`resanitize`
walks the table in primary-key order, one batch at a time (keyset pagination: ``pk >`` the
last one seen, so a batch costs the same at the end of a big table as at its start):

1. :func:`read_batches` reads the *stored* values (the field's ``from_db_value`` would hand
   back the policy's output, hiding what needs cleaning) and cleans them with the bulk
   jobs' batch step (:func:`htmlguard.bulk.batch.sanitize_columns`: ``sanitize_many``, a
   refused value failing only its row), the :class:`Target` standing for its policies;
2. :func:`write_batch` writes only the rows whose value changed, in one transaction per
   batch, each with ``UPDATE ... WHERE pk = %s AND field = <the value read>``: a row edited
   since it was read is left alone and counted as skipped, never overwritten with a value
   computed from its old content.

An interrupted run keeps every batch already committed and nothing of the one in progress;
running again continues where it matters, since clean values are a policy's fixed points
and are not written again. NULLs stay NULL. Rows are written with a plain ``UPDATE`` of
the one column (no ``save()``): no signals, no ``auto_now`` bump.

``--policy`` on a sanitized field cleans with that policy and then with the field's own:
a ``SanitizedTextField`` stores only its policy's output, and the summary must count what
is stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import ExpressionWrapper, F

from .._core import Policy, Removal
from ..bulk.batch import sanitize_columns
from ..bulk.report import Report
from ..bulk.report import excerpt as excerpt
from ..errors import HTMLGuardError
from . import conf
from .html import SanitizedHTML
from .models import SanitizedFieldMixin

__all__ = [
    "Batch",
    "Change",
    "Rejected",
    "Summary",
    "Target",
    "TargetError",
    "count",
    "excerpt",
    "read_batches",
    "resanitize",
    "target",
    "write_batch",
]


class TargetError(HTMLGuardError, ValueError):
    """A field that cannot be re-cleaned: unknown, or not a text column (or a plain one
    and no policy was given)."""


@dataclass(frozen=True)
class Target:
    """One text column and the policies its stored values go through, in order."""

    model: type[models.Model]
    field: models.Field[Any, Any]
    passes: tuple[Policy, ...]
    #: How the policy is named in a summary ("ugc", "strict, then the field's ugc").
    policy_name: str

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    def clean_many(self, values: Sequence[str]) -> list[str]:
        out = list(values)
        for policy in self.passes:
            out = policy.sanitize_many(out)
        return out

    def clean(self, value: str) -> str:
        for policy in self.passes:
            value = policy.sanitize(value)
        return value

    # The batch step's view of a target (htmlguard.bulk.batch.Sanitizer): its passes as one.
    def sanitize(self, html: str, /) -> str:
        return self.clean(html)

    def sanitize_many(self, htmls: list[str], /) -> list[str]:
        return self.clean_many(htmls)

    def inspect(self, html: str, /) -> _Found:
        found = _Found()
        for policy in self.passes:
            report = policy.inspect(html)
            found.by_kind.update(report.by_kind)
            found.by_tag.update(report.by_tag)
            found.by_attribute.update(report.by_attribute)
            html = report.html
        return found

    def removals(self, value: str) -> Iterator[Removal]:
        """What the passes remove from `value` (each pass inspects the previous output)."""
        for policy in self.passes:
            report = policy.inspect(value)
            yield from report.removed
            value = report.html

    def columns(self) -> tuple[str, str, str]:
        """The table that holds the column (a parent's, for a field inherited across tables:
        its rows share the child's primary key values), its primary key and the column."""
        meta = self.field.model._meta
        pk = meta.pk
        if pk is None or pk.column is None or self.field.column is None:
            raise TargetError(f"{self.label}: a primary key of one column is needed")
        return meta.db_table, pk.column, self.field.column

    def stored(self, clean: str) -> str:
        # A sanitized field's get_db_prep_save would sanitize a plain str again; its own
        # SanitizedHTML is kept as is (the last pass is the field's policy).
        if isinstance(self.field, SanitizedFieldMixin):
            return SanitizedHTML(clean, self.passes[-1])
        return clean


@dataclass
class _Found:
    """What a target's passes remove from a value, counted (the batch step's findings)."""

    by_kind: Counter[str] = field(default_factory=Counter)
    by_tag: Counter[str] = field(default_factory=Counter)
    by_attribute: Counter[tuple[str, str]] = field(default_factory=Counter)


def target(label: str, policy: str | Policy | None = None) -> Target:
    """The :class:`Target` named ``app_label.Model.field``, cleaned with the field's policy,
    or with `policy` (a name: ``HTMLGUARD_POLICIES``, then :data:`htmlguard.policies`).

    Without `policy` the field must be a ``SanitizedTextField``/``SanitizedCharField``; with
    it, any ``TextField``/``CharField`` (subclasses included). Raises :class:`TargetError`,
    or the policy's ``UnknownPolicyError``/``PolicyError``.
    """
    model, found = _text_field(label)
    passes, name = _passes(label, found, policy)
    chosen = Target(model, found, passes, name)
    chosen.columns()  # a composite primary key is refused before any row is read
    return chosen


def _text_field(label: str) -> tuple[type[models.Model], models.Field[Any, Any]]:
    parts = label.split(".")
    if len(parts) != 3 or not all(parts):
        raise TargetError(f"{label!r}: expected app_label.Model.field")
    app_label, model_name, field_name = parts
    try:
        app_config = apps.get_app_config(app_label)
    except LookupError:
        raise TargetError(f"{label}: no installed app with label {app_label!r}") from None
    try:
        model = app_config.get_model(model_name)
    except LookupError:
        raise TargetError(f"{label}: app {app_label!r} has no model {model_name!r}") from None
    try:
        found = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        raise TargetError(
            f"{label}: model {model._meta.label} has no field {field_name!r}"
        ) from None
    if not isinstance(found, (models.TextField, models.CharField)) or not found.concrete:
        raise TargetError(
            f"{label} is a {type(found).__name__}, not a text column (TextField, CharField "
            "or their sanitized kinds)"
        )
    if found.primary_key or getattr(found, "generated", False):
        raise TargetError(f"{label}: a primary key or generated column is not rewritten")
    return model, found


def _passes(
    label: str, found: models.Field[Any, Any], policy: str | Policy | None
) -> tuple[tuple[Policy, ...], str]:
    """The policies `found`'s values go through, and how to name them."""
    own = found.policy if isinstance(found, SanitizedFieldMixin) else None
    own_policy = found.get_policy() if isinstance(found, SanitizedFieldMixin) else None
    if policy is None:
        if own_policy is None:
            raise TargetError(
                f"{label} is a {type(found).__name__}, not a SanitizedTextField or "
                "SanitizedCharField: name the policy to clean it with (--policy NAME)"
            )
        return (own_policy,), _describe(own)
    chosen = conf.resolve_policy(policy)
    name = policy if isinstance(policy, str) else "the given Policy"
    if own_policy is None or own_policy == chosen:
        return (chosen,), name
    return (chosen, own_policy), f"{name}, then the field's {_describe(own)}"


def _describe(policy: str | Policy | None) -> str:
    if isinstance(policy, str):
        return policy
    if isinstance(policy, Policy):
        return "Policy object"
    default = conf.default_policy()
    return f"{default} (HTMLGUARD_DEFAULT_POLICY)" if isinstance(default, str) else "default"


# ------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Change:
    """A row whose cleaned value differs from the stored one."""

    pk: Any
    old: str
    new: str


@dataclass(frozen=True)
class Rejected:
    """A row left as stored, and why (too large for the policy, too long for the column)."""

    pk: Any
    reason: str


@dataclass
class Batch:
    """One batch as read and cleaned, before anything is written."""

    last_pk: Any
    scanned: int = 0
    nulls: int = 0
    unchanged: int = 0
    #: UTF-8 bytes of the non-NULL values read.
    bytes: int = 0
    changes: list[Change] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    #: The batch step's report (what was read and what the policies removed).
    report: Report = field(default_factory=Report)


def read_batches(
    target: Target, *, using: str = DEFAULT_DB_ALIAS, batch_size: int = 500
) -> Iterator[Batch]:
    """The table's rows in primary-key order, `batch_size` at a time, read and cleaned.

    Lazy: a batch is read when asked for, so one written in between is seen as written.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    # The column as a plain TextField: its value as stored, without the sanitized field's
    # from_db_value (the SQL is the bare column).
    raw = ExpressionWrapper(F(target.field.name), output_field=models.TextField())
    rows = target.model._base_manager.using(using).order_by("pk")
    max_length = getattr(target.field, "max_length", None)
    last: Any = None
    while True:
        page = rows if last is None else rows.filter(pk__gt=last)
        found = list(page.values_list("pk", raw)[:batch_size])
        if not found:
            return
        last = found[-1][0]
        pks = [pk for pk, _ in found]
        values = [value for _, value in found]
        new, report = sanitize_columns({"value": values}, {"value": target}, pks)
        batch = Batch(last_pk=last, scanned=len(found), nulls=report.nulls, report=report)
        # The batch step lists every failure of its batch (a value a policy refuses).
        failures = {f.key: f.error for f in report.failures}
        for pk, old, cleaned in zip(pks, values, new["value"], strict=True):
            if old is None:
                continue
            batch.bytes += len(old.encode())
            if pk in failures:
                batch.rejected.append(Rejected(pk, failures[pk]))
            elif cleaned == old:
                batch.unchanged += 1
            elif max_length is not None and len(cleaned) > max_length:
                # Escaping lengthens text (& -> &amp;): writing would fail the whole batch
                # on a database that enforces the length.
                batch.rejected.append(
                    Rejected(
                        pk, f"{len(cleaned)} characters once cleaned, over max_length {max_length}"
                    )
                )
            else:
                batch.changes.append(Change(pk, old, cleaned))
        yield batch
        if len(found) < batch_size:
            return


# ------------------------------------------------------------------ writing


def write_batch(target: Target, batch: Batch, *, using: str = DEFAULT_DB_ALIAS) -> list[Change]:
    """Write `batch`'s changes in one transaction; the ones written (a row whose value is no
    longer the one read was edited meanwhile: it is left alone)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    table, pk_column, column = (quote(name) for name in target.columns())
    # The old value in the WHERE makes each UPDATE a compare-and-set: no lock is held
    # between the read and the write. (A case-insensitive collation, as MySQL's default,
    # would take a case-only edit for no edit.) One statement per row, prepared here: the
    # ORM's update() costs ten times as much per row, building the query each time.
    sql = f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s AND {column} = %s"
    field_, pk = target.field, target.field.model._meta.pk
    assert pk is not None  # columns() checked
    written: list[Change] = []
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for change in batch.changes:
            cursor.execute(
                sql,
                [
                    field_.get_db_prep_save(target.stored(change.new), connection),
                    pk.get_db_prep_value(change.pk, connection),
                    field_.get_db_prep_value(change.old, connection),
                ],
            )
            if cursor.rowcount:
                written.append(change)
    return written


# ------------------------------------------------------------------ the whole run


@dataclass
class Summary:
    """What a run found and did. With ``dry_run``, ``changed`` and what follows from it are
    what would have been written."""

    label: str
    policy: str
    database: str
    dry_run: bool
    scanned: int = 0
    changed: int = 0
    unchanged: int = 0
    #: Rows edited between the read and the write, left as the edit made them.
    skipped: int = 0
    nulls: int = 0
    #: Changed rows from which nothing was removed (the markup was only re-serialized:
    #: quotes, entities, closing tags).
    reserialized: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    #: UTF-8 bytes of the non-NULL values, as read and as stored after the run.
    bytes_before: int = 0
    bytes_after: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_tag: Counter[str] = field(default_factory=Counter)
    samples: list[Change] = field(default_factory=list)

    def add(self, target: Target, batch: Batch, written: Sequence[Change], samples: int) -> None:
        """Count `batch`, of whose changes `written` were written."""
        self.scanned += batch.scanned
        self.nulls += batch.nulls
        self.unchanged += batch.unchanged
        self.rejected.extend(batch.rejected)
        self.changed += len(written)
        self.skipped += len(batch.changes) - len(written)
        self.bytes_before += batch.bytes
        self.bytes_after += batch.bytes
        for change in written:
            self.bytes_after += len(change.new.encode()) - len(change.old.encode())
            removed = list(target.removals(change.old))
            if not removed:
                self.reserialized += 1
            self.by_kind.update(r.kind for r in removed)
            self.by_tag.update(r.tag for r in removed)
            if len(self.samples) < samples:
                self.samples.append(change)

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data (samples cut with :func:`excerpt`)."""
        return {
            "field": self.label,
            "policy": self.policy,
            "database": self.database,
            "dry_run": self.dry_run,
            "scanned": self.scanned,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "null": self.nulls,
            "reserialized": self.reserialized,
            "rejected": [{"pk": r.pk, "reason": r.reason} for r in self.rejected],
            "bytes_before": self.bytes_before,
            "bytes_after": self.bytes_after,
            "removed_by_kind": dict(self.by_kind.most_common()),
            "removed_by_tag": dict(self.by_tag.most_common()),
            "samples": [
                dict(zip(("before", "after"), excerpt(c.old, c.new), strict=True), pk=c.pk)
                for c in self.samples
            ],
        }


def resanitize(
    target: Target,
    *,
    using: str = DEFAULT_DB_ALIAS,
    batch_size: int = 500,
    dry_run: bool = False,
    samples: int = 0,
    on_batch: Callable[[Summary], None] | None = None,
) -> Summary:
    """Re-clean `target`'s stored values (see the module documentation); `on_batch` is
    called with the running summary after each batch is committed (or, in a dry run,
    counted). Keeps up to `samples` changes for display."""
    summary = Summary(target.label, target.policy_name, using, dry_run)
    for batch in read_batches(target, using=using, batch_size=batch_size):
        written = batch.changes if dry_run else write_batch(target, batch, using=using)
        summary.add(target, batch, written, samples)
        if on_batch is not None:
            on_batch(summary)
    return summary


def count(target: Target, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """The number of rows a run scans (for a progress bar's total)."""
    return target.model._base_manager.using(using).count()
