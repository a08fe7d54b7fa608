"""Sample content for a new database: three users, their bios, topics and posts, much of it
hostile. Every payload calls the pages' script hook, ``__hook('label')``, so one that ran
would show at once (the tab is renamed "PWNED" and the footer counts the hit).

The same payloads go in two ways:

* through the ORM (``create()``): the fields sanitize them on the way in, so the database
  holds the policy's output;
* by raw SQL, as an import from an older forum would write them: those rows hold the
  hostile HTML exactly as written, and only the fields' read path (``from_db_value``)
  stands between them and the pages. Saving such a post (in the admin, say) writes the
  cleaned value back.

When the public XSS corpora are there (``shared/xss-public/`` beside the checkout, or
``$HTMLGUARD_XSS_DIR``), a few of their payloads are added by raw SQL as well; without them
the seed is the same minus that topic.
"""

from __future__ import annotations

import html
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from .models import Post, Profile, Topic

_MINUTE = timedelta(minutes=1)

#: username, password (the demo prints them), staff and superuser
USERS = [("admin", "admin", True), ("alice", "alice", False), ("mallory", "mallory", False)]

WELCOME = """\
<h3>Welcome to the htmlguard forum</h3>
<p>Posts are HTML. The <b>post</b> policy keeps <i>formatting</i>, <code>code</code>,
lists, quotes, <a href="https://github.com/">links</a> and images, and removes the rest:</p>
<ul>
<li>event handlers such as <code>onerror</code> and <code>onclick</code>,</li>
<li><code>javascript:</code> and <code>data:</code> URLs,</li>
<li>scripts, styles, frames, forms, SVG and MathML.</li>
</ul>
<blockquote>Markup typed as text stays text, even in the admin's textarea:
<code>&lt;/textarea&gt;&lt;img src=x onerror="__hook('textarea breakout')"&gt;</code></blockquote>
<pre><code>$ python -m example_app.forum --port 0</code></pre>
<p><img src="/static/forum/logo.svg" alt="htmlguard" width="48" height="48"> \
Then open the two XSS museum topics.</p>"""

#: label, HTML: the same hostile posts, written through the ORM and by raw SQL.
PAYLOADS = [
    (
        "images",
        "<p><b>Images</b> that run code when they load or fail:</p>"
        "<img src=x onerror=\"__hook('img onerror')\">"
        '<img src="/static/forum/logo.svg" width="32" onload="__hook(\'img onload\')">'
        '<svg onload="__hook(\'svg onload\')"><circle r="4"></circle></svg>',
    ),
    (
        "links",
        "<p><b>Links</b> with a script in the URL:</p><ul>"
        "<li><a href=\"javascript:__hook('javascript url')\">plain</a></li>"
        "<li><a href=\"&#106;avascript&#58;__hook('entities')\">entity-encoded</a></li>"
        "<li><a href=\"java&#x09;script:__hook('tab')\">with a tab inside</a></li>"
        "<li><a href=\"data:text/html,<script>__hook('data url')</script>\">data: URL</a></li>"
        '<li><a href="https://example.org/" onclick="__hook(\'onclick\')">a real link with'
        " an onclick</a></li></ul>",
    ),
    (
        "svg and math",
        "<p><b>SVG and MathML</b>, where the parser changes its rules:</p>"
        '<svg><animate onbegin="__hook(\'svg animate\')" attributeName="x" dur="1s">'
        "</animate></svg>"
        "<math><mtext><table><mglyph><style><img src=x onerror=\"__hook('math mxss')\">"
        "</style></mglyph></table></mtext></math>"
        "<svg><foreignObject><iframe srcdoc=\"<script>parent.__hook('foreignObject')"
        '</script>"></iframe></foreignObject></svg>'
        "<noscript><p title=\"</noscript><img src=x onerror=__hook('noscript')>\"></noscript>",
    ),
    (
        "styles",
        "<p><b>Styles</b> that load things or cover the page:</p>"
        "<p style=\"background:url(javascript:__hook('css url'))\">a styled paragraph</p>"
        "<style>@import 'javascript:__hook(\"css import\")'; body { display: none }</style>"
        '<div style="position:fixed;inset:0;z-index:99" onclick="__hook(\'overlay\')">'
        "an invisible overlay</div>",
    ),
    (
        "frames and forms",
        "<p><b>Frames, forms and friends</b>:</p>"
        "<iframe srcdoc=\"<script>parent.__hook('srcdoc')</script>\"></iframe>"
        "<iframe src=\"javascript:parent.__hook('iframe src')\"></iframe>"
        "<form action=\"javascript:__hook('form action')\"><button>a button</button></form>, "
        "<input autofocus onfocus=\"__hook('autofocus')\">"
        "<details open ontoggle=\"__hook('ontoggle')\"><summary>a summary</summary></details>"
        "<object data=\"javascript:__hook('object')\"></object>"
        "<embed src=\"javascript:__hook('embed')\">"
        '<meta http-equiv="refresh" content="0;url=javascript:__hook(\'meta refresh\')">'
        "<base href=\"javascript:__hook('base')//\">"
        "<script>__hook('script')</script>",
    ),
]

BIOS = {
    "admin": "<b>Forum admin.</b> Reads every post, in the admin too. "
    '<a href="https://example.org/" onmouseover="__hook(\'admin bio\')">My site</a>',
    "alice": "<i>Web</i> developer. <code>alice@example.org</code><br>"
    "<a href=\"javascript:__hook('alice bio')\">my blog</a>"
    "<img src=x onerror=\"__hook('alice bio img')\">",
}
#: Written by raw SQL: stored as is, cleaned on every read.
MALLORY_BIO = (
    "<b onclick=\"__hook('mallory bio')\">Totally harmless bio</b>"
    "<script>__hook('mallory bio script')</script>"
    "<a href=\"&#x6a;avascript:__hook('mallory link')\">free stuff</a>"
    '<svg><set attributeName="onmouseover" to="__hook(\'mallory set\')"></set></svg>'
)

CORPUS_NOTE = (
    "<p>Payloads from two public collections by Cure53 and contributors, "
    '<a href="https://github.com/cure53/H5SC">H5SC</a> and '
    '<a href="https://github.com/cure53/DOMPurify">DOMPurify</a>\'s test fixtures '
    "(MPL-2.0), read from <code>shared/xss-public/</code> when the database was seeded and "
    "written by raw SQL. They call <code>alert()</code>, which the pages' hook counts.</p>"
)


def populate_if_empty() -> bool:
    """Seed the database unless it has users already; True if it did."""
    user_model = get_user_model()
    if user_model.objects.exists():
        return False
    with transaction.atomic():
        _populate()
    return True


def _populate() -> None:
    user_model = get_user_model()
    users: dict[str, Any] = {}
    for username, password, staff in USERS:
        make = user_model.objects.create_superuser if staff else user_model.objects.create_user
        users[username] = make(username=username, password=password)
    admin, alice, mallory = users["admin"], users["alice"], users["mallory"]

    # Through the ORM: the fields clean on the way in.
    for username, bio in BIOS.items():
        Profile.objects.create(user=users[username], bio=bio)
    welcome = Topic.objects.create(
        title="Welcome: what you can write here", author=admin, pinned=True
    )
    Post.objects.create(topic=welcome, author=admin, body=WELCOME, via="orm")
    Post.objects.create(
        topic=welcome,
        author=alice,
        body="Thanks! <b>Bold</b>, <em>emphasis</em> and "
        '<a href="https://example.org/" onclick="__hook(\'reply onclick\')">links</a> work.'
        "<img src=x onerror=\"__hook('reply img')\">",
        via="orm",
    )
    museum = Topic.objects.create(
        title="XSS museum, part 1: written through the ORM", author=mallory
    )
    for _label, body in PAYLOADS:
        Post.objects.create(topic=museum, author=mallory, body=body, via="orm")

    # Around the ORM: raw SQL stores the HTML as written.
    legacy = Topic.objects.create(title="XSS museum, part 2: imported by raw SQL", author=mallory)
    _insert_raw_posts(legacy.pk, mallory.pk, [body for _, body in PAYLOADS])
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {Profile._meta.db_table} (user_id, bio) VALUES (%s, %s)",
            [mallory.pk, MALLORY_BIO],
        )

    corpus = _corpus_payloads()
    if corpus:
        topic = Topic.objects.create(title="From the public XSS corpora", author=admin)
        Post.objects.create(topic=topic, author=admin, body=CORPUS_NOTE, via="orm")
        _insert_raw_posts(topic.pk, admin.pk, corpus)


def _insert_raw_posts(topic_id: int, author_id: int, bodies: list[str]) -> None:
    # Dated as an import from years ago would be, a minute apart. connection.ops gives the
    # column's own datetime format; nothing else of the ORM runs.
    start = timezone.now() - timedelta(days=3 * 365)
    rows = [
        (topic_id, author_id, body, connection.ops.adapt_datetimefield_value(start + i * _MINUTE))
        for i, body in enumerate(bodies)
    ]
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {Post._meta.db_table} (topic_id, author_id, body, via, created)"
            " VALUES (%s, %s, %s, 'sql', %s)",
            rows,
        )


def corpus_dir() -> Path:
    """Where the public XSS corpora would be: ``$HTMLGUARD_XSS_DIR``, else
    ``shared/xss-public`` beside the checkout (as for the project's tests)."""
    env = os.environ.get("HTMLGUARD_XSS_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "xss-public"


def _corpus_payloads(per_file: int = 6, max_len: int = 400) -> list[str]:
    """A few short payloads from each corpus file that call alert() with no interaction;
    from H5SC, one per category for variety. Empty when the files are not there."""
    chosen: list[str] = []
    for name, key in (("h5sc-items.jsonl", "category"), ("dompurify-fixtures.jsonl", None)):
        path = corpus_dir() / name
        if not path.is_file():
            continue
        seen: set[str] = set()
        picked = 0
        for line in path.read_text(encoding="utf-8").splitlines():
            if picked == per_file:
                break
            record = json.loads(line)
            payload = record.get("payload")
            if not isinstance(payload, str) or len(payload) > max_len:
                continue
            if record.get("trigger") or "alert(" not in payload:
                continue
            group = str(record.get(key)) if key else ""
            if key and group in seen:
                continue
            seen.add(group)
            picked += 1
            chosen.append(f"<p><b>{html.escape(str(record.get('id')))}</b></p>{payload}")
    return chosen
