"""``manage.py htmlguard_resanitize app_label.Model.field [...]``: re-clean stored HTML after
a policy change.

Reads each field's stored values in primary-key order, `--batch-size` rows at a time,
cleans them with ``sanitize_many`` and writes back only the rows that changed, one
transaction per batch; a row edited meanwhile is skipped, not overwritten. Ctrl-C keeps the
batches already committed; running again finishes the job (clean rows are left as they
are). The work is :func:`htmlguard.django.resanitize.resanitize`; this is its command line.

- a field must be a ``SanitizedTextField``/``SanitizedCharField`` (cleaned with its policy);
  with ``--policy NAME`` any ``TextField``/``CharField`` (on a sanitized field the named
  policy is applied first, then the field's own, which is all such a field may store);
- ``--dry-run`` writes nothing and shows what would change, with a few sample changes;
- a value a policy refuses (``max_input_bytes``), or that would outgrow the column's
  ``max_length`` once cleaned (escaping lengthens text), is left as stored and listed as
  rejected;
- a progress bar (tqdm) on stderr when stderr is a terminal, unless ``--no-progress``;
- a summary per field on stdout (``--json``: one JSON document instead).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.connection import ConnectionDoesNotExist

from ....errors import HTMLGuardError
from ...resanitize import Summary, Target, count, excerpt, resanitize, target

#: Changes kept per field for a dry run's summary.
SAMPLES = 5


class Command(BaseCommand):
    help = (
        "Re-clean the HTML stored in sanitized model fields (after a policy change), in "
        "batches; writes only the rows that change."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "fields",
            nargs="+",
            metavar="app_label.Model.field",
            help="a SanitizedTextField/SanitizedCharField (with --policy: any text field)",
        )
        parser.add_argument(
            "--policy",
            metavar="NAME",
            help="clean with this policy (HTMLGUARD_POLICIES, registered, or a preset) "
            "instead of the field's",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="write nothing; show what would change"
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            metavar="N",
            help="rows read, cleaned and written per transaction (default 500)",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help=f'the database alias (default "{DEFAULT_DB_ALIAS}")',
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError(f"--batch-size must be at least 1, got {batch_size}")
        using: str = options["database"]
        try:
            connections[using]
        except ConnectionDoesNotExist:
            raise CommandError(f"--database: no database {using!r} in DATABASES") from None
        # Every name is checked before any row is touched (a field named twice runs once).
        try:
            targets = [
                target(label, options["policy"]) for label in dict.fromkeys(options["fields"])
            ]
        except HTMLGuardError as e:  # TargetError, UnknownPolicyError, PolicyError
            raise CommandError(str(e)) from None

        dry_run: bool = options["dry_run"]
        show_bar = not options["no_progress"] and self.stderr.isatty()
        # label -> its summary, as of its last batch: what to print if Ctrl-C comes.
        seen: dict[str, Summary] = {}
        try:
            for t in targets:
                with self._progress(t, using, show_bar) as advance:
                    seen[t.label] = resanitize(
                        t,
                        using=using,
                        batch_size=batch_size,
                        dry_run=dry_run,
                        samples=SAMPLES if dry_run else 0,
                        on_batch=partial(_record, seen, advance),
                    )
        except KeyboardInterrupt:
            self._print(list(seen.values()), options["json"], dry_run, interrupted=True)
            raise CommandError(
                "interrupted: the batches counted above are committed, nothing of the next "
                "one is; run the command again to finish",
                returncode=130,
            ) from None
        self._print(list(seen.values()), options["json"], dry_run, interrupted=False)

    # ------------------------------------------------------------ progress

    @contextmanager
    def _progress(self, t: Target, using: str, show: bool) -> Iterator[Callable[[int], None]]:
        """A function taking the rows scanned so far, drawing a bar when `show`."""
        if not show:
            yield lambda scanned: None
            return
        try:
            from tqdm import tqdm  # type: ignore[import-untyped]
        except ImportError:  # the django extra brings it; without it, no bar
            yield lambda scanned: None
            return
        bar = tqdm(
            total=count(t, using=using),
            desc=t.label,
            unit="row",
            file=_Unstyled(self.stderr),
            dynamic_ncols=True,
        )

        def advance(scanned: int) -> None:
            bar.update(scanned - bar.n)

        try:
            yield advance
        finally:
            bar.close()

    # ------------------------------------------------------------ the summary

    def _print(
        self, summaries: Sequence[Summary], as_json: bool, dry_run: bool, *, interrupted: bool
    ) -> None:
        if as_json:
            document = {
                "dry_run": dry_run,
                "interrupted": interrupted,
                "fields": [s.to_dict() for s in summaries],
            }
            self.stdout.write(json.dumps(document, indent=2, default=str))
            return
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        if interrupted:
            self.stdout.write("Interrupted: counts up to the last committed batch.")
        self.stdout.write("\n\n".join("\n".join(_lines(s)) for s in summaries))


def _record(seen: dict[str, Summary], advance: Callable[[int], None], summary: Summary) -> None:
    seen[summary.label] = summary
    advance(summary.scanned)


def _lines(s: Summary) -> Iterator[str]:
    changed = "would change" if s.dry_run else "changed"
    yield f"{s.label} (policy {s.policy}, database {s.database}):"
    counts = [f"{s.scanned} scanned", f"{s.changed} {changed}", f"{s.unchanged} unchanged"]
    if not s.dry_run:  # a dry run writes nothing, so nothing is ever skipped
        counts.append(f"{s.skipped} skipped (edited meanwhile)")
    counts.append(f"{s.nulls} NULL")
    if s.rejected:
        counts.append(f"{len(s.rejected)} rejected")
    yield "  rows: " + ", ".join(counts)
    if s.reserialized:
        yield f"  of the changed, {s.reserialized} only re-serialized (nothing removed)"
    delta = s.bytes_after - s.bytes_before
    yield f"  bytes: {s.bytes_before:,} -> {s.bytes_after:,} ({delta:+,})"
    if s.by_kind:
        yield "  removed by kind: " + _counts(s.by_kind)
        yield "  removed by tag: " + _counts(s.by_tag)
    for r in s.rejected[:10]:
        yield f"  rejected pk {r.pk}: {r.reason} (left as stored)"
    if len(s.rejected) > 10:
        yield f"  ... and {len(s.rejected) - 10} more rejected"
    for c in s.samples:
        before, after = excerpt(c.old, c.new)
        yield f"  pk {c.pk}:"
        yield f"    - {before}"
        yield f"    + {after}"


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counter.most_common())


class _Unstyled:
    """`out` as a plain stream for tqdm: Django's wrapper would end every write with a
    newline (breaking the bar's carriage returns) and color stderr as an error."""

    def __init__(self, out: OutputWrapper) -> None:
        self._out = out

    def write(self, text: str) -> int:
        self._out.write(text, style_func=_same, ending="")
        return len(text)

    def flush(self) -> None:
        self._out.flush()


def _same(text: str) -> str:
    return text
