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
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("flask")
pytest.importorskip("wtforms")
pytest.importorskip("waitress")
pytest.importorskip("httpx")
pytest.importorskip("selenium")

from example_sites import (  # noqa: E402 (tests/ is on sys.path, see conftest.py)
    ExampleSite,
    assert_safe,
    chromium,
    click_and_wait,
    fill,
    open_page,
    texts,
)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
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


# ------------------------------------------------------------------ the site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExampleSite]:
    workdir = tmp_path_factory.mktemp("ctf-site")
    s = ExampleSite(
        "example_app", workdir, workdir / "ctf.sqlite3", clear_env=["HTMLGUARD_DEMO_PORT"]
    )
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with chromium("htmlguard-ctf-chromium-") as d:
        yield d


# ------------------------------------------------------------------ helpers


def submit(driver: WebDriver, form: WebElement) -> None:
    """Submit `form` with its own button, as a user would, and wait for the next page."""
    click_and_wait(driver, form.find_element(By.TAG_NAME, "button"))


def login(driver: WebDriver, site: ExampleSite, username: str) -> None:
    open_page(driver, site, "/")
    driver.delete_all_cookies()  # logged out
    open_page(driver, site, "/login")
    form = driver.find_element(By.ID, "login-form")
    form.find_element(By.NAME, "username").send_keys(username)
    form.find_element(By.NAME, "password").send_keys(username)  # demo password = username
    submit(driver, form)
    assert driver.find_element(By.ID, "me").text == username


# ------------------------------------------------------------------ tests


def test_seeded_pages_are_safe_and_keep_their_formatting(
    driver: WebDriver, site: ExampleSite
) -> None:
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


def test_profile_form_cleans_the_bio(driver: WebDriver, site: ExampleSite) -> None:
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
    driver: WebDriver, site: ExampleSite
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


def test_json_api_body_is_cleaned_by_the_middleware(driver: WebDriver, site: ExampleSite) -> None:
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


def test_admin_challenge_form_cleans_the_description(driver: WebDriver, site: ExampleSite) -> None:
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


def test_challenge_page_screenshot(driver: WebDriver, site: ExampleSite, tmp_path: Path) -> None:
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


def test_the_hook_detects_a_payload_that_runs(driver: WebDriver, site: ExampleSite) -> None:
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
