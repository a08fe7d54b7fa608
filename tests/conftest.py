from __future__ import annotations

import sys
from pathlib import Path

import pytest

import htmlguard as hg

# Tests are grouped by door: core/ (the verbs, policies, options, reports), request/ (the
# middleware), flask/ (Flask, Jinja, WTForms, the example site), security/ (corpora, browser,
# properties, differential, hostile input) and tooling/ (CLI, docs, package, benchmark).
# Shared helpers (tests/html_strategies.py, tests/middleware_drivers.py), the security
# suite's modules that other tests reuse (security/test_xss_corpora.py, the browser
# harness) and the fuzz harness's checker (fuzz/atheris_sanitize.py) are plain modules:
# make them importable by name.
_HERE = Path(__file__).resolve().parent
for _dir in (_HERE, _HERE / "security", _HERE.parent / "fuzz"):
    if str(_dir) not in sys.path:
        sys.path.insert(0, str(_dir))


@pytest.fixture(params=hg.PRESETS)
def preset(request: pytest.FixtureRequest) -> hg.Policy:
    return hg.Policy.preset(request.param)


# Markers (registered in pyproject.toml), given here by path and name so the test files stay
# as they are. `pytest -m "not browser and not e2e and not load and not slow"` is the quick
# inner loop; ./scripts/test runs everything.
#   browser: drives headless Chromium (security/browser/, the example sites: Flask, Django)
#   e2e:     starts real servers (uvicorn, waitress...) and talks to them over loopback
#   load:    the end-to-end load tests (many concurrent clients)
#   slow:    seconds to minutes each: the hypothesis properties, huge and deeply nested
#            inputs, the stress tests, the benchmark's quick run, mypy and stubtest, the
#            PostgreSQL server's own tests
# Paths are prefixes: "django/test_e2e" is django/test_e2e*.py.
_BROWSER_PATHS = ("security/browser/", "flask/test_example_site.py", "django/test_example")
_E2E_PATHS = ("request/test_e2e_middleware.py", "django/test_e2e")
_SLOW: dict[str, tuple[str, ...] | None] = {  # file: test names (None: all of the file's)
    "security/test_properties.py": None,
    "security/test_stress.py": None,
    "tooling/test_bench.py": None,
    "tooling/test_pg_server.py": None,
    "security/test_hostile_input.py": (
        "test_deep_nesting_is_flattened",
        "test_100_mb_input",
        "test_ampersand_heavy_input_is_not_quadratic",
        "test_a_million_attributes_on_one_element",
    ),
    "security/test_differential_nh3.py": (
        "test_generated_inputs_agree_or_differ_for_a_listed_reason",
    ),
    "tooling/test_package.py": (
        "test_package_type_checks_strictly",
        "test_stub_matches_the_compiled_module",
    ),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        try:
            rel = item.path.resolve().relative_to(_HERE).as_posix()
        except ValueError:
            continue
        name = getattr(item, "originalname", item.name)
        if rel.startswith(_BROWSER_PATHS):
            item.add_marker(pytest.mark.browser)
        if rel.startswith(_E2E_PATHS):
            item.add_marker(pytest.mark.e2e)
            if name.startswith("test_load"):
                item.add_marker(pytest.mark.load)
        if rel in _SLOW and (_SLOW[rel] is None or name in (_SLOW[rel] or ())):
            item.add_marker(pytest.mark.slow)
