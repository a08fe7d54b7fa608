"""The differential tests' fixtures of listed differences, in one place.

A differential test runs htmlguard (or a shim) and a peer on the same corpora; every output
that differs is listed in a JSON fixture with its category and justification. The listing
is checked both ways: a difference that is not listed fails the test, and so does a listed
one that changed or no longer occurs. Used by ``tests/security/test_differential_nh3.py``
and the three compat differentials (``tests/compat/test_*_differential.py``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: (configuration or policy name, corpus input id)
Key = tuple[str, str]
#: A difference's outputs by side (``htmlguard``, the peer's name; maybe ``input``).
Outputs = Mapping[str, str]
#: (category or None when unexplained, detail) for one difference.
Explain = Callable[[Key, Outputs], tuple[str | None, str]]


@dataclass(frozen=True)
class Listed:
    """One fixture: its path, the entry field that names the configuration (``config`` or
    ``policy``), and the peer's side name (``nh3``, ``bleach``, ``pybluemonday``)."""

    path: Path
    peer: str
    name_field: str = "config"

    def load(self) -> dict[Key, dict[str, Any]]:
        """The listed differences by key (a key listed twice is an error)."""
        data = json.loads(self.path.read_text(encoding="utf-8"))
        listed: dict[Key, dict[str, Any]] = {}
        for entry in data["differences"]:
            key = (entry[self.name_field], entry["id"])
            assert key not in listed, f"{key} listed twice in {self.path.name}"
            listed[key] = entry
        return listed

    def problems(self, actual: Mapping[Key, Outputs], explain: Explain) -> list[str]:
        """What makes the fixture wrong for ``actual``: unlisted differences (with their
        category, or UNEXPLAINED), listed ones whose outputs changed, and listed ones that
        no longer occur."""
        listed = self.load()
        out: list[str] = []
        for key, outs in sorted(actual.items()):
            ours, theirs = outs["htmlguard"], outs[self.peer]
            entry = listed.get(key)
            if entry is None:
                category, detail = explain(key, outs)
                out.append(
                    f"unlisted difference {key}: htmlguard {ours!r} != {self.peer} {theirs!r} "
                    f"({category or 'UNEXPLAINED'}: {detail})"
                )
            elif (entry["htmlguard"], entry[self.peer]) != (ours, theirs):
                out.append(
                    f"listed difference {key} changed: now htmlguard {ours!r}, "
                    f"{self.peer} {theirs!r}"
                )
        out += [
            f"listed difference {key} no longer occurs: remove it from the fixture"
            for key in sorted(listed.keys() - actual.keys())
        ]
        return out

    def write(
        self,
        actual: Mapping[Key, Outputs],
        explain: Explain,
        categories: Mapping[str, str],
        header: Mapping[str, Any],
    ) -> None:
        """List ``actual`` (each difference with its category and the categories'
        justifications) under ``header`` (``about`` and the like); exits naming every
        difference no category explains, without writing."""
        entries = []
        unexplained = []
        for key, outs in sorted(actual.items()):
            category, detail = explain(key, outs)
            if category is None or not category:
                unexplained.append(f"{key[0]} {key[1]}: {detail}")
                continue
            entries.append(
                {
                    self.name_field: key[0],
                    "id": key[1],
                    "category": category,
                    "justification": "; ".join(categories[c] for c in category.split(",")),
                    "htmlguard": outs["htmlguard"],
                    self.peer: outs[self.peer],
                }
            )
        if unexplained:
            raise SystemExit("unexplained differences, not listed:\n" + "\n".join(unexplained))
        doc = {**header, "categories": dict(categories), "differences": entries}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(doc, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")


def main(script: str, fixture: Path, write: Callable[[], None]) -> None:
    """A differential's command line: ``python <script> --write-fixture``."""
    if sys.argv[1:] != ["--write-fixture"]:
        raise SystemExit(f"usage: python {Path(script).name} --write-fixture")
    write()
    print(f"wrote {fixture}")
