"""Packaging contract: the stub, doctests, the public surface, optional imports."""

from __future__ import annotations

import doctest
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

import htmlguard
from htmlguard import _core, cli

ROOT = Path(__file__).resolve().parents[2]


def test_stub_matches_the_compiled_module() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "htmlguard._core"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_package_type_checks_strictly(tmp_path: Path) -> None:
    """The installed package (the stub for the Rust core included) passes mypy --strict."""
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "-p", "htmlguard"],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # away from files that would shadow modules
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "source files" in proc.stdout


@pytest.mark.parametrize("obj", [htmlguard, htmlguard.Policy], ids=["module", "Policy"])
def test_docstring_examples(obj: object) -> None:
    # Policy says its module is "htmlguard", so collect its examples from the class itself.
    tests = doctest.DocTestFinder().find(obj, globs={"Policy": htmlguard.Policy})
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for t in tests:
        runner.run(t)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0


def test_public_names() -> None:
    for name in htmlguard.__all__:
        assert hasattr(htmlguard, name), name
    assert issubclass(htmlguard.PolicyError, ValueError)
    assert issubclass(htmlguard.UnknownPolicyError, LookupError)
    assert issubclass(htmlguard.InputTooLargeError, ValueError)
    for err in (htmlguard.PolicyError, htmlguard.UnknownPolicyError, htmlguard.InputTooLargeError):
        assert issubclass(err, htmlguard.HTMLGuardError)


def test_version_is_cargos() -> None:
    cargo = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    package = cargo.split("[package]", 1)[1].split("\n[", 1)[0]
    version = re.search(r'^version = "([^"]+)"$', package, re.MULTILINE)
    assert version is not None
    assert htmlguard.__version__ == _core.__version__ == version.group(1)
    # pyproject.toml leaves the version to maturin, which reads Cargo.toml's.
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^dynamic = \[.*"version".*\]$', pyproject, re.MULTILINE)
    assert not re.search(r"^version\s*=", pyproject, re.MULTILINE)


def test_default_policy_is_the_cores() -> None:
    default = htmlguard.DEFAULT_POLICY
    assert default == _core.DEFAULT_POLICY and default in htmlguard.PRESETS
    html = "<h1>t</h1><script>x</script>"
    assert htmlguard.sanitize(html) == htmlguard.policies[default].sanitize(html)
    assert htmlguard.sanitize(html) != htmlguard.sanitize(html, "strict")
    verbs = [
        htmlguard.sanitize,
        htmlguard.sanitize_many,
        htmlguard.sanitize_async,
        htmlguard.inspect,
        htmlguard.is_clean,
    ]
    for verb in verbs:
        assert inspect.signature(verb).parameters["policy"].default == default, verb
    assert cli._parser().parse_args(["sanitize"]).policy == default


def test_import_pulls_in_no_framework() -> None:
    code = (
        "import sys, htmlguard, htmlguard.cli;"
        "frameworks = ('flask', 'django', 'wtforms', 'jinja2', 'markupsafe', 'starlette',"
        " 'python_multipart');"
        "bad = [m for m in frameworks if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_typed_package_markers() -> None:
    from importlib import resources

    files = resources.files("htmlguard")
    assert files.joinpath("py.typed").is_file()
    assert files.joinpath("_core.pyi").is_file()
