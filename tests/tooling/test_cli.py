"""The ``htmlguard`` command line, in-process (``main([...])``) and as a real process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import htmlguard as hg
from htmlguard import _docs, cli

DIRTY = '<p onclick="steal()">Hi <script>alert(1)</script><b>there</b></p><h1>Title</h1>'
UGC_CLEAN = "<p>Hi <b>there</b></p><h1>Title</h1>"
BASIC_CLEAN = "<p>Hi <b>there</b></p>Title"
INVALID_UTF8 = b"<p>caf\xe9 <b>\xff\xfe</b></p>"


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *argv: str,
    stdin: bytes | None = None,
) -> tuple[int, str, str]:
    """``main(argv)`` in-process with ``stdin`` as standard input: (status, stdout, stderr)."""
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line_error(err: str, *needles: str) -> None:
    assert err.startswith("htmlguard: error: "), err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)


@pytest.fixture
def dirty_file(tmp_path: Path) -> Path:
    path = tmp_path / "dirty.html"
    path.write_text(DIRTY, encoding="utf-8")
    return path


@pytest.fixture
def clean_file(tmp_path: Path) -> Path:
    path = tmp_path / "clean.html"
    path.write_text("<p>fine <b>text</b></p>\n", encoding="utf-8")
    return path


# -- sanitize ----------------------------------------------------------------------------


def test_sanitize_stdin_uses_ugc_and_adds_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, err = run(capsys, monkeypatch, "sanitize", stdin=DIRTY.encode())
    assert (status, err) == (0, "")
    assert out == UGC_CLEAN == hg.Policy.preset("ugc").sanitize(DIRTY)
    assert "script" not in out and "onclick" not in out and "alert" not in out
    assert "<b>there</b>" in out and "<h1>" in out


def test_sanitize_files_are_concatenated_exactly(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dirty_file: Path,
    clean_file: Path,
) -> None:
    status, out, _ = run(capsys, monkeypatch, "sanitize", str(dirty_file), str(clean_file))
    assert status == 0
    assert out == UGC_CLEAN + "<p>fine <b>text</b></p>\n"


def test_sanitize_dash_is_stdin_among_files(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, clean_file: Path
) -> None:
    status, out, _ = run(
        capsys, monkeypatch, "sanitize", str(clean_file), "-", stdin=b"<i onclick=x>in</i>"
    )
    assert status == 0
    assert out == "<p>fine <b>text</b></p>\n<i>in</i>"


def test_sanitize_accepts_a_stdin_without_byte_buffer(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("<em>x</em><style>p{}</style>"))
    assert cli.main(["sanitize", "--policy", "basic"]) == 0
    assert capsys.readouterr().out == "<em>x</em>"


def test_sanitize_policy_basic(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, dirty_file: Path
) -> None:
    status, out, _ = run(capsys, monkeypatch, "sanitize", "--policy", "basic", str(dirty_file))
    assert status == 0
    # basic keeps inline formatting but not headings: <h1> goes, its text stays.
    assert out == BASIC_CLEAN
    status, out, _ = run(capsys, monkeypatch, "sanitize", "-p", "strict", str(dirty_file))
    assert (status, out) == (0, "Hi thereTitle")


def test_sanitize_policy_file_json(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    dirty_file: Path,
) -> None:
    policy = hg.Policy(tags={"h1"}, clean_content_tags={"script"}, generic_attributes={"title"})
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(json.dumps(policy.to_dict()), encoding="utf-8")
    status, out, err = run(
        capsys, monkeypatch, "sanitize", "--policy-file", str(policy_file), str(dirty_file)
    )
    assert (status, err) == (0, "")
    assert out == "Hi there<h1>Title</h1>"
    assert out == policy.sanitize(DIRTY)


def test_sanitize_policy_file_toml(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    pytest.importorskip("tomllib")
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(
        'tags = ["b"]\nclean_content_tags = ["script"]\n[tag_attributes]\nb = ["title"]\n',
        encoding="utf-8",
    )
    status, out, _ = run(
        capsys,
        monkeypatch,
        "sanitize",
        "--policy-file",
        str(policy_file),
        stdin=b'<b title="t" id="x">b</b><i>i</i><script>s</script>',
    )
    assert (status, out) == (0, '<b title="t">b</b>i')


def test_invalid_utf8_is_replaced(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.html"
    path.write_bytes(INVALID_UTF8)
    status, out, err = run(capsys, monkeypatch, "sanitize", str(path))
    assert (status, err) == (0, "")
    assert out == "<p>caf\ufffd <b>\ufffd\ufffd</b></p>"
    # the same from standard input
    status, out, _ = run(capsys, monkeypatch, "sanitize", stdin=INVALID_UTF8)
    assert out == "<p>caf\ufffd <b>\ufffd\ufffd</b></p>"


def test_help_documents_the_replacement(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["sanitize", "--help"]) == 0
    assert "U+FFFD" in capsys.readouterr().out


# -- errors ------------------------------------------------------------------------------


def test_unknown_policy_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, dirty_file: Path
) -> None:
    for command in ("sanitize", "inspect"):
        status, out, err = run(capsys, monkeypatch, command, "--policy", "nope", str(dirty_file))
        assert (status, out) == (2, "")
        assert_one_line_error(err, "unknown policy", "nope", "ugc")


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "is not valid"),
        ("[1, 2]", "must hold an object"),
        ('{"tags": ["b"], "bogus": 1}', "bogus"),
        ('{"tags": "b"}', "tags"),
        ('{"tags": ["script"]}', "tags"),
        ('{"url_schemes": ["javascript"]}', "url_schemes"),
    ],
)
def test_bad_policy_file_exits_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    content: str,
    needle: str,
) -> None:
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(content, encoding="utf-8")
    status, out, err = run(
        capsys, monkeypatch, "sanitize", "--policy-file", str(policy_file), stdin=b"<b>x</b>"
    )
    assert (status, out) == (2, "")
    assert_one_line_error(err, "policy.json", needle)


def test_missing_policy_file_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.json"
    status, out, err = run(capsys, monkeypatch, "inspect", "--policy-file", str(missing))
    assert (status, out) == (2, "")
    assert_one_line_error(err, "nope.json")


def test_missing_input_exits_2_without_partial_output(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    clean_file: Path,
) -> None:
    missing = tmp_path / "missing.html"
    for command in ("sanitize", "inspect"):
        status, out, err = run(capsys, monkeypatch, command, str(clean_file), str(missing))
        assert (status, out) == (2, "")
        assert_one_line_error(err, "missing.html", "No such file")


def test_input_too_large_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    policy_file = tmp_path / "small.json"
    policy_file.write_text('{"tags": ["b"], "max_input_bytes": 8}', encoding="utf-8")
    status, out, err = run(
        capsys, monkeypatch, "sanitize", "--policy-file", str(policy_file), stdin=b"<b>x</b>" * 4
    )
    assert (status, out) == (2, "")
    assert_one_line_error(err)


def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert run(capsys, monkeypatch)[0] == 2
    assert run(capsys, monkeypatch, "frobnicate")[0] == 2
    status, _, err = run(
        capsys, monkeypatch, "sanitize", "--policy", "basic", "--policy-file", "x.json"
    )
    assert status == 2 and "not allowed with" in err


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


class _FullDisk(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")


def test_output_errors(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("<b>x</b>"))
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert cli.main(["sanitize"]) == 1  # the reader went away: quiet, no traceback
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(sys, "stdin", io.StringIO("<b>x</b>"))
    monkeypatch.setattr(sys, "stdout", _FullDisk())
    assert cli.main(["sanitize"]) == 2
    assert_one_line_error(capsys.readouterr().err, "cannot write", "No space left")


def test_version(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, _ = run(capsys, monkeypatch, "--version")
    assert (status, out) == (0, f"htmlguard {hg.__version__}\n")


# -- inspect -----------------------------------------------------------------------------


def test_inspect_dirty_exits_1_and_lists_removals(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, dirty_file: Path
) -> None:
    status, out, err = run(capsys, monkeypatch, "inspect", str(dirty_file))
    assert (status, err) == (1, "")
    report = hg.Policy.preset("ugc").inspect(DIRTY)
    lines = out.splitlines()
    assert lines[0] == str(report)  # one input: no file name prefix
    assert "p[onclick]" in lines[0] and "<script>" in lines[0]
    assert sorted(lines[1:]) == sorted(
        ['  attribute p onclick "steal()"', '  tag script script ""']
    )


def test_inspect_clean_exits_0(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, clean_file: Path
) -> None:
    status, out, _ = run(capsys, monkeypatch, "inspect", str(clean_file))
    assert status == 0
    assert out == "nothing removed\n"
    # what is clean for one policy is not for another
    status, out, _ = run(capsys, monkeypatch, "inspect", "--policy", "strict", str(clean_file))
    assert status == 1 and "<p>" in out and "<b>" in out


def test_inspect_several_inputs_prefixes_names(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dirty_file: Path,
    clean_file: Path,
) -> None:
    status, out, _ = run(
        capsys, monkeypatch, "inspect", str(clean_file), "-", str(dirty_file), stdin=b"<b>ok</b>"
    )
    assert status == 1  # one dirty input is enough
    summaries = [line for line in out.splitlines() if not line.startswith("  ")]
    assert summaries == [
        f"{clean_file}: nothing removed",
        "<stdin>: nothing removed",
        f"{dirty_file}: {hg.Policy.preset('ugc').inspect(DIRTY)}",
    ]


def test_inspect_values_are_quoted_on_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    html = '<p onclick="a\nb &quot;c&quot;">x</p>' + f'<b title="{"y" * 500}">z</b>'
    expected = hg.Policy.preset("basic").inspect(html)
    status, out, _ = run(capsys, monkeypatch, "inspect", "-p", "basic", stdin=html.encode())
    assert status == 1
    assert out.splitlines()[1:] == [
        f"  {r.kind} {r.tag} {r.name} {json.dumps(r.value, ensure_ascii=False)}"
        for r in expected.removed
    ]
    assert '  attribute p onclick "a\\nb \\"c\\""' in out.splitlines()
    status, out, _ = run(
        capsys, monkeypatch, "inspect", "-p", "basic", "--json", stdin=html.encode()
    )
    values = [r["value"] for r in json.loads(out)["removed"]]
    assert values == [r.value for r in expected.removed]


def test_inspect_json(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dirty_file: Path,
    clean_file: Path,
) -> None:
    status, out, _ = run(capsys, monkeypatch, "inspect", "--json", str(dirty_file), str(clean_file))
    assert status == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 2
    dirty, clean = records
    assert list(dirty) == ["file", "changed", "total", "removed", "html"]
    assert dirty["file"] == str(dirty_file)
    assert dirty["changed"] is True and dirty["total"] == 2
    assert dirty["html"] == UGC_CLEAN
    assert sorted((r["kind"], r["tag"], r["name"], r["value"]) for r in dirty["removed"]) == [
        ("attribute", "p", "onclick", "steal()"),
        ("tag", "script", "script", ""),
    ]
    assert clean == {
        "file": str(clean_file),
        "changed": False,
        "total": 0,
        "removed": [],
        "html": "<p>fine <b>text</b></p>\n",
    }


def test_inspect_json_stdin_clean_exits_0(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, _ = run(capsys, monkeypatch, "inspect", "--json", stdin="<b>é</b>".encode())
    assert status == 0
    assert json.loads(out) == {
        "file": "<stdin>",
        "changed": False,
        "total": 0,
        "removed": [],
        "html": "<b>é</b>",
    }


# -- policies ----------------------------------------------------------------------------


@pytest.fixture
def extra_policy() -> Iterator[str]:
    name = "test-cli-extra"
    hg.policies.register(name, hg.Policy(tags={"b"}))
    try:
        yield name
    finally:
        hg.policies.unregister(name)


def test_policies_lists_presets_first_then_others(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, extra_policy: str
) -> None:
    status, out, _ = run(capsys, monkeypatch, "policies")
    assert status == 0
    lines = out.splitlines()
    names = [line.split()[0] for line in lines]
    assert names[: len(hg.PRESETS)] == list(hg.PRESETS)
    assert sorted(names) == sorted(hg.policies.names())
    for line, name in zip(lines[: len(hg.PRESETS)], hg.PRESETS, strict=True):
        assert _docs.PRESET_DESCRIPTIONS[name] in line
    extra = lines[names.index(extra_policy)]
    assert "Custom policy allowing 1 element" in extra


def test_policies_name_prints_markdown(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, _ = run(capsys, monkeypatch, "policies", "ugc")
    assert status == 0
    ugc = hg.Policy.preset("ugc")
    assert out == _docs.policy_markdown(ugc, "ugc", _docs.PRESET_DESCRIPTIONS["ugc"])
    assert out.startswith("## ugc\n")
    assert "| `img` |" in out and "`user-content-`" in out


def test_policies_unknown_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, err = run(capsys, monkeypatch, "policies", "nope")
    assert (status, out) == (2, "")
    assert_one_line_error(err, "nope")


# -- as a real process -------------------------------------------------------------------


def _console_script() -> Path:
    bindir = Path(sys.executable).parent
    for name in ("htmlguard", "htmlguard.exe"):
        if (bindir / name).exists():
            return bindir / name
    pytest.skip(f"no htmlguard console script next to {sys.executable}")


@pytest.fixture(params=["module", "script"])
def launcher(request: pytest.FixtureRequest) -> list[str]:
    if request.param == "module":
        return [sys.executable, "-m", "htmlguard"]
    return [str(_console_script())]


def spawn(
    launcher: list[str], *argv: str, stdin: bytes = b"", cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONIOENCODING="ascii")  # our output must not depend on it
    return subprocess.run(
        [*launcher, *argv], input=stdin, capture_output=True, timeout=60, cwd=cwd, env=env
    )


def test_process_sanitize(launcher: list[str], tmp_path: Path, dirty_file: Path) -> None:
    proc = spawn(launcher, "sanitize", stdin=DIRTY.encode())
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, UGC_CLEAN.encode(), b"")

    proc = spawn(launcher, "sanitize", "--policy", "basic", dirty_file.name, cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (0, BASIC_CLEAN.encode())

    policy_file = tmp_path / "p.json"
    policy_file.write_text('{"tags": ["b"], "clean_content_tags": ["script"]}')
    proc = spawn(launcher, "sanitize", "--policy-file", str(policy_file), str(dirty_file))
    assert (proc.returncode, proc.stdout) == (0, b"Hi <b>there</b>Title")

    bad = tmp_path / "bad.html"
    bad.write_bytes(INVALID_UTF8)
    proc = spawn(launcher, "sanitize", str(bad))
    assert proc.returncode == 0
    assert proc.stdout.decode("utf-8") == "<p>caf\ufffd <b>\ufffd\ufffd</b></p>"

    proc = spawn(launcher, "sanitize", "--policy", "nope", stdin=b"x")
    assert (proc.returncode, proc.stdout) == (2, b"")
    assert_one_line_error(proc.stderr.decode(), 'unknown policy "nope"')


def test_process_inspect(
    launcher: list[str], dirty_file: Path, clean_file: Path, tmp_path: Path
) -> None:
    proc = spawn(launcher, "inspect", str(clean_file))
    assert (proc.returncode, proc.stdout) == (0, b"nothing removed\n")

    proc = spawn(launcher, "inspect", str(dirty_file))
    assert proc.returncode == 1
    assert b'  attribute p onclick "steal()"' in proc.stdout.splitlines()

    proc = spawn(launcher, "inspect", "--json", "-", str(clean_file), stdin=DIRTY.encode())
    assert proc.returncode == 1
    first, second = (json.loads(line) for line in proc.stdout.decode().splitlines())
    assert first["file"] == "<stdin>" and first["html"] == UGC_CLEAN and first["total"] == 2
    assert second["file"] == str(clean_file) and second["removed"] == []

    proc = spawn(launcher, "inspect", str(tmp_path / "missing.html"))
    assert (proc.returncode, proc.stdout) == (2, b"")
    assert_one_line_error(proc.stderr.decode(), "missing.html")


def test_process_policies(launcher: list[str]) -> None:
    proc = spawn(launcher, "policies")
    assert proc.returncode == 0
    names = [line.split()[0] for line in proc.stdout.decode().splitlines()]
    assert names == list(hg.PRESETS)  # a fresh process registers only the presets

    proc = spawn(launcher, "policies", "relaxed")
    assert proc.returncode == 0
    expected = _docs.policy_markdown(
        hg.Policy.preset("relaxed"), "relaxed", _docs.PRESET_DESCRIPTIONS["relaxed"]
    )
    assert proc.stdout.decode("utf-8") == expected

    proc = spawn(launcher, "policies", "nope")
    assert proc.returncode == 2
    assert_one_line_error(proc.stderr.decode(), "nope")
