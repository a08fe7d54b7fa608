"""End to end: the example CTF site (``example_app/``) in a real browser.

The site runs as a subprocess under waitress (``python -m example_app``) with a fresh
database on a loopback port the OS picks; Debian's headless Chromium, driven by selenium
with the browser suite's setup (``tests/security/browser/harness.py``), logs in through the real
login form and submits hostile HTML through each real form (profile bio: cleaned; comment:
refused with its error shown, then a clean one stored; admin challenge: cleaned) and through
the JSON API (cleaned by the request middleware), then opens the pages that show it.

Every payload calls the pages' script hook, ``window.__hook()``, which renames the page to
"PWNED" and reports to ``/__pwned`` (native dialogs are wrapped to call it too). Each page
must load with the hook never run (title unchanged, ``/__pwned`` empty, no dialog open), no
event-handler attribute, ``javascript:`` URL or scripting element inside the user HTML, and
the allowed formatting still there as elements (a ``<b>``, ``<code>``, table... with the
expected text). The last test proves the detector itself: an unsanitized payload put into
the page does trip it.

``HTMLGUARD_UPDATE_SCREENSHOT=1`` rewrites docs/screenshots/challenge.png from the run;
otherwise the screenshot only goes to pytest's temporary directory.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask")
pytest.importorskip("wtforms")
pytest.importorskip("waitress")
httpx = pytest.importorskip("httpx")
pytest.importorskip("selenium")

from browser.harness import (  # noqa: E402 (tests/ is on sys.path, see conftest.py)
    CHROMEDRIVER,
    CHROMIUM,
    CHROMIUM_ARGS,
    browser_problem,
)
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402, N812
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "docs" / "screenshots" / "challenge.png"

#: Payloads for the forms and the API; each calls the hook if it ever runs.
HOSTILE = (
    "<img src=x onerror=\"__hook('img')\">"
    "<a href=\"javascript:__hook('js-url')\">click</a>"
    "<svg onload=\"__hook('svg')\"></svg>"
    "<script>__hook('script')</script>"
    "<iframe srcdoc=\"<script>parent.__hook('srcdoc')</script>\"></iframe>"
    "<details open ontoggle=\"__hook('toggle')\"><summary>s</summary></details>"
    "<input autofocus onfocus=\"__hook('focus')\">"
    "<math><mtext><table><mglyph><style><img src=x onerror=\"__hook('mxss')\">"
)

#: Inside the user HTML containers: anything that could run script.
UNSAFE_DOM_JS = r"""
const bad = [];
for (const root of document.querySelectorAll('.user-html')) {
  for (const el of root.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['script', 'iframe', 'object', 'embed', 'svg', 'math', 'style', 'form', 'input',
         'button', 'base', 'meta', 'link', 'frame', 'frameset'].includes(tag)) bad.push(tag);
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


# ------------------------------------------------------------------ the site


class Site:
    """``python -m example_app`` in a subprocess, with its own database."""

    def __init__(self, workdir: Path) -> None:
        self.log_path = workdir / "site.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env.pop("HTMLGUARD_DEMO_PORT", None)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "example_app",
                "--port",
                "0",
                "--db",
                str(workdir / "ctf.sqlite3"),
                "--parent",
                str(os.getpid()),
            ],
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
        assert self.proc.stdout is not None
        lines: list[bytes] = []
        reader = threading.Thread(
            target=lambda: lines.append(self.proc.stdout.readline()),  # type: ignore[union-attr]
            daemon=True,
        )
        reader.start()
        reader.join(60)
        m = re.search(rb"http://127\.0\.0\.1:(\d+)/", lines[0] if lines else b"")
        if m is None:
            raise RuntimeError(
                f"the site did not start (exit code {self.proc.poll()}):\n{self.log()}"
            )
        # Drain the rest of stdout so the server never blocks on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        return f"http://127.0.0.1:{int(m.group(1))}"

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
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if hasattr(self, "http"):
            self.http.close()
        self._log.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    s = Site(tmp_path_factory.mktemp("ctf-site"))
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    problem = browser_problem()
    if problem:
        pytest.skip(problem)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="htmlguard-ctf-chromium-")
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


# ------------------------------------------------------------------ helpers


def settle(driver: WebDriver) -> None:
    """Wait for the page to finish loading, then long enough for load/error/focus handlers
    (and the hook's report to the server) to have run if anything had survived."""
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    time.sleep(0.3)


def open_page(driver: WebDriver, site: Site, path: str) -> None:
    driver.get(site.base + path)
    settle(driver)


def click_and_wait(driver: WebDriver, element: WebElement) -> None:
    """Click `element` (a button or link) and wait for the page it leads to."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 15).until(EC.staleness_of(old))
    settle(driver)


def submit(driver: WebDriver, form: WebElement) -> None:
    """Submit `form` with its own button, as a user would, and wait for the next page."""
    click_and_wait(driver, form.find_element(By.TAG_NAME, "button"))


def fill(driver: WebDriver, field: WebElement, text: str) -> None:
    """Put `text` in a field (long payloads are set directly rather than typed key by key)."""
    driver.execute_script("arguments[0].value = arguments[1];", field, text)


def login(driver: WebDriver, site: Site, username: str) -> None:
    open_page(driver, site, "/")
    driver.delete_all_cookies()  # logged out
    open_page(driver, site, "/login")
    form = driver.find_element(By.ID, "login-form")
    form.find_element(By.NAME, "username").send_keys(username)
    form.find_element(By.NAME, "password").send_keys(username)  # demo password = username
    submit(driver, form)
    assert driver.find_element(By.ID, "me").text == username


def assert_safe(driver: WebDriver, site: Site) -> None:
    """The hook never ran on this page (or anywhere), and nothing in the user HTML could."""
    try:
        alert = driver.switch_to.alert
        text = alert.text
        alert.accept()
        pytest.fail(f"a dialog opened on {driver.current_url}: {text!r}")
    except NoAlertPresentException:
        pass
    assert "PWNED" not in driver.title, driver.current_url
    assert driver.execute_script(UNSAFE_DOM_JS) == [], driver.current_url
    assert site.hook_hits() == []
    assert driver.find_element(By.ID, "hook-status").text == "never ran"


def texts(driver: WebDriver, css: str) -> list[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, css)]


# ------------------------------------------------------------------ tests


def test_seeded_pages_are_safe_and_keep_their_formatting(driver: WebDriver, site: Site) -> None:
    """The seeded content is stored unsanitized: the output filter alone protects it."""
    for path in ("/", "/scoreboard", "/login"):
        open_page(driver, site, path)
        assert_safe(driver, site)

    open_page(driver, site, "/challenges/1")
    assert_safe(driver, site)
    assert "Classic:" in texts(driver, "#description li b")
    assert texts(driver, "#description table caption") == ["Scoring"]
    assert texts(driver, "#description details summary") == ["Hint"]
    assert "hover me" in driver.find_element(By.ID, "description").text
    assert "First!" in texts(driver, ".comment .body i")
    assert "<svg onload>" in texts(driver, ".comment .body code")

    open_page(driver, site, "/challenges/2")
    assert_safe(driver, site)
    assert texts(driver, "#description pre code") == ["synt{irav_ivqv_qrpelcgv}"]
    img = driver.find_element(By.CSS_SELECTOR, "#description img")
    assert img.get_attribute("src") == site.base + "/static/flag.svg"
    assert driver.execute_script("return arguments[0].naturalWidth", img) > 0  # it did load

    open_page(driver, site, "/challenges/3")
    assert_safe(driver, site)
    assert "POST /login" in texts(driver, "#description td code")
    assert texts(driver, "#description kbd") == ["tshark -r capture.pcap -qz follow,tcp,ascii,0"]

    for username, css, expected in [
        ("admin", "#bio b", "CTF organiser."),
        ("alice", "#bio code", "0xA11CE"),
        ("mallory", "#bio b", "Totally harmless bio"),
    ]:
        open_page(driver, site, f"/users/{username}")
        assert_safe(driver, site)
        assert expected in texts(driver, css)


def test_profile_form_cleans_the_bio(driver: WebDriver, site: Site) -> None:
    login(driver, site, "alice")
    open_page(driver, site, "/profile")
    form = driver.find_element(By.ID, "profile-form")
    fill(
        driver,
        form.find_element(By.NAME, "bio"),
        "<p><b>bold bio</b> and <a href='https://alice.example.org/writeups'>writeups</a></p>"
        + HOSTILE,
    )
    submit(driver, form)
    assert driver.current_url == site.base + "/users/alice"
    assert_safe(driver, site)
    assert any("htmlguard cleaned the bio: removed" in t for t in texts(driver, ".flash"))
    assert texts(driver, "#bio b") == ["bold bio"]
    link = driver.find_element(By.CSS_SELECTOR, "#bio a")
    assert (link.text, link.get_attribute("href")) == (
        "writeups",
        "https://alice.example.org/writeups",
    )
    assert link.get_attribute("target") == "_blank"

    # Stored clean (the field cleaned it on the way in), not just shown clean.
    open_page(driver, site, "/profile")
    stored = driver.find_element(By.NAME, "bio").get_attribute("value") or ""
    assert "<b>bold bio</b>" in stored
    assert "onerror" not in stored and "__hook" not in stored

    # Players cannot reach the admin form.
    open_page(driver, site, "/admin/challenges/new")
    assert "Forbidden" in driver.find_element(By.TAG_NAME, "body").text


def test_comment_form_rejects_hostile_html_then_stores_a_clean_comment(
    driver: WebDriver, site: Site
) -> None:
    login(driver, site, "alice")
    open_page(driver, site, "/challenges/2")
    before = len(site.http.get("/api/challenges/2/comments").json())

    form = driver.find_element(By.ID, "comment-form")
    hostile = "I solved it <b>fast</b>" + HOSTILE
    fill(driver, form.find_element(By.NAME, "body"), hostile)
    submit(driver, form)
    assert_safe(driver, site)
    errors = texts(driver, "#comment-form .error")
    assert len(errors) == 1 and errors[0].startswith("Disallowed HTML: would remove"), errors
    # The text is given back to edit, as text; nothing was stored.
    assert driver.find_element(By.NAME, "body").get_attribute("value") == hostile
    assert len(site.http.get("/api/challenges/2/comments").json()) == before

    form = driver.find_element(By.ID, "comment-form")
    box = form.find_element(By.NAME, "body")
    box.clear()
    box.send_keys("Nice one: <b>rot13</b> with <code>tr a-z n-za-m</code>")
    submit(driver, form)
    assert_safe(driver, site)
    assert driver.find_elements(By.CSS_SELECTOR, "#comment-form .error") == []
    assert "rot13" in texts(driver, ".comment .body b")
    assert "tr a-z n-za-m" in texts(driver, ".comment .body code")
    stored = site.http.get("/api/challenges/2/comments").json()
    assert len(stored) == before + 1
    assert stored[-1]["body"] == "Nice one: <b>rot13</b> with <code>tr a-z n-za-m</code>"


def test_json_api_body_is_cleaned_by_the_middleware(driver: WebDriver, site: Site) -> None:
    # Refused without a session, and a body the middleware cannot read is refused too.
    assert site.http.post("/api/challenges/3/comments", json={"body": "hi"}).status_code == 401
    bad = site.http.post(
        "/api/challenges/3/comments",
        content=b'{"body": "<img src=x onerror=alert(1)>"',
        headers={"Content-Type": "application/json"},
    )
    assert bad.status_code == 400

    login(driver, site, "alice")
    open_page(driver, site, "/challenges/3")
    result = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        fetch('/api/challenges/3/comments', {
          method: 'POST', headers: {'Content-Type': 'application/json'},
          body: JSON.stringify({body: arguments[0]}),
        }).then(async (r) => done({status: r.status, json: await r.json()}),
                (e) => done({status: 0, json: String(e)}));
        """,
        "Found it with <em>via the API</em> and <code>tshark</code>" + HOSTILE,
    )
    assert result["status"] == 201, result
    body = result["json"]["body"]
    assert body.startswith("Found it with <em>via the API</em> and <code>tshark</code>"), body
    assert "__hook" not in body and "<img" not in body and "<a" not in body, body

    open_page(driver, site, "/challenges/3")
    assert_safe(driver, site)
    assert "via the API" in texts(driver, ".comment .body em")
    assert "tshark" in texts(driver, ".comment .body code")
    assert "via API" in driver.find_element(By.ID, "comments").text


def test_admin_challenge_form_cleans_the_description(driver: WebDriver, site: Site) -> None:
    login(driver, site, "admin")
    open_page(driver, site, "/admin/challenges/new")
    form = driver.find_element(By.ID, "challenge-form")
    form.find_element(By.NAME, "title").send_keys("Warm-up")
    Select(form.find_element(By.NAME, "category")).select_by_value("misc")
    points = form.find_element(By.NAME, "points")
    points.clear()
    points.send_keys("50")
    form.find_element(By.NAME, "flag").send_keys("flag{warm}")
    fill(
        driver,
        form.find_element(By.NAME, "description"),
        "<h3>Warm-up</h3><p>Run <code>strings warmup.bin</code> and read the "
        "<a href='/challenges/1'>first challenge</a>.</p>"
        "<table><tr><th>File</th><td>warmup.bin</td></tr></table>" + HOSTILE,
    )
    submit(driver, form)
    assert re.fullmatch(re.escape(site.base) + r"/challenges/\d+", driver.current_url)
    assert_safe(driver, site)
    assert any("htmlguard cleaned the description" in t for t in texts(driver, ".flash"))
    assert texts(driver, "#description h3") == ["Warm-up"]
    assert texts(driver, "#description code") == ["strings warmup.bin"]
    assert texts(driver, "#description td") == ["warmup.bin"]
    link = driver.find_element(By.CSS_SELECTOR, "#description a")
    assert link.get_attribute("href") == site.base + "/challenges/1"

    # The edit form shows what was stored: the cleaned description.
    click_and_wait(driver, driver.find_element(By.ID, "edit-challenge"))
    stored = driver.find_element(By.NAME, "description").get_attribute("value") or ""
    assert "<h3>Warm-up</h3>" in stored and "__hook" not in stored
    assert_safe(driver, site)


def test_challenge_page_screenshot(driver: WebDriver, site: Site, tmp_path: Path) -> None:
    login(driver, site, "alice")
    open_page(driver, site, "/challenges/1")
    assert_safe(driver, site)
    # The whole page, not just the viewport.
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    png = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    shot = tmp_path / "challenge.png"
    shot.write_bytes(base64.b64decode(png["data"]))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("HTMLGUARD_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)


def test_the_hook_detects_a_payload_that_runs(driver: WebDriver, site: Site) -> None:
    """Control: the same kind of payload, put into the page unsanitized, is caught."""
    open_page(driver, site, "/challenges/1")
    assert_safe(driver, site)
    driver.execute_script(
        "document.getElementById('description').insertAdjacentHTML('beforeend', arguments[0]);",
        "<img src=x onerror=\"__hook('control')\">",
    )
    WebDriverWait(driver, 10).until(lambda d: d.title == "PWNED")
    deadline = time.monotonic() + 10
    while not site.hook_hits() and time.monotonic() < deadline:
        time.sleep(0.05)
    hits = site.hook_hits()
    assert [(h["page"], h["detail"]) for h in hits] == [("/challenges/1", "control")]
    open_page(driver, site, "/")
    assert driver.find_element(By.ID, "hook-status").text == "PWNED 1 time"
