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


# Markers (registered in pyproject.toml), given here by path so the test files stay as they
# are. `pytest -m "not browser and not e2e and not load"` is the quick inner loop;
# ./scripts/test runs everything.
#   browser: drives headless Chromium (tests/browser/, the example site)
#   e2e:     starts real servers (uvicorn, waitress) and talks to them over loopback
#   load:    the end-to-end load test (many concurrent clients)
_BROWSER_PATHS = ("browser/", "test_example_site.py")
_E2E_PATHS = ("test_e2e_middleware.py",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        try:
            rel = item.path.resolve().relative_to(_HERE).as_posix()
        except ValueError:
            continue
        if rel.startswith(_BROWSER_PATHS):
            item.add_marker(pytest.mark.browser)
        if rel in _E2E_PATHS:
            item.add_marker(pytest.mark.e2e)
            if item.name.startswith("test_load"):
                item.add_marker(pytest.mark.load)
