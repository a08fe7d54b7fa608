"""Runs a bulk job and kills itself with SIGKILL at a chosen batch (the resumption tests).

    python kill_driver.py JSON

JSON: {"source", "dest" or "in_place" (a file job) or "table" (SQL, source is the URL),
"batch_size",
"kill_at" (the batch, from 1; 0: never), "point": "sanitize" (while the batch is being
sanitized, before its write) or "checkpoint" (after its write, before its checkpoint)}.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any

import htmlguard as hg
from htmlguard.bulk import checkpoint
from htmlguard.bulk.files import run_file
from htmlguard.bulk.sql import run_sql

UGC = hg.Policy.preset("ugc")


def main() -> None:
    job = json.loads(sys.argv[1])
    kill_at, point = int(job["kill_at"]), job["point"]
    calls = {"sanitize": 0, "checkpoint": 0}

    def tick(where: str) -> None:
        calls[where] += 1
        if where == point and calls[where] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    class Killing:
        def sanitize(self, html: str, /) -> str:
            return UGC.sanitize(html)

        def inspect(self, html: str, /) -> Any:
            return UGC.inspect(html)

        def sanitize_many(self, htmls: list[str], /) -> list[str]:
            out = UGC.sanitize_many(htmls)
            tick("sanitize")
            return out

    save = checkpoint.Checkpoint.save

    def killing_save(self: checkpoint.Checkpoint, path: Any) -> None:
        if self.position:  # not the checkpoint written before the first batch
            tick("checkpoint")
        save(self, path)

    checkpoint.Checkpoint.save = killing_save  # type: ignore[method-assign]
    columns = {"body": UGC}
    sanitizers = {"body": Killing()}
    if "table" in job:
        report = run_sql(
            job["source"],
            job["table"],
            columns,
            batch_size=job["batch_size"],
            checkpoint=job["checkpoint"],
            sanitizers=sanitizers,
        )
    else:
        report = run_file(
            job["source"],
            job.get("dest"),
            columns,
            in_place=job.get("in_place", False),
            batch_size=job["batch_size"],
            sanitizers=sanitizers,
        )
    print(json.dumps(report.to_dict(), default=str))


if __name__ == "__main__":
    main()
