"""One benchmark cell in a fresh process: ``python bench/worker.py '<json spec>'``.

Run by ``measure.in_subprocess`` for the cells that may hang, recurse too deep or crash
(deep nesting, the big documents for slow libraries, pybluemonday's threads) and for the
memory cells, which need a process of their own. Prints one JSON line: a ``measure.Cell``.

Spec keys: ``kind`` (``cpu``, ``threads`` or ``memory``), ``peer`` (an adapter name),
``input`` (``{"file": docs.json}``, ``{"nested": depth}`` or
``{"file": docs.json, "size": bytes}`` for one document of that size built from the docs),
``settings`` (``measure.Settings`` fields), ``budget`` (seconds) and, optionally,
``private`` (an htmlguard ``_core`` function called as ``f(policy, html)`` instead of the
peer).
"""

from __future__ import annotations

import ctypes
import gc
import json
import resource
import sys
from pathlib import Path
from typing import Any

import corpora
import measure
import peers


def load_input(spec: dict[str, Any]) -> list[str]:
    source = spec["input"]
    if "nested" in source:
        return [corpora.nested(int(source["nested"]))]
    docs: list[str] = json.loads(Path(source["file"]).read_text("utf-8"))
    if "size" in source:
        doc = corpora.big_document(docs, int(source["size"]))
        return [corpora.ascii_only(doc) if source.get("ascii") else doc]
    return docs


def reset_peak_rss() -> bool:
    """Lower the kernel's peak-RSS mark to the current RSS (Linux ``clear_refs``), so a peak
    reached while the input was built cannot hide the sanitizer's own."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def release_free_memory() -> None:
    """Hand the memory freed while the input was built back to the kernel (glibc's
    ``malloc_trim``), so the call cannot reuse already-resident free pages unseen."""
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def peak_rss_kib() -> tuple[int, str]:
    """The process's peak RSS in KiB, and where it was read.

    ``VmHWM`` in /proc/self/status is the peak of this process's own memory map, which
    ``reset_peak_rss`` lowers. ``ru_maxrss`` (the fallback) is not enough in a subprocess:
    Linux carries the parent's peak over ``fork``/``exec`` into it, so a child of a large
    benchmark process starts with the parent's peak and shows no growth below it.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]), "VmHWM"
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "ru_maxrss"


def memory(peer: peers.Peer, doc: str) -> measure.Cell:
    """Peak RSS growth while sanitizing ``doc`` once (after a tiny warm-up call)."""
    peer.clean("<p>warm <b>up</b></p>")
    release_free_memory()
    reset = reset_peak_rss()
    before, source = peak_rss_kib()
    out = peer.clean(doc)
    after, _ = peak_rss_kib()
    extra = {
        "before_kib": before,
        "after_kib": after,
        "extra_bytes": (after - before) * 1024,
        "input_bytes": len(doc.encode("utf-8")),
        "output_bytes": len(out.encode("utf-8")),
        "output_str_bytes": sys.getsizeof(out),
        "peak_reset": reset,
        "source": source,
        "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    return measure.Cell(seconds=None, rounds=1, extra=extra)


def run(spec: dict[str, Any]) -> measure.Cell:
    settings = measure.Settings(**spec.get("settings", {}))
    budget = float(spec.get("budget", settings.budget))
    peer = peers.build_one(spec["peer"])
    private = spec.get("private")
    if private:
        # One of htmlguard's private reference paths, e.g. _core._sanitize_unsplit, with the
        # ugc policy: what an optimization is measured against.
        import htmlguard as hg

        fn = getattr(hg._core, private)
        policy = hg.Policy.preset("ugc")
        peer = peers.Peer(f"htmlguard {private}", ("htmlguard",), lambda x: fn(policy, x))
    docs = load_input(spec)
    kind = spec["kind"]
    if kind == "cpu":
        return measure.cpu_time(peer.clean, docs, settings, budget)
    if kind == "threads":
        return measure.threaded_speedup(peer.clean, docs, settings, budget, peer.per_thread)
    if kind == "memory":
        return memory(peer, docs[0])
    raise ValueError(f"unknown cell kind {kind!r}")


def main() -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    spec = json.loads(sys.argv[1])
    try:
        cell = run(spec)
    except (Exception, RecursionError) as e:  # noqa: BLE001 - reported as the cell's result
        cell = measure.Cell.failed(e)
    print(json.dumps(cell.to_json()), flush=True)


if __name__ == "__main__":
    main()
