"""The ``htmlguard`` command line: sanitize and inspect HTML files, describe policies.

Exit status: 0 on success (``inspect``: nothing would be removed), 1 when ``inspect``
found something to remove, 2 on a usage error, an unknown policy, a bad policy file or
an input that could not be read or sanitized (``sanitize`` with ``--out-dir`` or
``--in-place`` still does the other files). Errors are one line on stderr, never a
traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import io
import json
import os
import stat
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

import htmlguard as hg
from htmlguard import _core, _docs, _stream

__all__ = ["main"]

PROG = "htmlguard"
STDIN_NAME = "<stdin>"

_INPUT_HELP = (
    "HTML files to read ('-' or none: standard input). Input is decoded as UTF-8; "
    "invalid bytes are replaced with U+FFFD (the replacement character)."
)
_SANITIZE_INPUT_HELP = (
    "HTML files or directories to read ('-' or none: standard input). Input is decoded "
    "as UTF-8; written to standard output, invalid bytes are replaced with U+FFFD (the "
    "replacement character), while --out-dir and --in-place refuse such a file (see "
    "--invalid-utf8)."
)
#: Which files a directory contributes, unless --glob says otherwise.
DEFAULT_GLOBS = ("*.html", "*.htm")
#: Without --progress, a terminal gets a bar for runs this big.
PROGRESS_BYTES = 16 << 20
PROGRESS_FILES = 100


class CLIError(Exception):
    """An error reported as one line on stderr, with exit status 2."""


# -- reading ---------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _read_stdin() -> str:
    stream = sys.stdin
    if stream is None:  # e.g. started without a standard input
        raise CLIError("no standard input to read; give FILE arguments")
    buffer = getattr(stream, "buffer", None)
    try:
        if buffer is not None:
            data: bytes = buffer.read()
            return _decode(data)
        # A text stream without a byte buffer (e.g. io.StringIO): already decoded.
        text: str = stream.read()
        return text
    except OSError as e:
        raise CLIError(f"cannot read standard input: {e.strerror or e}") from None


def _read_file(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return _decode(f.read())
    except OSError as e:
        raise CLIError(f"cannot read {path!r}: {e.strerror or e}") from None


def _read_inputs(files: Sequence[str]) -> list[tuple[str, str]]:
    """``(display name, text)`` for each input; standard input when ``files`` is empty."""
    return [
        (STDIN_NAME, _read_stdin()) if f == "-" else (f, _read_file(f)) for f in (files or ["-"])
    ]


def _load_policy_file(path: str) -> _core.Policy:
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise CLIError(f"cannot read policy file {path!r}: {e.strerror or e}") from None
    data: Any
    try:
        text = raw.decode("utf-8")
        if path.lower().endswith(".toml"):
            if sys.version_info < (3, 11):
                raise CLIError(f"policy file {path!r}: TOML needs Python 3.11 or later; use JSON")
            import tomllib

            data = tomllib.loads(text)
        else:
            data = json.loads(text)
    except ValueError as e:  # UnicodeDecodeError, JSONDecodeError, TOMLDecodeError
        raise CLIError(f"policy file {path!r} is not valid: {e}") from None
    if not isinstance(data, Mapping):
        raise CLIError(
            f"policy file {path!r} must hold an object of policy options, not {type(data).__name__}"
        )
    try:
        return hg.Policy.from_dict(data)
    except hg.PolicyError as e:
        raise CLIError(f"policy file {path!r}: {e}") from None


def _policy(args: argparse.Namespace) -> _core.Policy:
    if args.policy_file is not None:
        return _load_policy_file(args.policy_file)
    name: str = args.policy
    return hg.policies[name]


# -- writing ---------------------------------------------------------------------------


def _write(text: str) -> None:
    """Write ``text`` to stdout as UTF-8, exactly (no newline translation)."""
    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    try:
        if buffer is None:
            out.write(text)
            out.flush()
            return
        out.flush()
        buffer.write(text.encode("utf-8", errors="backslashreplace"))
        buffer.flush()
    except BrokenPipeError:
        raise
    except OSError as e:  # e.g. a full disk
        raise CLIError(f"cannot write the output: {e.strerror or e}") from None


def _quote(value: str) -> str:
    """A removed value as a JSON string: one line, whatever it contains."""
    return json.dumps(value, ensure_ascii=False)


# -- subcommands -----------------------------------------------------------------------


@dataclass
class _Job:
    """One input of ``sanitize``: a file (or ``-``) and where its output goes (a file
    written atomically, or None: standard output)."""

    src: str
    dest: str | None


def _matches(name: str, globs: Sequence[str]) -> bool:
    lower = name.lower()
    return any(fnmatch.fnmatchcase(lower, g.lower()) for g in globs)


def _walk(root: str, globs: Sequence[str], skip: str | None, failed: list[str]) -> Iterator[str]:
    """The files under ``root`` whose names match ``globs``, in sorted order; hidden files
    and directories (names starting with '.'), symbolic links to directories and ``skip``
    (the output directory) left out. Unreadable directories are added to ``failed``."""

    def unreadable(e: OSError) -> None:
        failed.append(f"{e.filename}: cannot read the directory: {e.strerror or e}")

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".") and os.path.realpath(os.path.join(dirpath, d)) != skip
        )
        for name in sorted(filenames):
            if not name.startswith(".") and _matches(name, globs):
                yield os.path.join(dirpath, name)


def _plan(args: argparse.Namespace, failed: list[str]) -> list[_Job]:
    """The inputs of ``sanitize`` and their destinations; raises CLIError on a usage error."""
    files: list[str] = args.files or ["-"]
    out_dir: str | None = args.out_dir
    to_files = out_dir is not None or args.in_place
    skip = os.path.realpath(out_dir) if out_dir is not None else None
    globs: Sequence[str] = args.glob or DEFAULT_GLOBS
    jobs: list[_Job] = []
    for f in files:
        if f == "-":
            if to_files:
                raise CLIError(
                    "standard input ('-') cannot be written with --out-dir or --in-place"
                )
            jobs.append(_Job(f, None))
        elif os.path.isdir(f):
            if not to_files:
                raise CLIError(f"{f!r} is a directory: give --out-dir DIR or --in-place")
            for path in _walk(f, globs, skip, failed):
                rel = os.path.relpath(path, f)
                jobs.append(_Job(path, os.path.join(out_dir, rel) if out_dir else None))
        else:
            jobs.append(_Job(f, os.path.join(out_dir, os.path.basename(f)) if out_dir else None))
    if args.in_place:
        # The file a symbolic link points to is replaced, not the link; once each.
        seen: set[str] = set()
        unique = []
        for job in jobs:
            job.dest = os.path.realpath(job.src)
            if job.dest not in seen:
                seen.add(job.dest)
                unique.append(job)
        jobs = unique
    elif out_dir is not None:
        first: dict[str, str] = {}
        unique = []
        for job in jobs:
            assert job.dest is not None
            key = os.path.realpath(job.dest)
            if key in first:
                if os.path.realpath(first[key]) != os.path.realpath(job.src):
                    failed.append(f"{job.src}: its output {job.dest!r} is {first[key]!r}'s too")
            else:
                first[key] = job.src
                unique.append(job)
        jobs = unique
    return jobs


def _size(path: str) -> int | None:
    """The size of a regular file (None for anything else, or when it cannot be known)."""
    try:
        st = os.stat(path) if path != "-" else os.fstat(sys.stdin.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def _check_size(policy: _core.Policy, size: int | None) -> None:
    """Refuse a file over ``max_input_bytes`` before reading it. Its UTF-8 text is at
    least as long: a replaced invalid byte grows."""
    limit = policy.max_input_bytes
    if size is not None and limit is not None and size > limit:
        raise hg.InputTooLargeError(
            f"input is {size} bytes, over this policy's max_input_bytes of {limit}"
        )


class _Input:
    """A file read in chunks whose read errors say which file."""

    def __init__(self, f: BinaryIO, name: str) -> None:
        self.f, self.name = f, name

    def read(self, n: int) -> bytes:
        try:
            return self.f.read(n)
        except OSError as e:
            raise CLIError(f"cannot read {self.name!r}: {e.strerror or e}") from None


def _open_input(path: str) -> BinaryIO:
    if path == "-":
        stream = sys.stdin
        if stream is None:  # e.g. started without a standard input
            raise CLIError("no standard input to read; give FILE arguments")
        buffer: BinaryIO | None = getattr(stream, "buffer", None)
        if buffer is None:
            # A text stream without a byte buffer (e.g. io.StringIO): already decoded.
            return io.BytesIO(stream.read().encode("utf-8", "surrogatepass"))
        return buffer
    try:
        return open(path, "rb")
    except OSError as e:
        raise CLIError(f"cannot read {path!r}: {e.strerror or e}") from None


@contextlib.contextmanager
def _input(path: str) -> Iterator[BinaryIO]:
    """The input opened for reading; closed at the end unless it is standard input."""
    f = _open_input(path)
    try:
        yield f
    finally:
        if path != "-":
            f.close()


def _write_stdout(data: bytes) -> None:
    """Write ``data`` (UTF-8) to stdout, exactly."""
    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    try:
        if buffer is None:
            out.write(data.decode("utf-8"))
        else:
            buffer.write(data)
    except BrokenPipeError:
        raise
    except OSError as e:  # e.g. a full disk
        raise CLIError(f"cannot write the output: {e.strerror or e}") from None


class _Progress:
    """A tqdm bar on stderr counting input bytes (and files, when there are several), or
    nothing: without --progress, only on a terminal and for a big run; never without
    tqdm (an optional dependency: ``htmlguard[cli]``)."""

    def __init__(self, args: argparse.Namespace, total: int | None, files: int) -> None:
        self.bar: Any = None
        self.files, self.done = files, 0
        wanted: bool | None = args.progress
        if wanted is None:
            tty = sys.stderr is not None and sys.stderr.isatty()
            wanted = tty and ((total or 0) >= PROGRESS_BYTES or files >= PROGRESS_FILES)
        if not wanted:
            return
        try:
            from tqdm import tqdm  # type: ignore[import-untyped]
        except ImportError:
            if args.progress:
                sys.stderr.write(
                    f"{PROG}: note: --progress needs tqdm (pip install 'htmlguard[cli]')\n"
                )
            return
        self.bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr)
        self._files_postfix()

    def _files_postfix(self) -> None:
        if self.bar is not None and self.files > 1:
            self.bar.set_postfix_str(f"{self.done}/{self.files} files", refresh=False)

    def update(self, n: int) -> None:
        self.bar.update(n)

    @property
    def callback(self) -> Callable[[int], object] | None:
        return self.update if self.bar is not None else None

    def file_done(self, unread: int) -> None:
        """One file is done; ``unread``: its bytes not counted (it failed part way)."""
        self.done += 1
        if self.bar is not None:
            self._files_postfix()
            self.bar.update(unread)

    def error(self, message: str) -> None:
        line = f"{PROG}: error: {message}"
        if self.bar is not None:
            self.bar.write(line, file=sys.stderr)
        else:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _Counted:
    """Counts what a progress callback is given."""

    def __init__(self, then: Callable[[int], object] | None) -> None:
        self.n, self.then = 0, then

    def __call__(self, n: int) -> None:
        self.n += n
        if self.then is not None:
            self.then(n)


def _sanitize_to_file(
    policy: _core.Policy, job: _Job, errors: _stream.Errors, counted: _Counted, cleaned: set[str]
) -> None:
    assert job.dest is not None
    with _input(job.src) as src:
        st = os.fstat(src.fileno())
        _check_size(policy, st.st_size if stat.S_ISREG(st.st_mode) else None)
        directory = os.path.dirname(job.dest) or "."
        try:
            os.makedirs(directory, exist_ok=True)
            if directory not in cleaned:
                cleaned.add(directory)
                for path in _stream.remove_stale_temps(directory):
                    sys.stderr.write(f"{PROG}: removed {path}, left by an interrupted run\n")
            with _stream.atomic_writer(job.dest) as dst:
                _stream.sanitize_stream(
                    policy, _Input(src, job.src), dst.write, errors=errors, progress=counted
                )
        except OSError as e:
            raise CLIError(f"cannot write {job.dest!r}: {e.strerror or e}") from None


def _cmd_sanitize(args: argparse.Namespace) -> int:
    policy = _policy(args)
    failed: list[str] = []
    jobs = _plan(args, failed)
    to_files = args.out_dir is not None or args.in_place
    errors: _stream.Errors = args.invalid_utf8 or ("strict" if to_files else "replace")
    sizes = [_size(job.src) for job in jobs]
    known = [s for s in sizes if s is not None]
    total = sum(known) if len(known) == len(sizes) else None
    if not to_files:
        # Every input readable and not too large before anything is written.
        for job, size in zip(jobs, sizes, strict=True):
            if job.src != "-":
                _open_input(job.src).close()
            _check_size(policy, size)
    if not to_files:
        sys.stdout.flush()  # anything written as text before goes first
    progress = _Progress(args, total, len(jobs))
    for message in failed:
        progress.error(message)
    cleaned: set[str] = set()
    try:
        for job, size in zip(jobs, sizes, strict=True):
            counted = _Counted(progress.callback)
            if job.dest is None:
                with _input(job.src) as src:
                    _stream.sanitize_stream(
                        policy, _Input(src, job.src), _write_stdout, errors=errors, progress=counted
                    )
                progress.file_done(0)
                continue
            try:
                _sanitize_to_file(policy, job, errors, counted, cleaned)
            except (CLIError, hg.HTMLGuardError) as e:
                failed.append(job.src)
                progress.error(f"{job.src}: {e}")
            progress.file_done(max(0, (size or 0) - counted.n))
    finally:
        progress.close()
        if not to_files:
            _flush_stdout()
    return 2 if failed else 0


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as e:
        raise CLIError(f"cannot write the output: {e.strerror or e}") from None


def _cmd_inspect(args: argparse.Namespace) -> int:
    policy = _policy(args)
    inputs = _read_inputs(args.files)
    reports = [(name, policy.inspect(text)) for name, text in inputs]
    lines: list[str] = []
    for name, report in reports:
        if args.json:
            record = {
                "file": name,
                "changed": report.changed,
                "total": report.total,
                "removed": [
                    {"kind": r.kind, "tag": r.tag, "name": r.name, "value": r.value}
                    for r in report.removed
                ],
                "html": report.html,
            }
            lines.append(json.dumps(record, ensure_ascii=False))
            continue
        prefix = f"{name}: " if len(reports) > 1 else ""
        lines.append(f"{prefix}{report}")
        lines.extend(f"  {r.kind} {r.tag} {r.name} {_quote(r.value)}" for r in report.removed)
    _write("".join(line + "\n" for line in lines))
    return 1 if any(report for _, report in reports) else 0


def _policy_names() -> list[str]:
    registered = hg.policies.names()
    presets = [name for name in hg.PRESETS if name in registered]
    return presets + sorted(name for name in registered if name not in presets)


def _cmd_policies(args: argparse.Namespace) -> int:
    name: str | None = args.name
    if name is None:
        names = _policy_names()
        width = max((len(n) for n in names), default=0)
        _write("".join(f"{n:<{width}}  {_docs.describe(n, hg.policies[n])}\n" for n in names))
        return 0
    policy = hg.policies[name]
    description = _docs.describe(name, policy)
    _write(_docs.policy_markdown(policy, name, description))
    return 0


# -- parser ----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    policy_options = argparse.ArgumentParser(add_help=False)
    group = policy_options.add_argument_group("policy")
    choice = group.add_mutually_exclusive_group()
    choice.add_argument(
        "--policy",
        "-p",
        metavar="NAME",
        default=_core.DEFAULT_POLICY,
        help="name of a registered policy (default: %(default)s; presets: "
        + ", ".join(hg.PRESETS)
        + ")",
    )
    choice.add_argument(
        "--policy-file",
        metavar="FILE",
        help="a JSON file (or TOML, for a name ending in .toml, on Python 3.11+) holding "
        "the options of Policy.from_dict()",
    )

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Sanitize HTML with an allowlist policy (Rust + ammonia).",
        epilog="Exit status: 0 ok; 1 inspect found something to remove; 2 error.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {hg.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "sanitize",
        parents=[policy_options],
        help="sanitize HTML to standard output, to another directory or in place",
        description="Sanitize each input and write the results, one after the other, to "
        "standard output as UTF-8 (nothing is added between or after them); or, with "
        "--out-dir or --in-place, each file to a file of its own. Files are read and "
        "written in chunks: memory stays small however big a file is, as long as the "
        "document can be cut between elements at the top level, or inside a page's "
        "<body> or block wrappers such as <div>, <section> and <article> (a document "
        "inside anything else, such as one <table>, is read whole); the output is "
        "exactly that of sanitizing the whole file.",
        epilog="Output files are written to a temporary file beside them "
        f"(.NAME.PID.RANDOM{_stream.TEMP_SUFFIX}) and renamed over the target, so a "
        "failed or killed run never leaves a partly written file; a later run removes "
        "the temporary files a killed one left. A file that fails (unreadable, invalid "
        "UTF-8, over the policy's max_input_bytes) is reported and left as it was; the "
        "others are still done, and the exit status is 2. Writing to standard output, "
        "every input is checked (readable, not too large) before anything is written.",
    )
    p.add_argument("files", nargs="*", metavar="PATH", help=_SANITIZE_INPUT_HELP)
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--out-dir",
        metavar="DIR",
        help="write each file's output into DIR (created if needed) under the file's "
        "name; a directory's files keep their place in its tree under DIR",
    )
    where.add_argument(
        "--in-place",
        action="store_true",
        help="replace each file with its output, atomically, keeping its mode (a "
        "symbolic link's target is replaced, not the link)",
    )
    p.add_argument(
        "--glob",
        action="append",
        metavar="PATTERN",
        help="which files a directory contributes, matched against file names without "
        "regard to case; repeat for several (default: "
        + " ".join(DEFAULT_GLOBS)
        + "). Hidden files and directories (a name starting with '.') are skipped; "
        "files named on the command line are always read",
    )
    p.add_argument(
        "--invalid-utf8",
        choices=("replace", "strict"),
        help="what invalid UTF-8 does: 'replace' with U+FFFD, or 'strict': the file "
        "fails with the byte offset of the first bad byte (default: replace when "
        "writing to standard output, strict with --out-dir or --in-place)",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar (by bytes read) on standard error, with tqdm installed "
        "(pip install 'htmlguard[cli]'); default: on a terminal, for runs of "
        f"{PROGRESS_BYTES >> 20} MiB or {PROGRESS_FILES} files and more",
    )
    p.set_defaults(run=_cmd_sanitize)

    p = sub.add_parser(
        "inspect",
        parents=[policy_options],
        help="report what a policy would remove (exit status 1 if anything)",
        description="Print what the policy would remove from each input: a summary line "
        "(prefixed with the file name when there are several inputs), then one indented "
        "line per removal: KIND TAG NAME VALUE (the value as a JSON string; long values "
        "are shortened by the inspector). Exit status 1 if anything would be removed "
        "from any input, else 0. " + _INPUT_HELP,
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object per input and line: "
        '{"file", "changed", "total", "removed": [{"kind", "tag", "name", "value"}], "html"}',
    )
    p.add_argument("files", nargs="*", metavar="FILE", help=_INPUT_HELP)
    p.set_defaults(run=_cmd_inspect)

    p = sub.add_parser(
        "policies",
        help="list the registered policies, or describe one",
        description="Without NAME, list every registered policy with a one-line "
        "description (presets first). With NAME, print what that policy allows, "
        "as Markdown.",
    )
    p.add_argument("name", nargs="?", metavar="NAME", help="the policy to describe")
    p.set_defaults(run=_cmd_policies)

    from htmlguard.bulk.cli import add_parser as add_bulk  # its dependencies load when it runs

    add_bulk(sub)
    return parser


def _error(message: str) -> int:
    sys.stderr.write(f"{PROG}: error: {message}\n")
    sys.stderr.flush()
    return 2


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, usage errors: argparse has printed them
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    try:
        status: int = args.run(args)
        return status
    except CLIError as e:
        return _error(str(e))
    except hg.HTMLGuardError as e:  # unknown policy, PolicyError, InputTooLargeError, ...
        return _error(str(e))
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as other tools do.
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):  # no real file descriptor
            pass
        return 1
    except KeyboardInterrupt:
        return 130
