"""Real-browser harness: a local two-origin HTTP server, Debian's Chromium through
selenium, and batch pages that run many payload documents at once.

Every payload becomes its own *case document*, served from the "case" origin
(``http://127.0.0.1:<port B>/case/<key>``) exactly as a server would render user HTML:
the HTML under test sits inside ``<div id="hg-container">`` in the body and is parsed
by the browser's HTML parser together with the page. The document's ``<head>`` holds
the harness's own trusted script, which

* defines the hooks a payload calls to prove it ran (``xss(ID)`` for the project's
  payloads; ``alert``, ``confirm``, ``prompt``, ``print``, ``document.write`` and
  ``document.writeln`` for the public ones) -- they record the call by
  ``postMessage`` to the batch page. The same hooks are injected into every other
  document of the tab too (``srcdoc`` and ``data:`` frames, ``javascript:`` URL results)
  through ``Page.addScriptToEvaluateOnNewDocument``;
* once the document has loaded, dispatches the usual events (mouse, pointer, focus,
  keyboard, form, media, animation, transition, toggle, SMIL ``beginEvent``, ...) on every
  element (also inside same-origin child frames), plus one event per ``on*`` attribute
  present, and calls each compiled ``on*`` handler directly as a catch-all (Chromium files
  some attributes under other event types); fires window-level events on ``window`` and
  ``document``; runs the payload's H5SC trigger if it has one; waits 150 ms; re-parses the
  body through ``innerHTML`` into a new ``<div>`` attached to the document (mutation XSS)
  and fires everything on the re-parsed elements; waits 200 ms more and reports "done";
* cancels navigations of its frame to anything but ``data:`` (links and forms to http
  URLs would otherwise unload the document before the harness is done); ``javascript:``
  URLs never go through that check (the Navigation API does not see them), so they run.

A *batch page* on the other origin (port A) holds up to ``BATCH_SIZE`` case documents,
each in its own iframe, and attributes every recorded call to its case by walking from
the message's source window up through ``parent``/``opener`` to one of its iframes.
The case documents being cross-origin to the batch page keeps a payload from navigating
or scripting the page that collects the results. Chromium resolves no host name but
127.0.0.1, so nothing leaves the machine and dead links fail at once.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

#: Lines for the end-of-run summary (printed by this package's conftest.py).
SUMMARY_KEY = pytest.StashKey[list[str]]()

CHROMIUM = os.environ.get("HTMLGUARD_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("HTMLGUARD_CHROMEDRIVER", "/usr/bin/chromedriver")

#: Case documents per batch page.
BATCH_SIZE = 60
#: How long one batch may take before its unfinished cases are given up on.
BATCH_TIMEOUT = 30.0

CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--no-proxy-server",
    "--mute-audio",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    "--window-size=1600,1400",
    # Only the local server resolves: dead links fail at once, nothing leaves the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)

#: The hooks, in every document of the tab. Each call posts {__hg, kind, args, where} to
#: the top window (the batch page); ``top`` is read once, before any payload could
#: shadow it in an event handler's scope.
HOOKS_JS = r"""
(() => {
  if (Object.prototype.hasOwnProperty.call(window, '__hgHooks')) return;
  Object.defineProperty(window, '__hgHooks', {value: true});
  const top_ = window.top;
  const str = (v) => { try { return String(v).slice(0, 200); } catch (e) { return '?'; } };
  const record = (kind, args) => {
    let where = '';
    try { where = str(location.href); } catch (e) {}
    const msg = {__hg: 1, kind: kind, args: Array.prototype.map.call(args, (a) => str(a)),
                 where: where};
    try { top_.postMessage(msg, '*'); } catch (e) {}
  };
  const hook = (obj, name, kind) => {
    try {
      Object.defineProperty(obj, name, {configurable: true, writable: true,
        value: function () { record(kind, arguments); }});
    } catch (e) {}
  };
  for (const n of ['xss', 'alert', 'confirm', 'prompt', 'print']) hook(window, n, n);
  hook(document, 'write', 'document.write');
  hook(document, 'writeln', 'document.writeln');
})();
"""

#: The case document's own harness (see the module docstring). ``%CONFIG%`` is a JSON
#: object with the H5SC ``trigger`` (or null). DOM methods are taken from the prototypes
#: before the body is parsed, so a payload clobbering ``document.body`` & co. with
#: ``name`` attributes cannot blind it.
CASE_JS = r"""
(() => {
  const CONFIG = %CONFIG%;
  const top_ = window.top;
  const win = window, doc = document;
  const timer = win.setTimeout;
  const sleep = (ms) => new Promise((r) => timer.call(win, r, ms));
  const dispatch = EventTarget.prototype.dispatchEvent;
  const qsa = Element.prototype.querySelectorAll;
  const docQsa = Document.prototype.querySelectorAll;
  const bodyOf = Object.getOwnPropertyDescriptor(Document.prototype, 'body').get;
  const docEl = Object.getOwnPropertyDescriptor(Document.prototype, 'documentElement').get;
  const html = Object.getOwnPropertyDescriptor(Element.prototype, 'innerHTML');
  const createElement = Document.prototype.createElement;
  const appendChild = Node.prototype.appendChild;
  const attrsOf = Object.getOwnPropertyDescriptor(Element.prototype, 'attributes').get;
  const MouseEv = win.MouseEvent, Ev = win.Event;

  try {
    win.navigation.addEventListener('navigate', (e) => {
      let url = '';
      try { url = String(e.destination.url); } catch (err) {}
      if (!/^data:/i.test(url) && e.cancelable) e.preventDefault();
    });
  } catch (e) {}

  // The usual events, on every element; then, per element, one event for each of its
  // on* attributes (whatever the event), so every inline handler present gets called.
  const MOUSE = ['mouseover', 'mouseenter', 'mousemove', 'mousedown', 'mouseup', 'click',
    'dblclick', 'contextmenu', 'auxclick', 'mouseout', 'mouseleave'];
  const USUAL = MOUSE.concat(['pointerover', 'pointerenter', 'pointerdown', 'pointerup',
    'pointermove', 'focus', 'focusin', 'blur', 'focusout', 'keydown', 'keypress', 'keyup',
    'beforeinput', 'input', 'change', 'select', 'invalid', 'submit', 'reset', 'load',
    'error', 'abort', 'toggle', 'beforetoggle', 'scroll', 'wheel', 'animationstart',
    'animationend', 'animationiteration', 'transitionend', 'webkitAnimationStart',
    'webkitAnimationEnd', 'webkitAnimationIteration', 'webkitTransitionEnd', 'beginEvent',
    'endEvent', 'repeatEvent', 'loadstart', 'canplay', 'play', 'ended', 'dragstart', 'drop',
    'copy', 'paste', 'touchstart']);
  // Window-level events (body/frameset on* attributes register their handlers on window).
  const WINDOW = ['load', 'error', 'focus', 'blur', 'pageshow', 'pagehide', 'hashchange',
    'popstate', 'message', 'resize', 'scroll', 'storage', 'online', 'offline',
    'beforeprint', 'afterprint', 'beforeunload', 'unload', 'languagechange',
    'unhandledrejection', 'DOMContentLoaded', 'readystatechange', 'visibilitychange'];
  const RENAMED = {begin: 'beginEvent', end: 'endEvent', repeat: 'repeatEvent',
    webkitanimationstart: 'webkitAnimationStart', webkitanimationend: 'webkitAnimationEnd',
    webkitanimationiteration: 'webkitAnimationIteration',
    webkittransitionend: 'webkitTransitionEnd'};
  const fromAttributes = new Set();

  const fire = (target, type) => {
    try {
      const ev = MOUSE.includes(type)
        ? new MouseEv(type, {bubbles: true, cancelable: true, view: win})
        : new Ev(type, {bubbles: true, cancelable: true});
      dispatch.call(target, ev);
    } catch (e) {}
  };
  // The handler the browser compiled from an on* attribute, read through the prototype's
  // getter (a form's named controls cannot shadow it), or null.
  const handlerOf = (el, name) => {
    for (let o = Object.getPrototypeOf(el); o; o = Object.getPrototypeOf(o)) {
      const d = Object.getOwnPropertyDescriptor(o, name);
      if (d && d.get) {
        try { return d.get.call(el); } catch (e) { return null; }
      }
    }
    return null;
  };
  const fireOn = (el) => {
    for (const t of USUAL) fire(el, t);
    let attrs = [];
    try { attrs = Array.from(attrsOf.call(el), (a) => a.name.toLowerCase()); } catch (e) {}
    for (const name of attrs) {
      if (!name.startsWith('on')) continue;
      const t = RENAMED[name.slice(2)] || name.slice(2);
      fromAttributes.add(t);
      fire(el, t);
      // Catch-all for handlers whose event type the browser maps differently (Chromium
      // files ontransitionend under webkitTransitionEnd, for one): call it directly.
      const fn = handlerOf(el, name);
      if (typeof fn === 'function') {
        try { fn.call(el, new Ev(t, {bubbles: true, cancelable: true})); } catch (e) {}
      }
    }
  };
  const fireTree = (root, depth) => {
    let els = [];
    try {
      els = Array.from(root.nodeType === 9 ? docQsa.call(root, '*') : qsa.call(root, '*'));
    } catch (e) {}
    if (root.nodeType === 1) els.unshift(root);
    for (const el of els) {
      fireOn(el);
      if (depth < 3) {
        let inner = null;
        try { inner = el.contentDocument || (el.getSVGDocument && el.getSVGDocument()); }
        catch (e) {}
        if (inner) fireTree(inner, depth + 1);
      }
    }
  };
  const fireWindow = () => {
    for (const t of new Set(WINDOW.concat(Array.from(fromAttributes)))) {
      fire(win, t);
      fire(doc, t);
    }
  };

  let started = false;
  const run = async () => {
    if (started) return;
    started = true;
    const container = bodyOf.call(doc) || docEl.call(doc);
    const snapshot = html.get.call(container);
    fireTree(doc, 0);
    fireWindow();
    if (CONFIG.trigger) {
      try { (0, eval)(CONFIG.trigger); } catch (e) {}
    }
    await sleep(150);
    const again = createElement.call(doc, 'div');
    appendChild.call(bodyOf.call(doc) || docEl.call(doc), again);
    html.set.call(again, snapshot);
    fireTree(again, 0);
    fireWindow();
    await sleep(200);
    try { top_.postMessage({__hg: 1, kind: 'done'}, '*'); } catch (e) {}
  };
  win.addEventListener('load', run);
  doc.addEventListener('DOMContentLoaded', () => timer.call(win, run, 3000));
})();
"""

#: The batch page: one iframe per case, results kept in ``window.__hgState``.
BATCH_JS = r"""
(() => {
  const CASES = %CASES%;
  const BASE = %BASE%;
  const GIVE_UP = 1500;
  const owner = new Map();
  const loads = new Map(), lastLoad = new Map();
  const state = {hits: [], stray: [], done: []};
  addEventListener('message', (e) => {
    const d = e.data;
    if (!d || typeof d !== 'object' || d.__hg !== 1) return;
    let key = null, w = e.source;
    for (let i = 0; w && i < 50; i++) {
      if (owner.has(w)) { key = owner.get(w); break; }
      let up = null;
      try { up = w.parent; } catch (err) {}
      if (!up || up === w) { try { up = w.opener; } catch (err) { up = null; } }
      w = up;
    }
    if (d.kind === 'done') {
      if (key !== null && owner.get(e.source) === key) state.done.push(key);
      return;
    }
    const hit = {key: key, kind: String(d.kind), args: d.args, where: d.where};
    (key === null ? state.stray : state.hits).push(hit);
  });
  for (const key of CASES) {
    const f = document.createElement('iframe');
    // For payloads that run `eval(name)` / `location = name`: valid JS and a javascript: URL.
    f.name = "javascript:alert('window.name')";
    document.body.appendChild(f);
    owner.set(f.contentWindow, key);
    f.addEventListener('load', () => {
      loads.set(key, (loads.get(key) || 0) + 1);
      lastLoad.set(key, performance.now());
    });
    f.src = BASE + key;
  }
  // A case is settled once its harness said "done", or, if its frame navigated away from
  // the case document (a second load), GIVE_UP ms after the frame's last load.
  const settled = () => {
    const done = new Set(state.done), now = performance.now();
    return CASES.filter((k) => done.has(k)
      || (loads.get(k) > 1 && now - lastLoad.get(k) > GIVE_UP)).length;
  };
  window.__hgState = (full) => full ? state : {settled: settled(), total: CASES.length};
})();
"""

BATCH_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>htmlguard browser XSS batch</title>
<style>body{margin:0}iframe{width:96px;height:64px;border:0;margin:0 2px 2px 0}</style>
</head><body><script>%s</script></body></html>
"""

CASE_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>case</title>
<script>%s</script>
<script>%s</script>
</head><body><div id="hg-container">%s</div></body></html>
"""


@dataclass(frozen=True)
class Case:
    """One document to run: ``html`` is embedded in the page as the HTML under test."""

    key: str
    html: str
    trigger: str | None = None


@dataclass(frozen=True)
class Hit:
    """One recorded call of a hook: what was called, with what, in which document."""

    kind: str
    args: tuple[str, ...]
    where: str

    def __str__(self) -> str:
        return f"{self.kind}({', '.join(self.args)}) in {self.where[:80]}"


@dataclass
class RunResult:
    hits: dict[str, list[Hit]] = field(default_factory=dict)
    #: Cases whose harness never reported back (navigated away, hung, ...).
    unfinished: list[str] = field(default_factory=list)
    #: Calls that could not be attributed to a case, with the cases of their batch.
    stray: list[tuple[Hit, tuple[str, ...]]] = field(default_factory=list)

    def executed(self, key: str) -> bool:
        return bool(self.hits.get(key))


def _script(js: str) -> str:
    """``js`` made safe inside a ``<script>`` element."""
    return js.replace("</", "<\\/")


def case_document(case: Case) -> str:
    config = json.dumps({"trigger": case.trigger})
    harness = CASE_JS.replace("%CONFIG%", config)
    return CASE_PAGE % (_script(HOOKS_JS), _script(harness), case.html)


class _Server:
    """Serves batch pages on one port and case documents on another (two origins).

    A case document is served once; any later request for it (a reload, a form posting
    to its own URL) and every other path get an empty page or a 404, so a payload can
    neither re-run its harness nor load anything else.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pages: dict[str, bytes] = {}
        self._cases: dict[str, bytes] = {}
        handler = self._handler()
        self.batch_server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.case_server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._threads = [
            threading.Thread(target=s.serve_forever, daemon=True)
            for s in (self.batch_server, self.case_server)
        ]
        for t in self._threads:
            t.start()

    @property
    def batch_origin(self) -> str:
        return f"http://127.0.0.1:{self.batch_server.server_address[1]}"

    @property
    def case_origin(self) -> str:
        return f"http://127.0.0.1:{self.case_server.server_address[1]}"

    def add_page(self, name: str, body: str) -> str:
        with self._lock:
            self._pages[name] = body.encode("utf-8")
        return f"{self.batch_origin}/batch/{name}"

    def add_case(self, key: str, body: str) -> None:
        with self._lock:
            self._cases[key] = body.encode("utf-8")

    def _take(self, via: object, path: str) -> bytes | None:
        with self._lock:
            if via is self.batch_server and path.startswith("/batch/"):
                return self._pages.get(path[len("/batch/") :])
            if via is self.case_server and path.startswith("/case/"):
                return self._cases.pop(path[len("/case/") :], None)
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                body = server._take(self.server, self.path)
                if body is None:
                    self._send(404, b"")
                else:
                    self._send(200, body)

            def do_POST(self) -> None:  # noqa: N802
                self._send(404, b"")

            def _send(self, status: int, body: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("Cache-Control", "no-store")
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the frame went away (navigated, or the browser quit)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def close(self) -> None:
        for s in (self.batch_server, self.case_server):
            s.shutdown()
            s.server_close()


def browser_problem() -> str | None:
    """Why the browser suite cannot run here, or None."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).is_file()]
    if missing:
        return (
            f"{' and '.join(missing)} not found: the browser XSS suite needs Debian's "
            "Chromium and its driver (`apt-get install -y chromium chromium-driver`)"
        )
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: `pip install -e '.[test]'` (or `pip install selenium`)"
    return None


@dataclass
class _Batch:
    """A batch page loaded in one tab, until its results are collected."""

    url: str
    keys: list[str]
    deadline: float
    native: list[Hit] = field(default_factory=list)


class Browser:
    """One headless Chromium session plus the local server, reused for many runs.

    Batches run in ``LANES`` tabs at once (each tab gets its own renderer process, so the
    two cores are both used); every tab has the hooks injected.
    """

    LANES = 2

    def __init__(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self._profile = tempfile.mkdtemp(prefix="htmlguard-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in CHROMIUM_ARGS:
            options.add_argument(arg)
        options.add_argument(f"--user-data-dir={self._profile}")
        options.page_load_strategy = "eager"
        # A native dialog means a payload ran somewhere the hooks were not: accept it and
        # let the next command raise, so it is recorded instead of blocking the page.
        options.unhandled_prompt_behavior = "accept and notify"
        self.server = _Server()
        try:
            self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        except Exception:
            self.server.close()
            shutil.rmtree(self._profile, ignore_errors=True)
            raise
        self.driver.set_page_load_timeout(30)
        self.driver.set_script_timeout(30)
        self._lanes = [str(self.driver.current_window_handle)]
        while len(self._lanes) < self.LANES:
            self.driver.switch_to.new_window("tab")
            self._lanes.append(str(self.driver.current_window_handle))
        for lane in self._lanes:
            self.driver.switch_to.window(lane)
            self.driver.execute_cdp_cmd(
                "Page.addScriptToEvaluateOnNewDocument", {"source": HOOKS_JS}
            )
        self.version = str(self.driver.capabilities.get("browserVersion", "?"))
        self._batches = 0

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            self.server.close()
            shutil.rmtree(self._profile, ignore_errors=True)

    def run(self, cases: Sequence[Case], batch_size: int | None = None) -> RunResult:
        """Run every case (keys must be unique and URL-safe) and collect what executed."""
        size = batch_size or BATCH_SIZE
        queue = [cases[i : i + size] for i in range(0, len(cases), size)]
        result = RunResult()
        active: dict[str, _Batch] = {}
        while queue or active:
            for lane in self._lanes:
                if lane not in active and queue:
                    active[lane] = self._start(lane, queue.pop(0))
            for lane, batch in list(active.items()):
                if self._settled(lane, batch):
                    self._collect(lane, batch, result)
                    del active[lane]
            time.sleep(0.05)
        return result

    def _script(self, lane: str, batch: _Batch, code: str) -> Any:
        """Run ``code`` in the lane's tab; native dialogs are recorded and accepted."""
        from selenium.common.exceptions import UnexpectedAlertPresentException

        self.driver.switch_to.window(lane)
        for _ in range(20):
            try:
                return self.driver.execute_script(code)
            except UnexpectedAlertPresentException as e:
                batch.native.append(Hit("native-dialog", (str(e.alert_text),), "?"))
        raise AssertionError(f"native dialogs keep opening in the batch of {batch.keys}")

    def _start(self, lane: str, cases: Sequence[Case]) -> _Batch:
        from selenium.common.exceptions import UnexpectedAlertPresentException

        self._batches += 1
        keys = [c.key for c in cases]
        for case in cases:
            self.server.add_case(case.key, case_document(case))
        js = BATCH_JS.replace("%CASES%", json.dumps(keys)).replace(
            "%BASE%", json.dumps(f"{self.server.case_origin}/case/")
        )
        url = self.server.add_page(str(self._batches), BATCH_PAGE % _script(js))
        batch = _Batch(url, keys, time.monotonic() + BATCH_TIMEOUT)
        self.driver.switch_to.window(lane)
        try:
            self.driver.get(url)
        except UnexpectedAlertPresentException as e:
            batch.native.append(Hit("native-dialog", (str(e.alert_text),), "?"))
        return batch

    def _settled(self, lane: str, batch: _Batch) -> bool:
        if time.monotonic() > batch.deadline:
            return True
        st = self._script(lane, batch, "return window.__hgState ? window.__hgState(false) : null")
        return st is not None and st["settled"] >= st["total"]

    def _collect(self, lane: str, batch: _Batch, result: RunResult) -> None:
        time.sleep(0.1)  # stragglers: messages posted just before the last "done"
        state = self._script(lane, batch, "return window.__hgState ? window.__hgState(true) : null")
        url = str(self.driver.current_url)
        if state is None or not url.startswith(batch.url):
            raise AssertionError(
                f"the batch page was navigated away to {url!r}; cases: {batch.keys}"
            )
        done = set(state["done"])
        result.unfinished.extend(k for k in batch.keys if k not in done)
        for h in state["hits"]:
            result.hits.setdefault(h["key"], []).append(_hit(h))
        for h in state["stray"]:
            result.stray.append((_hit(h), tuple(batch.keys)))
        for h in batch.native:
            result.stray.append((h, tuple(batch.keys)))


def _hit(h: dict[str, Any]) -> Hit:
    return Hit(str(h["kind"]), tuple(str(a) for a in h.get("args") or ()), str(h["where"]))


@contextmanager
def browser_session() -> Iterator[Browser]:
    b = Browser()
    try:
        yield b
    finally:
        b.close()
