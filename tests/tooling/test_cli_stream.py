"""``htmlguard sanitize`` on large files, many files and directories: the streaming core
(``_core._Stream``, ``htmlguard._stream``) gives the output of the whole document with
bounded memory; ``--out-dir`` and ``--in-place`` write atomically, report each failing
file and go on; the progress bar shows only when asked or on a terminal."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import stat
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

import html_strategies as S  # noqa: E402 (tests/ is on sys.path, see conftest.py)
import pytest
from hypothesis import given
from hypothesis import strategies as st

import htmlguard as hg
from htmlguard import _core, _stream, cli
from htmlguard.errors import InvalidUTF8Error

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
import corpora  # noqa: E402 (bench/ is put on sys.path just above)

MB = 1 << 20

#: Policies that take each way through the core: the presets, a policy that escapes
#: disallowed tags (its own cut points), the ammonia engine (never cut while streaming),
#: links made from text, and SVG animation (never cut at all).
POLICIES = {
    "ugc": hg.Policy.preset("ugc"),
    "basic": hg.Policy.preset("basic"),
    "strict": hg.Policy.preset("strict"),
    "relaxed": hg.Policy.preset("relaxed"),
    "escape": hg.Policy.preset("basic").derive(disallowed="escape"),
    "ammonia": hg.Policy.preset("ugc").derive(engine="ammonia"),
    "linkify": hg.Policy.preset("ugc").derive(linkify=True),
    "animate": hg.Policy(tags={"svg", "animate", "p", "b", "a"}),
}


def streamed(
    policy: hg.Policy, data: bytes, chunk: int, scan: int, errors: str = "strict"
) -> bytes:
    """``data`` fed to a ``_Stream`` in chunks of ``chunk`` bytes, searching for a cut point
    after every ``scan`` bytes at least; the output joined."""
    s = _core._Stream(policy, errors=errors, scan_bytes=scan)  # type: ignore[arg-type]
    out = [s.feed(data[i : i + chunk]) for i in range(0, len(data), chunk)]
    out.append(s.finish())
    return b"".join(out)


def whole(policy: hg.Policy, data: bytes, errors: str = "strict") -> bytes:
    return policy.sanitize(data.decode("utf-8", errors)).encode("utf-8")


@cache
def realistic() -> list[str]:
    return corpora.realistic_docs(200)


@cache
def big(size: int, ascii_only: bool) -> str:
    doc = corpora.big_document(realistic(), size)
    return corpora.ascii_only(doc) if ascii_only else doc


# ---------------------------------------------------------------- identity


@pytest.mark.parametrize("name", POLICIES)
def test_xss_corpora_stream_to_the_output_of_the_whole(name: str) -> None:
    payloads, _ = corpora.hostile_payloads()
    if len(payloads) < 300:
        pytest.skip("the public XSS corpora are not there (../shared/xss-public)")
    policy = POLICIES[name]
    # Each payload alone in tiny chunks, cut wherever possible...
    for payload in payloads[::7]:
        data = payload.encode("utf-8", "surrogatepass")
        expected = whole(policy, data, "replace")
        assert streamed(policy, data, 3, 1, "replace") == expected, payload
    # ...and all of them as one document, between paragraphs that give cut points.
    doc = "".join(f"<p>{i}</p>{p}" for i, p in enumerate(payloads)).encode("utf-8", "surrogatepass")
    expected = whole(policy, doc, "replace")
    for chunk, scan in [(1000, 1), (4096, 10_000), (MB, MB)]:
        assert streamed(policy, doc, chunk, scan, "replace") == expected, (chunk, scan)


@pytest.mark.parametrize("ascii_only", [True, False], ids=["ascii", "emoji"])
@pytest.mark.parametrize("name", ["ugc", "relaxed", "escape", "ammonia"])
def test_bench_corpora_stream_to_the_output_of_the_whole(name: str, ascii_only: bool) -> None:
    policy = POLICIES[name]
    docs = realistic()
    for doc in docs[:40]:
        data = (corpora.ascii_only(doc) if ascii_only else doc).encode()
        assert streamed(policy, data, 5, 1) == whole(policy, data)
    data = big(3 * MB, ascii_only).encode()
    expected = whole(policy, data)
    for chunk, scan in [(777, 1), (64 * 1024, 100_000), (MB, MB)]:
        assert streamed(policy, data, chunk, scan) == expected, (chunk, scan)


@S.examples(400)
@given(
    doc=S.inputs,
    name=st.sampled_from(sorted(POLICIES)),
    chunk=st.integers(1, 64),
    scan=st.integers(1, 512),
)
def test_generated_documents_stream_to_the_output_of_the_whole(
    doc: str, name: str, chunk: int, scan: int
) -> None:
    policy = POLICIES[name]
    # Repeated, so that the document is long next to the chunks and has cut points.
    data = (doc * 8).encode("utf-8", "surrogatepass")
    assert streamed(policy, data, chunk, scan, "replace") == whole(policy, data, "replace")


@S.examples(300)
@given(
    doc=S.inputs,
    name=st.sampled_from(sorted(POLICIES)),
    wrap=st.sampled_from(
        [
            ("<div class=w onclick=x()>", "</div>"),
            ("<html><body><main id=m><article>", "</article></main></body></html>"),
            ("<section title=s><div>", ""),  # left open to the end
        ]
    ),
    chunk=st.integers(1, 64),
    scan=st.integers(1, 512),
)
def test_generated_documents_in_wrappers_stream_to_the_output_of_the_whole(
    doc: str, name: str, wrap: tuple[str, str], chunk: int, scan: int
) -> None:
    # Cut inside the wrappers, their start tags before each later segment (engine/stream.rs).
    policy = POLICIES[name]
    head, tail = wrap
    data = (head + "<p>a</p>" + doc * 8 + "<p>b</p>" + tail).encode("utf-8", "surrogatepass")
    assert streamed(policy, data, chunk, scan, "replace") == whole(policy, data, "replace")


@S.examples(300)
@given(data=st.binary(max_size=200), chunk=st.integers(1, 16))
def test_invalid_utf8_is_replaced_as_python_does(data: bytes, chunk: int) -> None:
    ugc = POLICIES["ugc"]
    assert streamed(ugc, data, chunk, 1, "replace") == whole(ugc, data, "replace")


@S.examples(300)
@given(data=st.binary(max_size=200), chunk=st.integers(1, 16))
def test_strict_names_the_offset_of_the_first_bad_byte(data: bytes, chunk: int) -> None:
    ugc = POLICIES["ugc"]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        # Python reports a sequence cut off by the end at its start, as the stream does.
        with pytest.raises(InvalidUTF8Error, match=f"at byte offset {e.start} of the input$"):
            streamed(ugc, data, chunk, 1)
    else:
        assert streamed(ugc, data, chunk, 1) == whole(ugc, data)


def test_stream_refuses_bad_use_and_input_over_the_limit() -> None:
    with pytest.raises(ValueError, match="errors"):
        _core._Stream("ugc", errors="ignore")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _core._Stream(42)  # type: ignore[arg-type]
    with pytest.raises(hg.UnknownPolicyError):
        _core._Stream("nope")
    s = _core._Stream("ugc")
    with pytest.raises(TypeError):
        s.feed("<p>str, not bytes</p>")  # type: ignore[arg-type]
    assert s.feed(b"<p>x</p>") == b"" and s.finish() == b"<p>x</p>"
    with pytest.raises(ValueError, match="finished"):
        s.feed(b"more")
    small = hg.Policy(tags={"b"}, max_input_bytes=10)
    s = _core._Stream(small)
    s.feed(b"<b>x</b>")
    with pytest.raises(hg.InputTooLargeError, match="at least 11 bytes.*max_input_bytes of 10"):
        s.feed(b"<b>")
    with pytest.raises(ValueError, match="earlier error"):
        s.finish()


# ---------------------------------------------------------------- memory


_MEASURED = """
import resource, sys
import htmlguard.cli
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
status = htmlguard.cli.main(sys.argv[1:])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stderr.write(f"maxrss {base} {peak}\\n")
sys.exit(status)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in KiB is Linux's")
@pytest.mark.parametrize(
    ("ascii_only", "to", "wrap"),
    [
        (True, "stdout", None),
        (False, "out-dir", None),
        (True, "stdout", "page"),
        (False, "stdout", "div"),
        (False, "stdout", "table"),
    ],
    ids=["ascii", "emoji", "whole-page", "in-a-div", "in-a-table"],
)
def test_peak_memory_stays_under_four_times_the_file(
    tmp_path: Path, ascii_only: bool, to: str, wrap: str | None
) -> None:
    text = big(40 * MB, ascii_only)
    if wrap == "page":  # a saved page: its body is cut like a fragment (rust/html/split.rs)
        head = '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>t</title>'
        text = f"{head}<style>p{{}}</style></head><body class=x>\n{text}\n</body></html>\n"
    elif wrap == "div":  # an export in one element: cut inside it (rust/engine/stream.rs)
        text = f'<div class="export" id=all>\n<article>{text}</article>\n</div>\n'
    elif wrap == "table":  # a layout table: no cut point inside it (engine/stream.rs)
        text = f"<table><tr><td>\n{text}\n</td></tr></table>\n"
    src = tmp_path / "big.html"
    src.write_text(text, encoding="utf-8")
    size = src.stat().st_size
    assert ascii_only == (size == len(text))  # the emoji document is not ASCII
    out = tmp_path / "out.html"
    argv = [sys.executable, "-c", _MEASURED, "sanitize", str(src)]
    if to == "stdout":
        with out.open("wb") as f:
            proc = subprocess.run(argv, stdout=f, stderr=subprocess.PIPE, timeout=300)
    else:
        proc = subprocess.run(
            [*argv, "--out-dir", str(tmp_path / "out")], capture_output=True, timeout=300
        )
        out = tmp_path / "out" / "big.html"
    assert proc.returncode == 0, proc.stderr
    base, peak = map(int, re.findall(rb"maxrss (\d+) (\d+)", proc.stderr)[0])
    ratio = (peak - base) * 1024 / size
    assert ratio < 4, f"peak {peak - base} KiB over the baseline for a {size >> 20} MiB file"
    assert out.read_bytes() == hg.sanitize(text).encode()


# ---------------------------------------------------------------- files and directories


def htmlguard(*argv: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-m", "htmlguard", *argv], capture_output=True, timeout=300, **kwargs
    )


DIRTY = '<p onclick="x()">a <script>alert(1)</script><b>b</b></p>'
CLEAN = hg.sanitize(DIRTY)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A tree of pages, with files a directory does not contribute by default."""
    root = tmp_path / "site"
    for rel in ["index.html", "blog/post.HTM", "blog/2024/old.html", "docs/a.htm"]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"{DIRTY}<i>{rel}</i>", encoding="utf-8")
    (root / "notes.txt").write_text(DIRTY)
    (root / ".git").mkdir()
    (root / ".git" / "x.html").write_text(DIRTY)
    (root / "blog" / ".draft.html").write_text(DIRTY)
    return root


def pages(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_out_dir_mirrors_the_tree(site: Path, tmp_path: Path) -> None:
    before = pages(site)
    extra = tmp_path / "extra.html"
    extra.write_text(DIRTY)
    out = tmp_path / "out"
    proc = htmlguard("sanitize", str(site), str(extra), "--out-dir", str(out))
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert pages(site) == before  # the input is not touched
    got = pages(out)
    assert sorted(got) == [
        "blog/2024/old.html",
        "blog/post.HTM",
        "docs/a.htm",
        "extra.html",
        "index.html",
    ]
    for rel, data in got.items():
        tail = "" if rel == "extra.html" else f"<i>{rel}</i>"
        assert data == (CLEAN + tail).encode(), rel
    # --glob replaces the default patterns; hidden files stay out.
    proc = htmlguard("sanitize", str(site), "--glob", "*.txt", "--out-dir", str(tmp_path / "txt"))
    assert proc.returncode == 0
    assert pages(tmp_path / "txt") == {"notes.txt": CLEAN.encode()}


def test_out_dir_collisions_fail_and_repeats_are_done_once(site: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "index.html").write_text("<b>other</b>")
    index = site / "index.html"
    out = tmp_path / "out"
    proc = htmlguard(
        "sanitize", str(index), str(index), str(other / "index.html"), "--out-dir", str(out)
    )
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines() == [
        f"htmlguard: error: {other / 'index.html'}: its output "
        f"{str(out / 'index.html')!r} is {str(index)!r}'s too"
    ]
    assert pages(out) == {"index.html": (CLEAN + "<i>index.html</i>").encode()}


def test_out_dir_inside_the_input_is_not_read_again(site: Path) -> None:
    out = site / "clean"
    for _ in range(2):
        proc = htmlguard("sanitize", str(site), "--out-dir", str(out))
        assert proc.returncode == 0, proc.stderr
    assert not (out / "clean").exists()
    assert (out / "index.html").read_bytes() == (CLEAN + "<i>index.html</i>").encode()


def test_in_place_keeps_mode_and_follows_links(site: Path, tmp_path: Path) -> None:
    index = site / "index.html"
    index.chmod(0o640)
    outside = tmp_path / "outside.html"
    outside.write_text(DIRTY)
    link = site / "link.html"
    link.symlink_to(outside)
    proc = htmlguard("sanitize", "--in-place", str(site))
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert index.read_bytes() == (CLEAN + "<i>index.html</i>").encode()
    assert stat.S_IMODE(index.stat().st_mode) == 0o640
    assert link.is_symlink() and outside.read_bytes() == CLEAN.encode()
    assert (site / "notes.txt").read_text() == DIRTY  # not an HTML file
    assert (site / ".git" / "x.html").read_text() == DIRTY
    assert not list(site.rglob("*" + _stream.TEMP_SUFFIX))
    # Sanitized output is a fixed point: a second run changes nothing.
    before = pages(site)
    assert htmlguard("sanitize", "--in-place", str(site)).returncode == 0
    assert pages(site) == before


def test_each_failing_file_is_reported_and_the_others_done(site: Path, tmp_path: Path) -> None:
    (site / "bad.html").write_bytes(b"<p>caf\xe9</p>")
    (site / "gone.html").symlink_to(tmp_path / "missing.html")
    (site / "huge.html").write_text("<b>x</b>" * 100)
    policy_file = tmp_path / "p.json"
    policy = hg.Policy.preset("ugc").derive(max_input_bytes=500)
    policy_file.write_text(__import__("json").dumps(policy.to_dict()))
    before = pages(site)
    out = tmp_path / "out"
    for where in (["--out-dir", str(out)], ["--in-place"]):
        proc = htmlguard("sanitize", "--policy-file", str(policy_file), str(site), *where)
        assert proc.returncode == 2
        errors = proc.stderr.decode().splitlines()
        assert len(errors) == 3, errors
        assert all(e.startswith("htmlguard: error: ") for e in errors)
        by_file = {Path(e.split(": ")[2]).name: e for e in errors}
        assert "invalid UTF-8 at byte offset 6" in by_file["bad.html"]
        assert "No such file" in by_file["gone.html"]
        assert "max_input_bytes of 500" in by_file["huge.html"]
    # the failing files were left as they were, the others done
    after = pages(site)
    for name in ("bad.html", "huge.html"):
        assert after[name] == before[name]
    assert after["index.html"] == (CLEAN + "<i>index.html</i>").encode()
    assert sorted(pages(out)) == ["blog/2024/old.html", "blog/post.HTM", "docs/a.htm", "index.html"]
    assert not list(site.rglob("*" + _stream.TEMP_SUFFIX))
    # --invalid-utf8 replace sanitizes the Latin-1 file with U+FFFD instead.
    proc = htmlguard("sanitize", "--in-place", "--invalid-utf8", "replace", str(site / "bad.html"))
    assert proc.returncode == 0
    assert (site / "bad.html").read_text("utf-8") == "<p>caf\ufffd</p>"


def test_standard_input_streams_with_invalid_bytes_replaced(tmp_path: Path) -> None:
    data = big(3 * MB, False).encode() + b"<p>caf\xe9</p>" + big(MB, True).encode()
    src = tmp_path / "in.html"
    src.write_bytes(data)
    with src.open("rb") as f:
        proc = htmlguard("sanitize", "-p", "relaxed", stdin=f)
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert proc.stdout == whole(POLICIES["relaxed"], data, "replace")


def test_usage_errors(site: Path, tmp_path: Path) -> None:
    for argv in (
        [str(site)],  # a directory needs somewhere to write
        ["--in-place", "-"],
        ["--out-dir", str(tmp_path / "o"), "-"],
        ["--in-place", "--out-dir", str(tmp_path / "o"), str(site)],
    ):
        proc = htmlguard("sanitize", *argv)
        assert (proc.returncode, proc.stdout) == (2, b""), argv
        assert proc.stderr.count(b"\n") >= 1 and b"Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


def test_a_failure_part_way_leaves_the_original_intact(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    good = big(3 * MB, True).encode()
    original = good + b"<p>\xff</p>"  # the bad byte after megabytes of output
    path.write_bytes(original)
    proc = htmlguard("sanitize", "--in-place", str(path))
    assert proc.returncode == 2
    assert f"at byte offset {len(good) + 3} " in proc.stderr.decode()
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]


def test_killed_mid_file_leaves_the_original_and_a_named_temp_the_next_run_removes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "page.html"
    text = big(60 * MB, True)
    path.write_text(text, encoding="utf-8")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    proc = subprocess.Popen(
        [sys.executable, "-m", "htmlguard", "sanitize", "--in-place", str(path)],
        stderr=subprocess.PIPE,
    )
    pattern = re.compile(rf"^\.page\.html\.{proc.pid}\.[^.]+{re.escape(_stream.TEMP_SUFFIX)}$")
    deadline = time.monotonic() + 60
    temps: list[Path] = []
    while not temps and time.monotonic() < deadline and proc.poll() is None:
        temps = [p for p in tmp_path.iterdir() if pattern.match(p.name) and p.stat().st_size]
        time.sleep(0.005)
    proc.kill()  # SIGKILL: no clean-up of any kind
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    assert temps, "no temporary file seen"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert [p.name for p in tmp_path.iterdir() if p.name != "page.html"] == [temps[0].name]
    # The next run removes the dead run's temporary file and does the job.
    again = htmlguard("sanitize", "--in-place", str(path))
    assert again.returncode == 0
    assert again.stderr.decode() == f"htmlguard: removed {temps[0]}, left by an interrupted run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]
    assert path.read_bytes() == hg.sanitize(text).encode()


def test_a_live_writers_temp_file_is_left_alone(tmp_path: Path) -> None:
    live = tmp_path / f".x.html.{os.getpid()}.abc{_stream.TEMP_SUFFIX}"
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], stdout=subprocess.PIPE
    )
    dead_pid = int(gone.stdout)
    dead = tmp_path / f".x.html.{dead_pid}.abc{_stream.TEMP_SUFFIX}"
    unrelated = tmp_path / ".x.html.tmp"
    for p in (live, dead, unrelated):
        p.write_text("partial")
    assert _stream.remove_stale_temps(str(tmp_path)) == [str(dead)]
    assert live.exists() and unrelated.exists() and not dead.exists()


# ---------------------------------------------------------------- progress


def run_on_pty(argv: list[str], stdout: Path) -> tuple[int, bytes]:
    """Run ``argv`` with standard error on a terminal; (status, what it wrote there)."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    master, slave = pty.openpty()
    # A terminal of 100 columns (a new pty has none, and tqdm fits its bar to them).
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    with stdout.open("wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    seen = bytearray()
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                break
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the other end is closed
                break
            if not data:
                break
            seen += data
    finally:
        os.close(master)
    return proc.wait(timeout=60), bytes(seen)


BAR = re.compile(rb"100%\|.*\| [\d.]+M/[\d.]+M \[")


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("progress") / "big.html"
    path.write_text(big(cli.PROGRESS_BYTES + MB, False), encoding="utf-8")
    return path


def test_progress_on_a_terminal_only_for_big_runs(big_file: Path, tmp_path: Path) -> None:
    pytest.importorskip("tqdm")
    launcher = [sys.executable, "-m", "htmlguard", "sanitize"]
    expected = hg.sanitize(big_file.read_text("utf-8")).encode()
    status, seen = run_on_pty([*launcher, str(big_file)], tmp_path / "out")
    assert status == 0 and BAR.search(seen), seen[-300:]
    assert (tmp_path / "out").read_bytes() == expected  # nothing of the bar in the output
    small = tmp_path / "small.html"
    small.write_text(DIRTY)
    assert run_on_pty([*launcher, str(small)], tmp_path / "out") == (0, b"")
    assert run_on_pty([*launcher, "--no-progress", str(big_file)], tmp_path / "out") == (0, b"")


def test_progress_when_asked(big_file: Path, tmp_path: Path) -> None:
    pytest.importorskip("tqdm")
    small = tmp_path / "small.html"
    small.write_text(DIRTY)
    proc = htmlguard("sanitize", "--progress", str(small))
    assert proc.stdout == CLEAN.encode()
    n = len(DIRTY)  # the bar counts bytes read
    assert re.search(rf"100%\|.*\| {n}\.0/{n}\.0 \[".encode(), proc.stderr), proc.stderr
    proc = htmlguard("sanitize", str(big_file))  # not a terminal: no bar
    assert proc.returncode == 0 and proc.stderr == b""
    # several files: the bar counts them too
    out = tmp_path / "out"
    proc = htmlguard("sanitize", "--progress", str(small), str(big_file), "--out-dir", str(out))
    assert proc.returncode == 0
    assert b"2/2 files" in proc.stderr


def test_without_tqdm_the_command_works_without_a_bar(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "tqdm.py").write_text("raise ImportError('tqdm is not installed')\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(blocker), env.get("PYTHONPATH")]))
    small = tmp_path / "small.html"
    small.write_text(DIRTY)
    proc = htmlguard("sanitize", "--progress", str(small), env=env)
    assert (proc.returncode, proc.stdout) == (0, CLEAN.encode())
    assert proc.stderr == b"htmlguard: note: --progress needs tqdm (pip install 'htmlguard[cli]')\n"
