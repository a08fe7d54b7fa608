from __future__ import annotations

import sys
from pathlib import Path

import pytest

import htmlguard as hg

# Shared test helpers (tests/html_strategies.py) and the fuzz harness's checker
# (fuzz/atheris_sanitize.py) are plain modules: make them importable by name.
_HERE = Path(__file__).resolve().parent
for _dir in (_HERE, _HERE.parent / "fuzz"):
    if str(_dir) not in sys.path:
        sys.path.insert(0, str(_dir))


@pytest.fixture(params=hg.PRESETS)
def preset(request: pytest.FixtureRequest) -> hg.Policy:
    return hg.Policy.preset(request.param)
