"""End to end: the example Django forum (``example_app/forum/``) in a real browser.

The forum runs as a subprocess (``python -m example_app.forum``: Django's threaded WSGI
server) with a fresh SQLite database on a loopback port the OS picks; the test reads that
database file with ``sqlite3`` to see what is really stored. Debian's headless Chromium,
driven by selenium with the browser suite's setup (``tests/security/browser/harness.py``):

* opens every seeded page anonymously (posts written through the ORM and the same payloads
  written by raw SQL, which only the fields' read path cleans);
* logs into the admin, opens a seeded post, checks that its textarea holds the stored HTML
  as text (``.value`` is the stored string: escaped exactly once), saves it unchanged and
  checks the row did not change and the admin's history says "No fields changed."; the
  same with a raw-SQL row, whose save writes back the cleaned value the admin showed;
* posts through the ModelForm views (reply, new topic, edit) and the Preview button (the
  JSON API behind the request middleware), and checks that what was stored is what renders
  (``innerHTML``) and what the edit form shows.

Every seeded payload calls the pages' script hook, ``window.__hook()`` (``alert`` & co. are
wrapped to call it too), which renames the tab "PWNED" and reports to ``/__pwned``. Each
page must load with the hook defined and never run, no dialog open, and nothing able to run
script inside the user HTML. The last test proves the detector: an unsanitized payload put
into the page does trip it. ``test_json_api_is_cleaned_by_the_middleware`` needs no
browser: it talks to the API with httpx.

``HTMLGUARD_UPDATE_SCREENSHOT=1`` rewrites docs/screenshots/forum.png from the run.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("django")
httpx = pytest.importorskip("httpx")
pytest.importorskip("selenium")

from example_sites import (  # noqa: E402 (tests/ is on sys.path, see conftest.py)
    ExampleSite,
    assert_safe,
    chromium,
    click_and_wait,
    fill,
    open_page,
    settle,
    texts,
)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402, N812
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

import htmlguard as hg  # noqa: E402
from example_app.forum.policies import POLICIES  # noqa: E402 (plain data, no Django)

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "docs" / "screenshots" / "forum.png"

#: The forum's "post" policy, built here from the same data: what the site must store.
POST = hg.Policy.from_dict(POLICIES["post"])

#: Payloads for the forms and the API; each calls the hook if it ever runs.
HOSTILE = (
    "<img src=x onerror=\"__hook('img')\">"
    "<a href=\"javascript:__hook('js-url')\">click</a>"
    "<svg onload=\"__hook('svg')\"></svg>"
    "<script>__hook('script')</script>"
    "<iframe srcdoc=\"<script>parent.__hook('srcdoc')</script>\"></iframe>"
    "<details open ontoggle=\"__hook('toggle')\"><summary>s</summary></details>"
    "<input autofocus onfocus=\"__hook('focus')\">"
    "</textarea><img src=x onerror=\"__hook('textarea breakout')\">"
    "<math><mtext><table><mglyph><style><img src=x onerror=\"__hook('mxss')\">"
)

#: Allowed markup only, written as the policy writes it (checked below): stored, rendered
#: and shown for editing exactly as typed. Newlines, as a textarea sends them (CRLF), come
#: back as LF.
CLEAN = (
    "<h3>Round trip</h3>\n"
    "<p>Some <b>bold</b>, <i>italic</i> and <code>x &lt; y &amp;&amp; y &gt; z</code>, "
    'with a <a href="https://example.org/docs" rel="nofollow noopener noreferrer">link</a>'
    " and a non-breaking&nbsp;space.</p>\n"
    "<ul><li>one</li><li>two</li></ul>\n"
    "<blockquote>quoted</blockquote>\n"
    "<pre><code>line 1\nline 2</code></pre>\n"
    '<p><img src="/static/forum/logo.svg" alt="logo" width="32" height="32"></p>'
)


# ------------------------------------------------------------------ the site


class Forum(ExampleSite):
    """``python -m example_app.forum`` in a subprocess, with its own database."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(
            "example_app.forum",
            workdir,
            workdir / "forum.sqlite3",
            clear_env=["HTMLGUARD_FORUM_PORT", "HTMLGUARD_FORUM_DB", "DJANGO_SETTINGS_MODULE"],
        )

    def sql(self, query: str, *args: Any) -> list[tuple[Any, ...]]:
        """Rows straight from the database file (read-only), around the site's ORM."""
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10)
        try:
            return conn.execute(query, args).fetchall()
        finally:
            conn.close()

    def body(self, post_id: int) -> str:
        (row,) = self.sql("SELECT body FROM forum_post WHERE id = ?", post_id)
        return str(row[0])


@pytest.fixture(scope="module")
def forum(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Forum]:
    f = Forum(tmp_path_factory.mktemp("forum"))
    try:
        yield f
    finally:
        f.stop()


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with chromium("htmlguard-forum-chromium-") as d:
        yield d


# ------------------------------------------------------------------ helpers


def value(element: WebElement) -> str:
    """A form control's current value (for a textarea: its text, as the user sees it)."""
    return str(element.get_property("value"))


def log_in(driver: WebDriver, forum: Forum, username: str, *, admin: bool = False) -> None:
    """Log in through the forum's login page, or the admin's (demo password = username)."""
    open_page(driver, forum, "/")
    driver.delete_all_cookies()
    open_page(driver, forum, "/admin/login/" if admin else "/login/")
    form = driver.find_element(By.ID, "login-form")
    form.find_element(By.NAME, "username").send_keys(username)
    form.find_element(By.NAME, "password").send_keys(username)
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "[type=submit]"))
    if admin:
        assert driver.current_url == forum.base + "/admin/", driver.current_url
    else:
        assert driver.find_element(By.ID, "me").text == username


def inner_html(driver: WebDriver, css: str) -> str:
    return str(driver.find_element(By.CSS_SELECTOR, css).get_property("innerHTML"))


def topic_id(forum: Forum, title_start: str) -> int:
    (row,) = forum.sql("SELECT id FROM forum_topic WHERE title LIKE ?", title_start + "%")
    return int(row[0])


def history_actions(driver: WebDriver, forum: Forum, post_id: int) -> list[str]:
    """The "Action" column of a post's admin history, oldest first."""
    open_page(driver, forum, f"/admin/forum/post/{post_id}/history/")
    return texts(driver, "#change-history tbody tr td:last-child")


def save_in_admin(driver: WebDriver, forum: Forum) -> None:
    click_and_wait(driver, driver.find_element(By.NAME, "_save"))
    assert driver.current_url.startswith(forum.base + "/admin/forum/post/"), driver.current_url
    assert any("was changed successfully" in t for t in texts(driver, ".messagelist li"))
    assert_safe(driver, forum)


# ------------------------------------------------------------------ tests


def test_seeded_pages_are_safe_and_keep_their_formatting(driver: WebDriver, forum: Forum) -> None:
    """Seeded posts and bios, hostile ones included, by ORM and by raw SQL, anonymously."""
    driver.delete_all_cookies()
    topics = [int(r[0]) for r in forum.sql("SELECT id FROM forum_topic ORDER BY id")]
    assert len(topics) >= 3
    for path in ["/", "/login/", *(f"/topics/{t}/" for t in topics)]:
        open_page(driver, forum, path)
        assert_safe(driver, forum)

    open_page(driver, forum, "/")
    # The excerpts use the stricter "excerpt" policy ({{ ...|sanitize:"excerpt" }}).
    assert driver.find_elements(By.CSS_SELECTOR, ".excerpt .user-html b")
    assert driver.find_elements(By.CSS_SELECTOR, ".excerpt .user-html a, .excerpt img") == []

    welcome = forum.sql("SELECT MIN(id) FROM forum_post WHERE via = 'orm'")[0][0]
    open_page(driver, forum, f"/topics/{topic_id(forum, 'Welcome')}/")
    body = f"#post-{welcome}-body"
    assert texts(driver, f"{body} h3") == ["Welcome to the htmlguard forum"]
    assert "javascript:" in texts(driver, f"{body} li code")
    assert texts(driver, f"{body} pre code") == ["$ python -m example_app.forum --port 0"]
    quoted = texts(driver, f"{body} blockquote code")
    assert quoted == ["</textarea><img src=x onerror=\"__hook('textarea breakout')\">"]
    link = driver.find_element(By.CSS_SELECTOR, f"{body} a")
    assert link.get_attribute("href") == "https://github.com/"
    assert link.get_attribute("rel") == "nofollow noopener noreferrer"
    img = driver.find_element(By.CSS_SELECTOR, f"{body} img")
    assert img.get_attribute("src") == forum.base + "/static/forum/logo.svg"
    assert driver.execute_script("return arguments[0].naturalWidth", img) > 0  # it loaded

    # The same payloads, through the ORM (stored clean) and by raw SQL (stored hostile):
    # the read path makes the raw rows render exactly as the ORM's.
    orm = forum.sql(
        "SELECT id, body FROM forum_post WHERE topic_id = ? ORDER BY id",
        topic_id(forum, "XSS museum, part 1"),
    )
    raw = forum.sql(
        "SELECT id, body FROM forum_post WHERE topic_id = ? ORDER BY id",
        topic_id(forum, "XSS museum, part 2"),
    )
    assert len(orm) == len(raw) == 5
    assert all("__hook" in body for _, body in raw)  # stored as written
    assert not any("__hook" in body for _, body in orm)  # stored cleaned
    shown: dict[int, str] = {}
    for topic in (topic_id(forum, "XSS museum, part 1"), topic_id(forum, "XSS museum, part 2")):
        open_page(driver, forum, f"/topics/{topic}/")
        assert_safe(driver, forum)
        for pid, _ in orm + raw:
            if driver.find_elements(By.ID, f"post-{pid}-body"):
                shown[pid] = inner_html(driver, f"#post-{pid}-body")
    for (orm_id, orm_body), (raw_id, raw_body) in zip(orm, raw, strict=True):
        assert shown[orm_id] == orm_body == POST.sanitize(raw_body) == shown[raw_id]

    for username, expected in [
        ("admin", "Forum admin."),
        ("alice", "Web"),
        ("mallory", "Totally harmless bio"),  # written by raw SQL
    ]:
        open_page(driver, forum, f"/users/{username}/")
        assert_safe(driver, forum)
        assert expected in texts(driver, "#bio b, #bio i")


def test_admin_shows_the_stored_html_as_text_and_saving_it_changes_nothing(
    driver: WebDriver, forum: Forum
) -> None:
    (row,) = forum.sql(
        "SELECT id, body FROM forum_post WHERE via = 'orm' AND body LIKE '%&lt;/textarea&gt;%'"
    )
    post_id, stored = int(row[0]), str(row[1])
    assert "\n" in stored  # the browser sends it back as CRLF

    log_in(driver, forum, "admin", admin=True)
    open_page(driver, forum, "/admin/forum/post/")
    assert_safe(driver, forum)
    open_page(driver, forum, f"/admin/forum/post/{post_id}/change/")
    assert_safe(driver, forum)
    box = driver.find_element(By.ID, "id_body")
    # Escaped exactly once: the text of the box is the stored HTML, entities and all (a
    # missing escape would turn "&lt;" into "<", a double one show "&amp;lt;").
    assert value(box) == stored

    save_in_admin(driver, forum)
    assert forum.body(post_id) == stored
    assert history_actions(driver, forum, post_id)[-1] == "No fields changed."
    assert_safe(driver, forum)


def test_admin_save_of_a_raw_sql_row_writes_back_what_it_showed(
    driver: WebDriver, forum: Forum
) -> None:
    (row,) = forum.sql(
        "SELECT id, body FROM forum_post WHERE via = 'sql' AND body LIKE '%<b>Links</b>%'"
    )
    post_id, raw = int(row[0]), str(row[1])
    cleaned = POST.sanitize(raw)
    assert "javascript:" in raw and "javascript:" not in cleaned

    log_in(driver, forum, "admin", admin=True)
    open_page(driver, forum, f"/admin/forum/post/{post_id}/change/")
    assert_safe(driver, forum)
    assert value(driver.find_element(By.ID, "id_body")) == cleaned  # read, hence cleaned

    save_in_admin(driver, forum)
    # Nothing changed in the form, but the row now holds the clean HTML it showed.
    assert forum.body(post_id) == cleaned
    assert history_actions(driver, forum, post_id)[-1] == "No fields changed."

    # And the admin can change a post: the new text is cleaned on the way in.
    open_page(driver, forum, f"/admin/forum/post/{post_id}/change/")
    edited = "<p>Edited in the <b>admin</b>.</p>" + HOSTILE
    fill(driver, driver.find_element(By.ID, "id_body"), edited)
    save_in_admin(driver, forum)
    assert forum.body(post_id) == POST.sanitize(edited)
    assert history_actions(driver, forum, post_id)[-1] == "Changed Body."


def test_reply_form_round_trips_clean_html_and_cleans_hostile_html(
    driver: WebDriver, forum: Forum
) -> None:
    assert POST.sanitize(CLEAN) == CLEAN  # CLEAN is written as the policy writes it
    topic = topic_id(forum, "Welcome")
    log_in(driver, forum, "alice")

    def reply(text: str) -> int:
        open_page(driver, forum, f"/topics/{topic}/")
        form = driver.find_element(By.ID, "reply-form")
        fill(driver, form.find_element(By.NAME, "body"), text)
        click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        m = re.fullmatch(
            re.escape(f"{forum.base}/topics/{topic}/#post-") + r"(\d+)", driver.current_url
        )
        assert m, driver.current_url
        assert_safe(driver, forum)
        return int(m.group(1))

    # Allowed markup only: stored, rendered and shown for editing exactly as typed.
    post_id = reply(CLEAN)
    assert not any("htmlguard cleaned" in t for t in texts(driver, ".flash"))
    assert forum.body(post_id) == CLEAN
    assert inner_html(driver, f"#post-{post_id}-body") == CLEAN
    assert texts(driver, f"#post-{post_id}-body code")[0] == "x < y && y > z"
    assert texts(driver, f"#post-{post_id}-body li") == ["one", "two"]

    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, f"#post-{post_id} .edit-link"))
    assert_safe(driver, forum)
    form = driver.find_element(By.ID, "post-form")
    assert value(form.find_element(By.NAME, "body")) == CLEAN
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "Nothing changed." in texts(driver, ".flash")
    assert forum.body(post_id) == CLEAN
    assert_safe(driver, forum)

    # Hostile: cleaned on the way in, the user told what was removed.
    hostile = "<p>Mixed: <b>kept</b> and <em>kept too</em>.</p>" + HOSTILE
    post_id = reply(hostile)
    stored = forum.body(post_id)
    assert stored == POST.sanitize(hostile)
    assert stored.startswith("<p>Mixed: <b>kept</b> and <em>kept too</em>.</p>")
    assert "__hook" not in stored and "<svg" not in stored and "<math" not in stored
    assert any(
        t.startswith("htmlguard cleaned your post: removed") for t in texts(driver, ".flash")
    )
    assert inner_html(driver, f"#post-{post_id}-body") == stored
    # The other pages showing it: the front page's excerpt ("excerpt" policy), the profile.
    open_page(driver, forum, "/")
    assert_safe(driver, forum)
    assert texts(driver, f"#excerpt-{post_id} .user-html b") == ["kept"]
    open_page(driver, forum, "/users/alice/")
    assert_safe(driver, forum)

    # Editing shows what was stored; a change is cleaned again.
    open_page(driver, forum, f"/posts/{post_id}/edit/")
    assert_safe(driver, forum)
    form = driver.find_element(By.ID, "post-form")
    box = form.find_element(By.NAME, "body")
    assert value(box) == stored
    edited = value(box) + "<p onclick=\"__hook('edit')\">edited</p>"
    fill(driver, box, edited)
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert_safe(driver, forum)
    assert "Post saved." in texts(driver, ".flash")
    assert forum.body(post_id) == POST.sanitize(edited)
    assert forum.body(post_id).endswith("<p>edited</p>")
    assert inner_html(driver, f"#post-{post_id}-body") == forum.body(post_id)

    # Another user's post cannot be edited.
    (mallory_post,) = forum.sql(
        "SELECT p.id FROM forum_post p JOIN auth_user u ON u.id = p.author_id"
        " WHERE u.username = 'mallory' ORDER BY p.id LIMIT 1"
    )
    open_page(driver, forum, f"/posts/{mallory_post[0]}/edit/")
    assert driver.find_elements(By.ID, "post-form") == []


def test_preview_button_shows_what_the_middleware_cleaned(driver: WebDriver, forum: Forum) -> None:
    """The Preview button posts to /api/preview, whose view returns the body as it got it
    and the page puts it in with innerHTML: only the middleware stands in between."""
    log_in(driver, forum, "alice")
    open_page(driver, forum, "/topics/new/")
    form = driver.find_element(By.ID, "topic-form")
    text = "<p>Preview <b>me</b>.</p>" + HOSTILE
    fill(driver, form.find_element(By.NAME, "body"), text)
    form.find_element(By.CSS_SELECTOR, "button[data-preview]").click()
    preview = driver.find_element(By.ID, "preview")
    WebDriverWait(driver, 15).until(lambda d: preview.is_displayed())
    settle(driver)
    assert inner_html(driver, "#preview") == POST.sanitize(text)
    assert texts(driver, "#preview b") == ["me"]
    assert_safe(driver, forum)

    # Then the topic itself: its title is plain text, escaped by the template.
    title = "<b>Title</b> with <script>__hook('title')</script> & friends"
    form.find_element(By.NAME, "title").send_keys(title)
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert_safe(driver, forum)
    assert driver.find_element(By.TAG_NAME, "h1").text == title
    (row,) = forum.sql("SELECT id FROM forum_topic WHERE title = ?", title)
    ((post_id, stored),) = forum.sql("SELECT id, body FROM forum_post WHERE topic_id = ?", row[0])
    assert stored == POST.sanitize(text)
    assert inner_html(driver, f"#post-{post_id}-body") == stored


def test_json_api_is_cleaned_by_the_middleware(forum: Forum) -> None:
    topic = topic_id(forum, "Welcome")
    with httpx.Client(base_url=forum.base, timeout=30) as client:
        # A session and Django's CSRF token, as a browser would have them.
        client.get("/login/").raise_for_status()
        token = client.cookies["csrftoken"]
        r = client.post(
            "/login/",
            data={"username": "mallory", "password": "mallory", "csrfmiddlewaretoken": token},
        )
        assert r.status_code == 302, r.text
        token = client.cookies["csrftoken"]  # rotated at login
        headers = {"X-CSRFToken": token}

        def post(path: str, data: object) -> httpx.Response:
            return client.post(path, json=data, headers=headers)

        # /api/preview returns the body exactly as its view received it: the cleaning seen
        # here can only be the middleware's.
        text = "<p>API <b>post</b></p>" + HOSTILE
        r = post("/api/preview", {"post": {"body": text}})
        assert r.status_code == 200, r.text
        assert r.json() == {"html": POST.sanitize(text)}

        r = post("/api/posts", {"post": {"topic": topic, "body": text}})
        assert r.status_code == 201, r.text
        created = r.json()["post"]
        assert created["body"] == POST.sanitize(text) and created["via"] == "api"
        assert forum.body(created["id"]) == POST.sanitize(text)

        # Every value of a repeated key is cleaned (Python's json keeps the last one).
        r = client.post(
            "/api/preview",
            content=b'{"post": {"body": "<b>first</b>", "body": "<img src=x onerror=alert(1)>"}}',
            headers={**headers, "Content-Type": "application/json"},
        )
        assert r.status_code == 200, r.text
        assert r.json() == {"html": '<img src="x">'}

        # A JSON body the middleware cannot read never reaches the view (HTMLGUARD_ON_FAULT).
        r = client.post(
            "/api/posts",
            content=b'{"post": {"topic": 1, "body": "<img src=x onerror=alert(1)>"',
            headers={**headers, "Content-Type": "application/json"},
        )
        assert r.status_code == 400
        assert r.json()["error"] == "unreadable request body"

        # Reading: rows written by raw SQL come out cleaned.
        legacy = topic_id(forum, "XSS museum, part 2")
        r = client.get("/api/posts", params={"topic": legacy})
        assert r.status_code == 200
        bodies = {p["id"]: p["body"] for p in r.json()["posts"]}
        raw = dict(forum.sql("SELECT id, body FROM forum_post WHERE topic_id = ?", legacy))
        assert bodies.keys() == raw.keys()
        for pid, body in bodies.items():
            assert body == POST.sanitize(raw[pid]), pid

    # Without a session: refused by the view; without the CSRF token: by Django.
    with httpx.Client(base_url=forum.base, timeout=30) as anonymous:
        anonymous.get("/login/")
        r = anonymous.post(
            "/api/posts",
            json={"post": {"topic": topic, "body": "hi"}},
            headers={"X-CSRFToken": anonymous.cookies["csrftoken"]},
        )
        assert r.status_code == 401
        assert anonymous.post("/api/posts", json={"post": {"topic": topic}}).status_code == 403


def test_forum_screenshot(driver: WebDriver, forum: Forum, tmp_path: Path) -> None:
    driver.delete_all_cookies()
    open_page(driver, forum, f"/topics/{topic_id(forum, 'XSS museum, part 2')}/")
    assert_safe(driver, forum)
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    png = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    shot = tmp_path / "forum.png"
    shot.write_bytes(base64.b64decode(png["data"]))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("HTMLGUARD_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)


def test_the_hook_detects_a_payload_that_runs(driver: WebDriver, forum: Forum) -> None:
    """Control: the same kind of payload, put into the page unsanitized, is caught (and
    a dialog is seen). Last: it leaves a hit behind."""
    open_page(driver, forum, "/")
    assert_safe(driver, forum)
    driver.execute_script(
        "document.querySelector('.excerpt .user-html').insertAdjacentHTML('beforeend', "
        "arguments[0]);",
        "<img src=x onerror=\"__hook('control')\">",
    )
    WebDriverWait(driver, 10).until(lambda d: d.title == "PWNED")
    deadline = time.monotonic() + 10
    while not forum.hook_hits() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [(h["page"], h["detail"]) for h in forum.hook_hits()] == [("/", "control")]
    open_page(driver, forum, "/")
    assert driver.find_element(By.ID, "hook-status").text == "PWNED 1 time"

    driver.execute_script("setTimeout(() => alert('control dialog'), 0);")
    WebDriverWait(driver, 10).until(EC.alert_is_present())
    with pytest.raises(pytest.fail.Exception, match="a dialog opened"):
        assert_safe(driver, forum)
