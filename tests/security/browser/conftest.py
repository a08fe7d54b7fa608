from __future__ import annotations

import pytest

from .harness import SUMMARY_KEY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Show the control-run numbers even under ``-q``."""
    for line in terminalreporter.config.stash.get(SUMMARY_KEY, []):
        terminalreporter.write_line(line)
