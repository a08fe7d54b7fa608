"""What the request middleware costs a real app: requests/second with and without it.

    .venv/bin/python bench/middleware.py [--quick] [--duration S] [--runs N] [--out PATH]

Two stacks from ``integrations/``: Starlette under uvicorn (``htmlguard.asgi``) and Flask
under waitress (``htmlguard.wsgi``), each started once as a subprocess on a loopback port.
Each serves the same ``/submit`` handler (parse the form, answer a few numbers) under
``/plain`` (no middleware) and ``/clean`` (``HTMLGuardMiddleware`` with
``integrations/config.py``'s fields, clean mode). The load is a 2 KB and a 200 KB
urlencoded form whose selected ``description`` field is hostile HTML, posted by
``httpx.AsyncClient`` from this process over a few keep-alive connections for a fixed time;
each cell is the median of a few runs, guarded and unguarded alternating. Every response is
checked (status, and the description length the app saw: sanitized or not).

Besides requests/second it reads the server process's CPU time (Linux ``/proc``), so the
middleware's cost shows as CPU milliseconds per request even when the load generator, which
shares the machine, is what limits the rate. Writes ``bench/MIDDLEWARE.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import os
import platform
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

#: What ./scripts/bench installs for this benchmark (the same floors as the `test` extra).
REQUIREMENTS = (
    "python-multipart>=0.0.13",
    "starlette>=0.40",
    "uvicorn>=0.30",
    "httpx>=0.27",
    "flask>=3.0",
    "waitress>=3.0",
)

STACKS = {"starlette": "uvicorn + Starlette (ASGI)", "flask": "waitress + Flask (WSGI)"}
SIZES = {"2 KB": 2 * 1024, "200 KB": 200 * 1024}
VARIANTS = {"unguarded": "/plain/submit", "guarded": "/clean/submit"}

#: One block of user HTML with the usual attacks in it; repeated to the body size.
HOSTILE = (
    '<p onclick="steal()">Solve <b>this</b> <a href="javascript:alert(1)">puzzle</a>'
    '<img src=x onerror="alert(2)"><script>alert(3)</script> and '
    '<a href="https://example.org/docs" title="docs">read the docs</a>.</p>\n'
)


def log(msg: str) -> None:
    print(f"[middleware bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def form_body(size: int) -> tuple[bytes, str]:
    """A urlencoded form of exactly `size` bytes; the description is mostly HOSTILE."""
    head = "title=Weekly+challenge&tags=html%2Csecurity&points=100&description="
    encoded_block = quote_plus(HOSTILE)
    room = size - len(head)
    reps = max(1, room // len(encoded_block))
    description = HOSTILE * reps
    encoded = quote_plus(description)
    # Pad with plain text to the exact size (each "x" encodes to one byte).
    pad = size - len(head) - len(encoded)
    if pad < 0:
        raise ValueError(f"body size {size} too small")
    description += "x" * pad
    body = (head + quote_plus(description)).encode("ascii")
    assert len(body) == size, (len(body), size)
    return body, description


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux), or None where /proc is not there."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


@dataclass
class Run:
    requests: int
    seconds: float
    server_cpu: float | None
    client_cpu: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms_per_request(self) -> float | None:
        if self.server_cpu is None or not self.requests:
            return None
        return self.server_cpu / self.requests * 1000


@dataclass
class Cell:
    stack: str
    size: str
    variant: str
    runs: list[Run] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return statistics.median(r.rps for r in self.runs)

    @property
    def cpu_ms(self) -> float | None:
        values = [r.cpu_ms_per_request for r in self.runs]
        if any(v is None for v in values):
            return None
        return statistics.median(v for v in values if v is not None)

    @property
    def client_share(self) -> float:
        return statistics.median(r.client_cpu / r.seconds for r in self.runs)


async def drive(
    url: str,
    body: bytes,
    expect_len: int,
    *,
    connections: int,
    warmup: float,
    duration: float,
    server_pid: int,
) -> Run:
    """Post `body` over `connections` keep-alive connections; count what completes in the
    measured window (after `warmup`). Every answer must be 200 with the expected length."""
    import httpx

    headers = {"content-type": "application/x-www-form-urlencoded"}
    loop = asyncio.get_running_loop()
    done: list[float] = []  # completion times
    problems: list[str] = []
    window: dict[str, float | None] = {}
    stop = asyncio.Event()

    async def sampler() -> None:
        """CPU times and the clock at the window's start and end."""
        await asyncio.sleep(warmup)
        window["t0"], window["cpu0"], window["client0"] = (
            loop.time(),
            cpu_seconds(server_pid),
            time.process_time(),
        )
        await asyncio.sleep(duration)
        window["t1"], window["cpu1"], window["client1"] = (
            loop.time(),
            cpu_seconds(server_pid),
            time.process_time(),
        )
        stop.set()

    async def worker(client: httpx.AsyncClient) -> None:
        while not stop.is_set():
            r = await client.post(url, content=body, headers=headers)
            if r.status_code != 200 or r.json().get("description_len") != expect_len:
                problems.append(f"{r.status_code} {r.text[:200]}")
                stop.set()
                return
            done.append(loop.time())

    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(timeout=60, limits=limits) for _ in range(connections)]
    try:
        await asyncio.gather(sampler(), *(worker(c) for c in clients))
    finally:
        for c in clients:
            await c.aclose()
    if problems:
        raise RuntimeError(f"{url}: unexpected answer: {problems[0]}")
    t0, t1 = window["t0"], window["t1"]
    assert t0 is not None and t1 is not None
    cpu0, cpu1 = window["cpu0"], window["cpu1"]
    return Run(
        requests=sum(1 for t in done if t0 <= t < t1),
        seconds=t1 - t0,
        server_cpu=None if cpu0 is None or cpu1 is None else cpu1 - cpu0,
        client_cpu=(window["client1"] or 0.0) - (window["client0"] or 0.0),
    )


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in (
        "htmlguard",
        "starlette",
        "uvicorn",
        "h11",
        "httptools",
        "uvloop",
        "flask",
        "werkzeug",
        "waitress",
        "httpx",
        "python-multipart",
    ):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            if dist == "htmlguard":
                out[dist] = "not installed (imported from the source tree)"
    return out


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model or platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unavailable"


def _pairs(cells: dict[tuple[str, str, str], Cell]) -> Iterator[tuple[str, str, Cell, Cell]]:
    """(stack name, body size, unguarded cell, guarded cell) for every measured pair."""
    for stack, stack_name in STACKS.items():
        for size in SIZES:
            plain = cells.get((stack, size, "unguarded"))
            guarded = cells.get((stack, size, "guarded"))
            if plain is not None and guarded is not None:
                yield stack_name, size, plain, guarded


def render(
    cells: dict[tuple[str, str, str], Cell],
    args: argparse.Namespace,
    started: str,
    load_before: str,
    load_after: str,
    threads: int,
) -> str:
    v = versions()
    lines = [
        "# Request middleware: requests/second with and without it",
        "",
        f"Written by `bench/middleware.py` (`./scripts/bench` runs it after `bench/run.py`) on "
        f"{started} UTC{' with --quick' if args.quick else ''}.",
        "",
        f"- Machine: {machine()}, {platform.system()} {platform.release()}; load average "
        f"{load_before} before, {load_after} after.",
        "- Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
        f"- Servers: uvicorn (one process, {'httptools' if 'httptools' in v else 'h11'}, "
        f"{'uvloop' if 'uvloop' in v else 'asyncio'} loop) and waitress ({threads} threads), "
        "each one subprocess on 127.0.0.1, logging at WARNING.",
        f"- Load: {args.connections} `httpx.AsyncClient`s with one keep-alive connection each, "
        f"in the benchmark process; each run posts for {args.duration:g} s after a "
        f"{args.warmup:g} s warm-up; every cell is the median of {args.runs} runs, the guarded "
        "and unguarded runs alternating. Every response is checked: 200, and the length of "
        "the description the handler saw (sanitized behind the middleware, as sent without).",
        "- Body: a urlencoded form of exactly 2 KB or 200 KB; `description` (selected, `ugc` "
        "policy) is hostile HTML (event handlers, `javascript:` links, `<script>`) repeated "
        "to size, beside three short unselected fields. The handler (`/submit`) parses the "
        "form and answers the field count and the description's length.",
        "- guarded = the app behind `HTMLGuardMiddleware(fields=integrations.config.FIELDS, "
        'mode="clean")` (a `/clean` mount); unguarded = the same app without it (`/plain`).',
        "",
        "## Requests per second",
        "",
        "| stack | body | unguarded req/s | guarded req/s | guarded / unguarded |",
        "|---|---|--:|--:|--:|",
    ]
    saturated = False
    for stack_name, size, plain, guarded in _pairs(cells):
        mark = ""
        if max(plain.client_share, guarded.client_share) > 0.85:
            mark, saturated = " *", True
        lines.append(
            f"| {stack_name} | {size} | {plain.rps:,.0f}{mark} | {guarded.rps:,.0f}{mark} | "
            f"{guarded.rps / plain.rps:.2f} |"
        )
    if saturated:
        lines += [
            "",
            "\\* The load generator used most of a core here: on this machine it, not the "
            "server, limited the rate, so this ratio understates the middleware's cost; the "
            "server CPU figures below do not depend on it.",
        ]
    lines += [
        "",
        "## Server CPU per request",
        "",
        "The server process's CPU time (user + system, from `/proc`) over the requests it "
        "answered in the measured window. *Added* is the middleware's cost per request "
        "(reading the body, parsing the form, sanitizing the field and re-encoding it, less "
        "what the handler saves parsing a shorter body); *req per CPU-second* is what one "
        "fully busy core would serve.",
        "",
        "| stack | body | CPU ms/req unguarded | guarded | added | req per CPU-second "
        "unguarded | guarded | guarded / unguarded |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for stack_name, size, plain, guarded in _pairs(cells):
        cpu_p, cpu_g = plain.cpu_ms, guarded.cpu_ms
        if cpu_p is None or cpu_g is None:
            lines.append(f"| {stack_name} | {size} | n/a | n/a | n/a | n/a | n/a | n/a |")
            continue
        lines.append(
            f"| {stack_name} | {size} | {cpu_p:.2f} | {cpu_g:.2f} | {cpu_g - cpu_p:+.2f} | "
            f"{1000 / cpu_p:,.0f} | {1000 / cpu_g:,.0f} | {cpu_p / cpu_g:.2f} |"
        )
    lines += [
        "",
        "## Every run",
        "",
        "| stack | body | variant | runs (req/s) | load generator CPU |",
        "|---|---|---|---|--:|",
    ]
    for (stack, size, variant), cell in cells.items():
        runs = ", ".join(f"{r.rps:,.0f}" for r in cell.runs)
        lines.append(f"| {STACKS[stack]} | {size} | {variant} | {runs} | {cell.client_share:.0%} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="short runs (a smoke test)")
    ap.add_argument("--duration", type=float, help="seconds measured per run (default 3)")
    ap.add_argument("--warmup", type=float, help="seconds before each run counts (default 0.5)")
    ap.add_argument("--runs", type=int, help="runs per cell; the median is reported (3)")
    ap.add_argument("--connections", type=int, default=8, help="concurrent connections")
    ap.add_argument("--threads", type=int, default=4, help="waitress threads")
    ap.add_argument("--only", help="stacks, comma-separated: starlette,flask")
    ap.add_argument("--out", type=Path, default=BENCH / "MIDDLEWARE.md")
    ap.add_argument(
        "--requirements",
        action="store_true",
        help="print the packages this benchmark needs, one a line, and exit",
    )
    args = ap.parse_args(argv)
    if args.requirements:
        print("\n".join(REQUIREMENTS))
        return 0
    args.duration = args.duration or (1.0 if args.quick else 3.0)
    args.warmup = args.warmup if args.warmup is not None else (0.3 if args.quick else 0.5)
    args.runs = args.runs or (1 if args.quick else 3)
    stacks = args.only.split(",") if args.only else list(STACKS)

    try:
        import httpx  # noqa: F401

        import htmlguard as hg
        from integrations.serve import Server
    except ImportError as e:
        log(f"cannot run: {e}; install {' '.join(REQUIREMENTS)}")
        return 1

    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    load_before = loadavg()
    bodies = {size: form_body(n) for size, n in SIZES.items()}
    expect = {
        size: {"unguarded": len(desc), "guarded": len(hg.sanitize(desc, "ugc"))}
        for size, (_, desc) in bodies.items()
    }
    cells: dict[tuple[str, str, str], Cell] = {}
    for stack in stacks:
        with Server(stack, threads=args.threads) as server:
            assert server.proc is not None
            for size, (body, _) in bodies.items():
                for run in range(args.runs):
                    order = list(VARIANTS) if run % 2 == 0 else list(reversed(VARIANTS))
                    for variant in order:
                        result = asyncio.run(
                            drive(
                                server.url(VARIANTS[variant]),
                                body,
                                expect[size][variant],
                                connections=args.connections,
                                warmup=args.warmup,
                                duration=args.duration,
                                server_pid=server.proc.pid,
                            )
                        )
                        cell = cells.setdefault((stack, size, variant), Cell(stack, size, variant))
                        cell.runs.append(result)
                        log(f"{stack} {size} {variant} run {run + 1}: {result.rps:,.0f} req/s")
    text = render(cells, args, started, load_before, loadavg(), args.threads)
    args.out.write_text(text, encoding="utf-8")
    log(f"wrote {args.out}")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
