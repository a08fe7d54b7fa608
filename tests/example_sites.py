"""The example sites' browser tests share this: the site as a subprocess on a loopback port,
headless Chromium driven by selenium (the browser suite's setup,
``tests/security/browser/harness.py``), and the checks that a page ran no user script.

Each site's pages define ``window.__hook()``, which every test payload calls: it renames
the tab "PWNED", reports to ``/__pwned`` and sets ``#hook-status``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser.harness import CHROMEDRIVER, CHROMIUM, CHROMIUM_ARGS, browser_problem
from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as EC  # noqa: N812
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[1]

#: Inside the user HTML containers (``.user-html``): anything that could run script.
UNSAFE_DOM_JS = r"""
const bad = [];
for (const root of document.querySelectorAll('.user-html')) {
  for (const el of root.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['script', 'iframe', 'object', 'embed', 'svg', 'math', 'style', 'form', 'input',
         'button', 'textarea', 'base', 'meta', 'link', 'frame', 'frameset'].includes(tag)) {
      bad.push(tag);
    }
    for (const a of el.attributes) {
      const v = a.value.replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
      const name = a.name.toLowerCase();
      if (name.startsWith('on') || name === 'style' || name === 'srcdoc' ||
          /^(javascript|vbscript|data):/.test(v)) bad.push(tag + '[' + name + '=' + a.value + ']');
    }
  }
}
return bad;
"""


class ExampleSite:
    """``python -m MODULE --port 0 --db DB --parent PID`` in a subprocess: it prints its URL
    once it listens, and exits when this process does."""

    def __init__(
        self, module: str, workdir: Path, db: Path, *, clear_env: Sequence[str] = ()
    ) -> None:
        self.db = db
        self.log_path = workdir / "site.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        for name in clear_env:
            env.pop(name, None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, "--port", "0", "--db", str(db)]
            + ["--parent", str(os.getpid())],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log,
            start_new_session=True,
        )
        try:
            self.base = self._read_url()
        except BaseException:
            self.stop()
            raise
        self.http = httpx.Client(base_url=self.base, timeout=30)

    def _read_url(self) -> str:
        """Read stdout until the URL line, then keep draining it so the server never blocks
        on a full pipe."""
        assert self.proc.stdout is not None
        stdout = self.proc.stdout
        found: list[str] = []
        ready = threading.Event()

        def read() -> None:
            for line in stdout:
                m = re.search(rb"http://127\.0\.0\.1:(\d+)/", line)
                if m and not found:
                    found.append(f"http://127.0.0.1:{int(m.group(1))}")
                    ready.set()
            ready.set()  # EOF: the server exited

        threading.Thread(target=read, daemon=True).start()
        ready.wait(120)  # a site may migrate, seed and hash passwords first
        if not found:
            raise RuntimeError(
                f"the site did not start (exit code {self.proc.poll()}):\n{self.log()}"
            )
        return found[0]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    def hook_hits(self) -> list[dict[str, Any]]:
        r = self.http.get("/__pwned")
        r.raise_for_status()
        hits: list[dict[str, Any]] = r.json()["hits"]
        return hits

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if hasattr(self, "http"):
            self.http.close()
        self._log.close()


@contextmanager
def chromium(profile_prefix: str) -> Iterator[WebDriver]:
    """Headless Chromium with a fresh profile; skips the test when there is none."""
    problem = browser_problem()
    if problem:
        pytest.skip(problem)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix=profile_prefix)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in CHROMIUM_ARGS:
        if not arg.startswith("--window-size="):
            options.add_argument(arg)
    options.add_argument("--window-size=1200,900")
    options.add_argument(f"--user-data-dir={profile}")
    # A dialog stays open, so assert_safe sees it (the page's hook records it as well).
    options.unhandled_prompt_behavior = "ignore"
    d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    d.set_page_load_timeout(30)
    try:
        yield d
    finally:
        d.quit()
        shutil.rmtree(profile, ignore_errors=True)


def settle(driver: WebDriver) -> None:
    """Wait for the page to finish loading, then long enough for load/error/focus handlers
    (and the hook's report to the server) to have run if anything had survived."""
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    time.sleep(0.3)


def open_page(driver: WebDriver, site: ExampleSite, path: str) -> None:
    driver.get(site.base + path)
    settle(driver)


def click_and_wait(driver: WebDriver, element: WebElement) -> None:
    """Click `element` (a button or link) and wait for the page it leads to."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    # Asked about the old page while it is being torn down, chromedriver can answer with an
    # error other than "stale" ("unhandled inspector error"): ask again.
    WebDriverWait(driver, 15, ignored_exceptions=(WebDriverException,)).until(EC.staleness_of(old))
    settle(driver)


def fill(driver: WebDriver, field: WebElement, text: str) -> None:
    """Put `text` in a field (long payloads are set directly rather than typed key by key)."""
    driver.execute_script("arguments[0].value = arguments[1];", field, text)


def texts(driver: WebDriver, css: str) -> list[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, css)]


def assert_safe(driver: WebDriver, site: ExampleSite) -> None:
    """The hook is there and never ran, on this page or any other; no dialog is open; and
    nothing in the user HTML could run script."""
    try:
        alert = driver.switch_to.alert
        text = alert.text
        alert.accept()
        pytest.fail(f"a dialog opened on {driver.current_url}: {text!r}")
    except NoAlertPresentException:
        pass
    url = driver.current_url
    # Without the hook, a payload calling it would fail silently: the check would be blind.
    assert driver.execute_script("return typeof window.__hook") == "function", url
    assert "PWNED" not in driver.title, url
    assert driver.execute_script(UNSAFE_DOM_JS) == [], url
    assert site.hook_hits() == []
    assert driver.find_element(By.ID, "hook-status").text == "never ran", url
