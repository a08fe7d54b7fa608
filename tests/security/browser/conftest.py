from __future__ import annotations

from collections.abc import Iterator

import pytest

from .harness import SUMMARY_KEY, Browser, browser_problem, browser_session


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium for one test module. Missing Chromium, chromedriver or selenium
    is a failure, never a skip: CI has them all."""
    problem = browser_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    with browser_session() as b:
        yield b


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Show the control-run numbers even under ``-q``."""
    for line in terminalreporter.config.stash.get(SUMMARY_KEY, []):
        terminalreporter.write_line(line)
