"""scripts/test and scripts/test-django: what they run is what they and the README say, and
test-django picks its interpreters as documented."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST = ROOT / "scripts" / "test"
TEST_DJANGO = ROOT / "scripts" / "test-django"


def _phases() -> list[str]:
    """The phases scripts/test runs, in order: `phase NAME ...` and `phase "NAME" ...`."""
    return [
        m.group(1) or m.group(2)
        for m in re.finditer(r'^phase (?:"([^"]+)"|(\S+)) ', TEST.read_text(), re.MULTILINE)
    ]


def test_scripts_test_header_and_the_readme_list_every_phase_in_order() -> None:
    phases = _phases()
    assert {"pytest", "django newest", "tracked files"} <= set(phases)
    header = [m.group(1) for m in re.finditer(r"^#   (\S+(?: \S+)?)  ", TEST.read_text(), re.M)]
    assert [h for h in header if h in phases] == phases
    readme = (ROOT / "README.md").read_text()
    rows = [m.group(1) for m in re.finditer(r"^\| ([a-z][a-z ]*) \| ", readme, re.MULTILINE)]
    assert [r for r in rows if r in phases] == phases


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TEST_DJANGO), *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_test_django_refuses_what_is_not_a_django_line() -> None:
    result = _run("4.2", "latest")
    assert result.returncode == 2
    assert "not a Django line: latest" in result.stderr


def test_test_django_takes_the_newest_python_that_really_runs(tmp_path: Path) -> None:
    found = _run("--python", "newest")
    if found.returncode != 0:
        pytest.skip("no Python >= 3.12 here")
    real = found.stdout.strip()
    # A pyenv root: the newest does not run, the next two do, the last is too old by name.
    versions = tmp_path / "versions"
    for version in ("3.14.0", "3.13.98", "3.12.99", "3.11.5"):
        (versions / version / "bin").mkdir(parents=True)
        if version != "3.14.0":
            (versions / version / "bin" / "python").symlink_to(real)
    broken = versions / "3.14.0" / "bin" / "python"
    broken.write_text("#!/bin/sh\nexit 127\n")  # like a pyenv shim of a version not selected
    broken.chmod(0o755)
    # No python3.1x on this PATH, no pyenv command: only the pyenv root is left.
    env = {"PATH": "/usr/bin:/bin", "PYENV_ROOT": str(tmp_path), "HOME": str(tmp_path)}
    if any(os.access(f"/usr/bin/python3.{n}", os.X_OK) for n in (12, 13, 14)):
        pytest.skip("a system Python >= 3.12 would come first")
    result = _run("--python", "newest", env=env)
    assert (result.returncode, result.stdout.strip()) == (0, str(versions / "3.13.98/bin/python"))

    for version in ("3.13.98", "3.12.99"):
        (versions / version / "bin" / "python").unlink()
    result = _run("--python", "newest", env=env)
    assert (result.returncode, result.stdout) == (1, "")  # scripts/test reports it missing
