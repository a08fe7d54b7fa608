"""The ``htmlguard`` command line: sanitize and inspect HTML files, describe policies.

Exit status: 0 on success (``inspect``: nothing would be removed), 1 when ``inspect``
found something to remove, 2 on a usage error, an unknown policy, a bad policy file or
an unreadable input. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import htmlguard as hg
from htmlguard import _core, _docs

__all__ = ["main"]

PROG = "htmlguard"
STDIN_NAME = "<stdin>"

_INPUT_HELP = (
    "HTML files to read ('-' or none: standard input). Input is decoded as UTF-8; "
    "invalid bytes are replaced with U+FFFD (the replacement character)."
)


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


def _cmd_sanitize(args: argparse.Namespace) -> int:
    policy = _policy(args)
    inputs = _read_inputs(args.files)
    # Sanitize everything before writing anything: an error never leaves partial output.
    outputs = [policy.sanitize(text) for _, text in inputs]
    _write("".join(outputs))
    return 0


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
        help="sanitize HTML and write it to standard output",
        description="Sanitize each input and write the results, one after the other, to "
        "standard output as UTF-8 (nothing is added between or after them). " + _INPUT_HELP,
    )
    p.add_argument("files", nargs="*", metavar="FILE", help=_INPUT_HELP)
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
