"""The benchmark's inputs, generated deterministically (fixed seed) so every run and every
subprocess sees the same documents.

1. ``plain_fields``: short form fields (names, titles, sentences, some non-ASCII), no markup;
   ``mixed_fields``: the same kind of fields, each with an ``&``, accented letters, another
   script or an emoji (most with several), as people type them.
2. ``realistic_docs``: Markdown documents rendered to HTML by markdown-it-py (tables on),
   plus inline ``style`` attributes and a few things ugc removes (``onclick``, ``<script>``).
3. ``hostile_payloads``: the public XSS corpora in ``shared/xss-public`` and the project's
   own browser-suite payloads.
4. ``big_document``: realistic documents concatenated to a given size (1 MB, 10 MB).
5. ``nested``: ``<div>`` * n + "x" + ``</div>`` * n.
"""

from __future__ import annotations

import html as html_lib
import importlib.util
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = 20240611

# Where the public XSS corpora live: beside the work tree (CI's layout, ../shared) or in
# the workplace's shared folder.
XSS_DIRS = (REPO.parent / "shared" / "xss-public", Path("/work/shared/xss-public"))
OWN_PAYLOADS = REPO / "tests" / "security" / "browser" / "payloads.py"


@dataclass
class Corpus:
    """A named list of documents, with a note on where it came from."""

    key: str
    title: str
    docs: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def nbytes(self) -> int:
        return sum(len(d.encode("utf-8")) for d in self.docs)


# --- 1. plain form fields ---------------------------------------------------------------------


@dataclass(frozen=True)
class Voice:
    """The vocabulary of one field or document: most are ASCII, some use accented Latin
    letters, a few other scripts and emoji (which make Python store the str with 4 bytes
    per character)."""

    first: tuple[str, ...]
    last: tuple[str, ...]
    roles: tuple[str, ...]
    words: tuple[str, ...]
    punct: tuple[str, ...]


_FIRST = (
    "Alice",
    "Bob",
    "Carol",
    "David",
    "Eve",
    "Frank",
    "Grace",
    "Heidi",
    "Ivan",
    "Judy",
    "Mallory",
    "Niaj",
    "Olivia",
    "Peggy",
    "Rupert",
    "Sybil",
    "Trent",
    "Victor",
    "Walter",
)
_LAST = (
    "Smith",
    "Johnson",
    "Rossi",
    "Dubois",
    "Kowalski",
    "O'Brien",
    "van der Berg",
    "Nakamura",
    "Papadopoulos",
    "Okafor",
    "Miller",
    "Chen",
)
_ROLES = (
    "Senior Engineer",
    "Team Captain",
    "Security Researcher",
    "Head of R&D",
    "Student",
    "Reverse Engineer",
    "CTF Organizer",
    "Product Manager",
    "Pentester",
    "SRE",
)
_WORDS = (
    "the",
    "a",
    "team",
    "flag",
    "challenge",
    "server",
    "binary",
    "heap",
    "stack",
    "overflow",
    "crypto",
    "web",
    "forensics",
    "solve",
    "points",
    "round",
    "final",
    "score",
    "hint",
    "writeup",
    "exploit",
    "kernel",
    "packet",
    "token",
    "cookie",
    "session",
    "patch",
    "build",
    "release",
    "deadline",
    "meeting",
    "coffee",
    "tomorrow",
    "quickly",
    "carefully",
    "really",
    "it's",
    "don't",
    "we",
    "you",
    "and",
    "of",
    "to",
    "in",
    "for",
    "with",
    "on",
    "is",
)
_PUNCT = (".", "!", "?", ".", ".")
_LATIN_FIRST = ("José", "Zoë", "Łukasz", "Søren", "François", "Björk", "Agnès", "Jürgen")
_LATIN_LAST = (
    "Müller",
    "García",
    "Ångström",
    "Çelik",
    "Novák",
    "Haraldsdóttir",
    "Lefèvre",
    "Schröder",
    "Ibáñez",
)
_LATIN_ROLES = ("Ingénieure logiciel", "Entwicklerin", "Diseñador")
_LATIN_WORDS = (
    "naïve",
    "café",
    "résumé",
    "über",
    "jalapeño",
    "smörgåsbord",
    "straße",
    "niño",
    "déjà",
    "façade",
)
_WORLD_FIRST = ("Ольга", "Дмитрий", "王芳", "李娜", "さくら", "Νίκος", "محمد", "Nguyễn")
_WORLD_LAST = ("Иванова", "张", "佐藤", "Παπαδάκης")
_WORLD_ROLES = ("Аналитик", "研究员", "エンジニア")
_WORLD_WORDS = ("安全", "問題", "チーム", "команда", "задача", "λύση", "😀", "🚀", "👍", "—")

ASCII = Voice(_FIRST, _LAST, _ROLES, _WORDS, _PUNCT)
LATIN = Voice(
    _FIRST + _LATIN_FIRST,
    _LAST + _LATIN_LAST,
    _ROLES + _LATIN_ROLES,
    _WORDS + _LATIN_WORDS,
    _PUNCT + ("…",),
)
WORLD = Voice(
    LATIN.first + _WORLD_FIRST,
    LATIN.last + _WORLD_LAST,
    LATIN.roles + _WORLD_ROLES,
    LATIN.words + _WORLD_WORDS,
    LATIN.punct,
)


def _voice(rng: random.Random, latin: float, world: float) -> Voice:
    r = rng.random()
    return WORLD if r < world else LATIN if r < world + latin else ASCII


def _sentence(rng: random.Random, v: Voice, lo: int, hi: int) -> str:
    words = [rng.choice(v.words) for _ in range(rng.randint(lo, hi))]
    words[0] = words[0].capitalize()
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), str(rng.randint(1, 2025)))
    if rng.random() < 0.2:
        words[rng.randrange(len(words))] += ","
    if rng.random() < 0.1:
        words.insert(rng.randrange(len(words)), f'"{rng.choice(v.words)}"')
    return " ".join(words) + rng.choice(v.punct)


def _field(rng: random.Random, v: Voice) -> str:
    kind = rng.random()
    if kind < 0.3:
        text = f"{rng.choice(v.first)} {rng.choice(v.last)}"
        if rng.random() < 0.3:
            text += f", {rng.choice(v.roles)}"
    elif kind < 0.5:
        text = f"{rng.choice(v.roles)} at {rng.choice(v.last)} & Sons"[: rng.randint(12, 60)]
        if rng.random() < 0.7:
            text = text.replace(" & ", " and ")
    elif kind < 0.6:
        text = f"{rng.choice(_FIRST).lower()}.{rng.choice(_LAST).lower()}@example.org"
    elif kind < 0.85:
        text = _sentence(rng, v, 3, 14)
    else:
        text = " ".join(_sentence(rng, v, 5, 14) for _ in range(rng.randint(2, 4)))
    return text


def plain_fields(n: int = 2000, seed: int = SEED) -> list[str]:
    """Short text fields of 10-200 UTF-8 bytes, no markup (no ``<``): 75% ASCII, 15% with
    accented Latin letters, 10% with other scripts or emoji."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        v = _voice(rng, latin=0.15, world=0.1)
        text = _field(rng, v)
        data = text.encode("utf-8")
        if len(data) < 10:
            text = f"{text} {rng.choice(v.last)} {rng.choice(v.last)}"
            data = text.encode("utf-8")
        if len(data) > 200:
            text = data[:200].decode("utf-8", errors="ignore").rstrip()
        if 10 <= len(text.encode("utf-8")) <= 200:
            out.append(text)
    return out


# --- 2. realistic user HTML -----------------------------------------------------------------

LANGS = ("python", "c", "rust", "js", "sh", "")
CODE_LINES = (
    "for i in range(10):",
    "    print(i * i)",
    "int main(void) { return 0; }",
    "let v: Vec<u8> = Vec::new();",
    "console.log(`score: ${score}`);",
    "curl -s https://ctf.example/api/flag | jq .",
    "if (len > sizeof(buf)) abort();",
    "p = remote('pwn.example', 1337)",
    "x = [a & b for a, b in zip(xs, ys)]",
)
HOSTS = (
    "https://ctf.example",
    "https://docs.example.org",
    "http://old.example.net",
    "mailto:admins@ctf.example",
    "/rules",
    "../writeups/2024",
    "#scoreboard",
)


def _inline(rng: random.Random, v: Voice) -> str:
    """A paragraph of Markdown with emphasis, code spans and links."""
    parts = []
    for _ in range(rng.randint(2, 6)):
        s = _sentence(rng, v, 5, 18)
        r = rng.random()
        words = s.split(" ")
        i = rng.randrange(len(words))
        if r < 0.2:
            words[i] = f"**{words[i]}**"
        elif r < 0.35:
            words[i] = f"*{words[i]}*"
        elif r < 0.5:
            words[i] = f"`{rng.choice(('free()', 'argv[1]', 'nc host 1337', 'x & 0xff'))}`"
        elif r < 0.7:
            host = rng.choice(HOSTS)
            path = "" if host.startswith(("mailto:", "#")) else f"/{rng.choice(_WORDS)}"
            words[i] = f"[{words[i]}]({host}{path})"
        elif r < 0.75:
            words[i] = f"~~{words[i]}~~"
        parts.append(" ".join(words))
    return " ".join(parts)


def _block(rng: random.Random, v: Voice) -> str:
    r = rng.random()
    if r < 0.08:
        return "#" * rng.randint(1, 4) + " " + _sentence(rng, v, 2, 7).rstrip(".!?…")
    if r < 0.45:
        return _inline(rng, v)
    if r < 0.55:
        marker = rng.choice(("-", "*", "1."))
        return "\n".join(f"{marker} {_sentence(rng, v, 2, 10)}" for _ in range(rng.randint(2, 6)))
    if r < 0.63:
        lines = [rng.choice(CODE_LINES) for _ in range(rng.randint(2, 8))]
        return f"```{rng.choice(LANGS)}\n" + "\n".join(lines) + "\n```"
    if r < 0.72:
        cols = rng.randint(2, 5)
        head = "| " + " | ".join(rng.choice(v.words) for _ in range(cols)) + " |"
        sep = "|" + "|".join(rng.choice((" --- ", " :-- ", " --: ")) for _ in range(cols)) + "|"
        rows = [
            "| "
            + " | ".join(
                str(rng.choice((rng.randint(0, 999), rng.choice(v.words)))) for _ in range(cols)
            )
            + " |"
            for _ in range(rng.randint(2, 8))
        ]
        return "\n".join([head, sep, *rows])
    if r < 0.8:
        alt = _sentence(rng, v, 1, 4).rstrip(".!?…")
        return f'![{alt}](/static/img/{rng.randint(1, 500)}.png "{rng.choice(v.words)}")'
    if r < 0.86:
        return "> " + _inline(rng, v)
    if r < 0.9:
        return "---"
    # A little raw HTML, as users paste it (markdown-it passes it through).
    return rng.choice(
        (
            f"<details><summary>{rng.choice(v.words)}</summary>"
            f"{_sentence(rng, v, 4, 10)}</details>",
            f'<p align="center"><sub>{_sentence(rng, v, 3, 8)}</sub></p>',
            f"<kbd>Ctrl</kbd>+<kbd>C</kbd> {_sentence(rng, v, 3, 8)}",
            f'<div class="note">{_sentence(rng, v, 4, 12)}</div>',
        )
    )


def _decorate(rng: random.Random, html: str) -> str:
    """Inline styles, and a few things ugc removes, in some documents."""
    if rng.random() < 0.5:
        html = html.replace("<p>", '<p style="margin: 0 0 1em; color: #333">', rng.randint(1, 3))
    if rng.random() < 0.3:
        html = html.replace("<td>", '<td style="text-align: right">', rng.randint(1, 4))
    if rng.random() < 0.2:
        html = html.replace("<a href=", '<a onclick="track(this)" href=', 1)
    if rng.random() < 0.15:
        html = html.replace("<h2>", '<h2 onmouseover="hl(this)">', 1)
    if rng.random() < 0.1:
        html += "<script>window.analytics && analytics.page();</script>\n"
    if rng.random() < 0.1:
        html = '<span style="font-family: Arial, sans-serif; font-size: 14px">' + html + "</span>"
    return html


def realistic_docs(n: int = 200, seed: int = SEED) -> list[str]:
    """Rendered Markdown documents of roughly 1-20 KB each (see ``markdown_renderer``): 60%
    in ASCII words, 20% with accented Latin letters, 20% with other scripts and emoji."""
    render = markdown_renderer()[0]
    rng = random.Random(seed + 1)
    docs = []
    for _ in range(n):
        target = int(1000 * 20 ** rng.random())  # log-uniform in 1 KB .. 20 KB
        v = _voice(rng, latin=0.2, world=0.2)
        blocks: list[str] = []
        html = ""
        while len(html.encode("utf-8")) < target:
            blocks.append(_block(rng, v))
            if sum(len(b) for b in blocks) < target * 0.8:
                continue
            html = render("\n\n".join(blocks))
        docs.append(_decorate(rng, html))
    return docs


def markdown_renderer() -> tuple[Callable[[str], str], str]:
    """markdown-it-py (CommonMark with tables and strikethrough, raw HTML passed through),
    or, where it is not installed, a small renderer for just what ``_block`` writes."""
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        return _render_fallback, "markdown-it-py not installed: rendered by the minimal fallback"
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return md.render, "rendered by markdown-it-py"


_INLINE = (
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (
        re.compile(r"!\[([^\]]*)\]\(([^ )]+) &quot;([^&]*)&quot;\)"),
        r'<img src="\2" alt="\1" title="\3" />',
    ),
    (re.compile(r"\[([^\]]+)\]\(([^)]+)\)"), r'<a href="\2">\1</a>'),
    (re.compile(r"\*\*([^*]+)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"\*([^*]+)\*"), r"<em>\1</em>"),
    (re.compile(r"~~([^~]+)~~"), r"<s>\1</s>"),
)


def _inline_html(text: str) -> str:
    text = html_lib.escape(text)
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return text


def _render_fallback(markdown: str) -> str:
    out = []
    for block in markdown.split("\n\n"):
        lines = block.split("\n")
        if block.startswith("```"):
            code = html_lib.escape("\n".join(lines[1:-1]), quote=False)
            lang = lines[0][3:]
            cls = f' class="language-{lang}"' if lang else ""
            out.append(f"<pre><code{cls}>{code}\n</code></pre>")
        elif block.startswith("#"):
            level = len(block) - len(block.lstrip("#"))
            out.append(f"<h{level}>{_inline_html(block[level:].strip())}</h{level}>")
        elif block.startswith("| "):
            rows = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]
            head = "".join(f"<th>{_inline_html(c)}</th>" for c in rows[0])
            body = "".join(
                "<tr>" + "".join(f"<td>{_inline_html(c)}</td>" for c in r) + "</tr>\n"
                for r in rows[2:]
            )
            out.append(
                f"<table>\n<thead>\n<tr>{head}</tr>\n</thead>\n<tbody>\n{body}</tbody>\n</table>"
            )
        elif block.startswith(("- ", "* ", "1. ")):
            tag = "ol" if block.startswith("1.") else "ul"
            items = "".join(f"<li>{_inline_html(ln.split(' ', 1)[1])}</li>\n" for ln in lines)
            out.append(f"<{tag}>\n{items}</{tag}>")
        elif block.startswith("> "):
            out.append(f"<blockquote>\n<p>{_inline_html(block[2:])}</p>\n</blockquote>")
        elif block == "---":
            out.append("<hr />")
        elif block.startswith("<"):
            out.append(block)
        else:
            out.append(f"<p>{_inline_html(block)}</p>")
    return "\n".join(out) + "\n"


_EMOJI = ("😀", "🚀", "👍", "🎉", "❤️", "✅")


def mixed_fields(n: int = 2000, seed: int = SEED) -> list[str]:
    """Short fields of 10-200 UTF-8 bytes, no markup, none of them plain ASCII words only:
    each has an ``&`` (which sends a field to the parser, as a character reference could
    start there), accented Latin letters, another script or an emoji."""
    rng = random.Random(seed + 1)
    out: list[str] = []
    while len(out) < n:
        v = _voice(rng, latin=0.45, world=0.3)
        text = _field(rng, v)
        if rng.random() < 0.5:
            text = f"{text} & {rng.choice(v.last)}"
        if rng.random() < 0.3:
            text = f"{text} {rng.choice(_EMOJI)}"
        size = len(text.encode("utf-8"))
        if 10 <= size <= 200 and ("&" in text or not text.isascii()):
            out.append(text)
    return out


# --- 3. hostile payloads --------------------------------------------------------------------


def hostile_payloads() -> tuple[list[str], list[str]]:
    """Every payload of the public XSS corpora and the own browser-suite payloads, with notes
    on what was found."""
    docs: list[str] = []
    notes: list[str] = []
    xss_dir = next((d for d in XSS_DIRS if d.is_dir()), None)
    if xss_dir is None:
        notes.append(f"public XSS corpora not found ({XSS_DIRS[0]}): skipped")
    else:
        for path in sorted(xss_dir.glob("*.jsonl")):
            records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
            docs.extend(r["payload"] for r in records if isinstance(r.get("payload"), str))
            notes.append(f"{path.name}: {len(records)} payloads")
    try:
        spec = importlib.util.spec_from_file_location("_own_payloads", OWN_PAYLOADS)
        if spec is None or spec.loader is None:
            raise ImportError(str(OWN_PAYLOADS))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        own = [html for _id, _label, html in module.own_payloads()]
        docs.extend(own)
        notes.append(f"tests/security/browser/payloads.py: {len(own)} payloads")
    except (ImportError, OSError, AttributeError) as e:
        notes.append(f"tests/security/browser/payloads.py not importable ({e}): skipped")
    return docs, notes


# --- 4, 5. big and deep ----------------------------------------------------------------------


def big_document(docs: list[str], size: int) -> str:
    """Realistic documents concatenated (cycling) until the text reaches ``size`` bytes."""
    parts: list[str] = []
    total = 0
    i = 0
    while total < size:
        d = docs[i % len(docs)]
        parts.append(d)
        total += len(d.encode("utf-8"))
        i += 1
    return "".join(parts)


def ascii_only(doc: str) -> str:
    """``doc`` with every non-ASCII character replaced by ``?``: the same markup, stored by
    Python with one byte a character."""
    return doc.encode("ascii", "replace").decode("ascii")


def nested(depth: int) -> str:
    return "<div>" * depth + "x" + "</div>" * depth


def size_label(nbytes: float) -> str:
    if nbytes >= 1_000_000:
        return f"{nbytes / 1_000_000:.3g} MB"
    if nbytes >= 1000:
        return f"{nbytes / 1000:.3g} KB"
    return f"{nbytes:.0f} B"


def depth_label(depth: int) -> str:
    return f"{depth // 1_000_000}M" if depth >= 1_000_000 else f"{depth // 1000}k"


def main(argv: list[str] | None = None) -> None:
    """``python3 bench/corpora.py realistic N`` or ``big BYTES``: the documents as JSON Lines
    (one JSON string per line) on stdout, for the Rust profiling tools in ``bench/engine``."""
    import argparse
    import sys

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("kind", choices=("realistic", "big"))
    ap.add_argument("n", type=int, help="documents (realistic) or bytes (big)")
    args = ap.parse_args(argv)
    if args.kind == "realistic":
        docs = realistic_docs(args.n)
    else:
        docs = [big_document(realistic_docs(200), args.n)]
    for d in docs:
        sys.stdout.write(json.dumps(d) + "\n")


if __name__ == "__main__":
    main()
