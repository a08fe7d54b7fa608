"""Sample content for a new database.

It is stored *as written*, hostile HTML included, as if imported from an older site that
had no sanitizer: nothing on the way in has cleaned it, so what keeps these pages safe is
the ``|sanitize(...)`` filter in the templates (content saved through the site's forms and
API is cleaned on the way in as well). Every payload calls the pages' script hook,
``__hook()``, so one that ran would show at once (the page title becomes "PWNED" and the
footer counts the hit).
"""

from __future__ import annotations

import sqlite3

from werkzeug.security import generate_password_hash

#: username, password, is_admin, bio
USERS = [
    (
        "admin",
        "admin",
        True,
        "<p><b>CTF organiser.</b> Writes the challenges, reads every comment.</p>"
        '<p>Questions? <a href="https://ctf.example.org/discord">Ask on the forum</a>.'
        "<img src=x onerror=\"__hook('admin bio')\"></p>",
    ),
    (
        "alice",
        "alice",
        False,
        "<p><i>Web</i> and <b>crypto</b> player, team <code>0xA11CE</code>.</p>"
        "<a href=\"javascript:__hook('bio link')\">my blog</a> "
        '<a href="https://alice.example.org" onmouseover="__hook(\'bio hover\')">homepage</a>'
        "<svg><animate onbegin=\"__hook('bio svg')\" attributeName=x dur=1s></svg>",
    ),
    (
        "mallory",
        "mallory",
        False,
        "<b onclick=\"__hook('mallory b')\">Totally harmless bio</b>"
        "<script>__hook('mallory script')</script>"
        "<img src=/static/flag.svg onload=\"__hook('mallory img')\">"
        "<iframe srcdoc=\"<script>parent.__hook('srcdoc')</script>\"></iframe>"
        "<input autofocus onfocus=\"__hook('autofocus')\">"
        "<a href=\"&#106;avascript&#58;__hook('entity')\">click for a free flag</a>"
        "<math><mtext><table><mglyph><style><img src=x onerror=\"__hook('mxss')\">"
        "</style></mglyph></table></mtext></math>",
    ),
]

#: title, category, points, flag, description (author: admin)
CHALLENGES = [
    (
        "Baby XSS",
        "web",
        100,
        "flag{sanitize_on_the_way_out_too}",
        """\
<h3>Guestbook 1.0</h3>
<p>Last year's guestbook stored whatever you typed and showed it to everyone. Make the
admin's browser call <code>__hook()</code> and the flag is yours.</p>
<p>These are the entries that broke it. On this site they are only text and formatting:</p>
<ul>
  <li><b>Classic:</b> <img src=x onerror="__hook('onerror')"> a broken image</li>
  <li><b>Links:</b> <a href="javascript:__hook('javascript url')">read the rules</a>,
      or the <a href="https://ctf.example.org/rules" onclick="__hook('onclick')">real rules</a></li>
  <li><b>SVG:</b> <svg onload="__hook('svg onload')"><circle r=5></circle></svg> a circle</li>
  <li><b>Scripts:</b> <script>__hook('script')</script> nothing to see</li>
  <li><b>Hover:</b> <span onmouseover="__hook('hover')">hover me</span></li>
  <li><b>Styles:</b> <span style="background:url(javascript:__hook('css'))">styled</span></li>
</ul>
<details open ontoggle="__hook('ontoggle')"><summary>Hint</summary>
<p>The guestbook escaped <code>&lt;</code>, but not inside attributes.</p></details>
<table>
  <caption>Scoring</caption>
  <thead><tr><th>Solves</th><th>Points</th></tr></thead>
  <tbody><tr><td>first blood</td><td>100 + 50</td></tr><tr><td>later</td><td>100</td></tr></tbody>
</table>
<form action="javascript:__hook('form')"><button>Submit</button></form>
""",
    ),
    (
        "Caesar's Salad",
        "crypto",
        150,
        "flag{veni_vidi_decrypti}",
        """\
<h3>An old cipher</h3>
<p><img src="/static/flag.svg" alt="flag" width="48" height="48"
     onload="__hook('img onload')"> Our spy intercepted this message:</p>
<pre><code>synt{irav_ivqv_qrpelcgv}</code></pre>
<ol>
  <li>Count the shift.</li>
  <li>Apply it <em>backwards</em>.</li>
</ol>
<p>Stuck? <a href="/challenges/1" target="_top">Start with the web one</a>.</p>
<object data="javascript:__hook('object')"></object>
<embed src="javascript:__hook('embed')">
<meta http-equiv="refresh" content="0;url=javascript:__hook('meta refresh')">
""",
    ),
    (
        "Packet Sniffer",
        "forensics",
        200,
        "flag{tcp_is_just_bytes}",
        """\
<h3>capture.pcap</h3>
<p>Somebody logged in over plain HTTP. The capture shows:</p>
<table>
  <thead><tr><th>#</th><th>Source</th><th>Info</th></tr></thead>
  <tbody>
    <tr><td>1</td><td>10.0.0.5</td><td><code>POST /login</code></td></tr>
    <tr><td>2</td><td>10.0.0.1</td><td><code>302 Found</code></td></tr>
  </tbody>
</table>
<blockquote>Follow the TCP stream, then decode what you find.</blockquote>
<p>Tools: <kbd>tshark -r capture.pcap -qz follow,tcp,ascii,0</kbd></p>
<base href="javascript:/">
<p style="position:fixed;inset:0" onclick="__hook('overlay')">&nbsp;</p>
""",
    ),
]

#: challenge number (1-based), username, body
COMMENTS = [
    (1, "alice", "Solved it with <code>&lt;svg onload&gt;</code> - <b>fun</b>!"),
    (
        1,
        "mallory",
        "<i>First!</i> <img src=x onerror=\"__hook('comment')\">"
        "<a href=\"javascript:__hook('comment link')\">free hints here</a>",
    ),
    (2, "admin", "<i>Reminder:</i> no automated scanners, please."),
]

SOLVES = [("alice", 1), ("alice", 2), ("mallory", 1)]


def populate(conn: sqlite3.Connection) -> None:
    ids: dict[str, int] = {}
    for username, password, is_admin, bio in USERS:
        cur = conn.execute(
            "INSERT INTO users (username, password_hash, is_admin, bio) VALUES (?, ?, ?, ?)",
            (username, generate_password_hash(password), int(is_admin), bio),
        )
        ids[username] = int(cur.lastrowid or 0)
    for title, category, points, flag, description in CHALLENGES:
        conn.execute(
            "INSERT INTO challenges (title, category, points, description, flag, author_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (title, category, points, description, flag, ids["admin"]),
        )
    for number, username, body in COMMENTS:
        conn.execute(
            "INSERT INTO comments (challenge_id, user_id, body) VALUES (?, ?, ?)",
            (number, ids[username], body),
        )
    for username, number in SOLVES:
        conn.execute(
            "INSERT INTO solves (user_id, challenge_id) VALUES (?, ?)", (ids[username], number)
        )
