"""Where the engines differ, Chromium is the judge: our parser must build the tree it builds.

The two engines give byte-identical output except where html5ever's tree builder departs
from the HTML standard (``tests/engine_differential.rs`` leaves those inputs out; see its
``DEVIATIONS``). For examples of each class of departure, and for generated documents
made with them, this test parses the input in a ``<div>`` three ways: with our parser and
with html5ever's as the ammonia engine runs it, depth-bounded (``_core._parse_tree``, in
the html5lib test format), and in
Chromium (``div.innerHTML = input`` on a detached ``<div>`` of a scripting document,
dumped by :data:`DUMP_JS` in the same format). Chromium's tree must equal ours. Each
class must also show html5ever's tree differing from Chromium's in at least one example,
so the examples do exercise what they are about. ``docs/engines.md`` tabulates the
classes, an example of each, whether the sanitized outputs differ, and Chromium's verdict.
"""

from __future__ import annotations

import random

import pytest

import htmlguard as hg
from htmlguard import _core

from .harness import SUMMARY_KEY, Browser

#: Each class of html5ever's departures from the standard, with minimal examples.
DEVIATIONS: dict[str, list[str]] = {
    # SVG foreignObject, desc, title and MathML mi, mo, mn, ms, mtext are special: a list
    # item's or a definition's implied end stops at them.
    "svg-special": [
        "<li><svg><foreignObject><li>x",
        "<li><svg><desc><li>x",
        "<dd><svg><title><dd>x",
        "<b>x<svg><desc><b>y</b></desc></svg>z",
    ],
    "math-special": [
        "<li><math><mi><li>x",
        "<li><math><mtext><li>x",
        "<dd><math><mo><dd>x",
        "<li><math><ms><li>x",
        "<dt><math><mn><dt>x",
    ],
    # annotation-xml is in the standard's scopes (as an HTML integration point); html5ever
    # leaves it out, so an end tag looks past it.
    "annotation-xml scope": [
        '<math><annotation-xml encoding="text/html"></p>x',
        '<p>a<math><annotation-xml encoding="text/html"></p>b',
        '<math><annotation-xml encoding="text/html"><div></p>x</div></annotation-xml></math>',
    ],
    # In table-body mode a `<thead>` (also tbody, tfoot, caption, col...) closes the open
    # table section; html5ever checks for the wrong elements in a template's contents.
    "thead in table body": [
        "<template><thead><thead>",
        "<template><thead><tbody>x",
        "<template><thead><tfoot>",
        "<template><tbody><caption>",
    ],
    # A U+FEFF right after `</script>` is text; html5ever drops it as if it were a byte
    # order mark at the start of the input (only a leading one is, and innerHTML keeps
    # even that: the engine strips a leading one before parsing).
    "U+FEFF after </script>": [
        "<script></script>\ufeffa",
        "<b>x</b><script>y</script>\ufeff\ufeffz",
        "<p>a<script>x</script>\ufeffb</p>",
    ],
    # In table text (character tokens straight in a table), any other token flushes the
    # pending text first: foster-parented if it has non-whitespace, else kept in the table.
    # html5ever ignores a DOCTYPE there without flushing, so the text after it joins the
    # pending text (found by cargo-fuzz, 2026-12-03).
    "DOCTYPE in table text": [
        "<table>x<!DOCTYPE html> </table>",
        "<table>><!DOCTYPE>\n<!-- c --></table>",
        "<table><tr>a<!doctype x>\n<td>b</table>",
    ],
    # Not html5ever's tree builder but the ammonia engine's depth bound (rust/engine/parse.rs):
    # its model of the stack of open elements pushes every start tag but `<p>`/`<li>`
    # closing their own kind, so tags that close their predecessor (the adoption agency for
    # `<a>`, `<nobr>`; `<dd>`, headings, `<button>`, `<option>`...) count as nesting and
    # are dropped past 512. Our parser bounds the depth of the tree it builds. (Past 512
    # real levels both engines drop start tags, by design, where Chromium keeps the
    # elements under the 512th: not compared here.)
    "depth bound": [
        "<a>" * 600 + "x",
        "<dd>" * 600 + "x",
        "<h1>" * 600 + "x",
        "<button>" * 600 + "x",
        "<nobr>" * 600 + "x",
        "<option>" * 600 + "x",
    ],
}

#: Markup the generated documents mix with the deviation examples.
PIECES = [
    "<b>", "</b>", "<i>", "</i>", "<p>", "</p>", "<div>", "</div>", "<a href=x>", "</a>",
    "<li>", "<ul>", "</ul>", "<dd>", "<dt>", "<table>", "<tr>", "<td>", "</table>",
    "<tbody>", "<h1>", "</h1>", "text", " ", "&amp;", "<!-- c -->", "<span>", "</span>",
    "<template>", "</template>", "<svg>", "</svg>", "<math>", "</math>", "<script>x</script>",
]  # fmt: skip

#: Generated documents per class: each holds one or two of the class's examples.
GENERATED = 100


def generated(deviation: str) -> list[str]:
    rnd = random.Random(deviation)
    docs = []
    for _ in range(GENERATED):
        parts = [rnd.choice(PIECES) for _ in range(rnd.randint(0, 10))]
        for _ in range(rnd.randint(1, 2)):
            examples = DEVIATIONS.get(deviation) or FOLLOWS_CHROMIUM[deviation]
            parts.insert(rnd.randint(0, len(parts)), rnd.choice(examples))
        docs.append("".join(parts))
    return docs


#: Where the standard and the browsers part, and our parser follows the browsers (as
#: html5ever does): the standard makes `<search>` special (a furthest block for the adoption
#: agency, a stop for a list item's implied end), Chromium 156 only lets it close a `<p>`.
FOLLOWS_CHROMIUM: dict[str, list[str]] = {
    "search": [
        "<b><search></b>",
        "<i><search>a</i>b",
        "<a href=x><search><a>y",
        "<li><search><li>z",
        "<p>a<search>b</search>c",
    ],
}


#: Chromium's tree of each input, in the html5lib test format (as
#: ``rust/parser/tree/serialize.rs`` writes it).
DUMP_JS = r"""
const NS = {'http://www.w3.org/2000/svg': 'svg ', 'http://www.w3.org/1998/Math/MathML': 'math '};
const ATTR_NS = {'http://www.w3.org/1999/xlink': 'xlink ',
                 'http://www.w3.org/XML/1998/namespace': 'xml ',
                 'http://www.w3.org/2000/xmlns/': 'xmlns '};
const dump = (root) => {
  const out = [];
  const walk = (node, depth) => {
    const ind = '  '.repeat(depth);
    for (const c of node.childNodes) {
      if (c.nodeType === Node.TEXT_NODE) {
        out.push(`| ${ind}"${c.data}"`);
      } else if (c.nodeType === Node.COMMENT_NODE) {
        out.push(`| ${ind}<!-- ${c.data} -->`);
      } else if (c.nodeType === Node.ELEMENT_NODE) {
        out.push(`| ${ind}<${NS[c.namespaceURI] || ''}${c.localName}>`);
        const attrs = Array.from(c.attributes,
          (a) => [(ATTR_NS[a.namespaceURI] || '') + a.localName, a.value]);
        attrs.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
        for (const [n, v] of attrs) out.push(`| ${ind}  ${n}="${v}"`);
        if (c instanceof HTMLTemplateElement) {
          out.push(`| ${ind}  content`);
          walk(c.content, depth + 2);
        }
        walk(c, depth + 1);
      }
    }
  };
  walk(root, 0);
  return out.map((line) => line + '\n').join('');
};
return arguments[0].map((html) => {
  const div = document.createElement('div');
  div.innerHTML = html;
  return dump(div);
});
"""


@pytest.fixture(scope="module")
def chromium(browser: Browser) -> dict[str, str]:
    # A page of its own: scripting enabled, so `<noscript>` parses as in the engines.
    browser.driver.get(browser.server.add_page("parse", "<!DOCTYPE html><title>parse</title>"))
    classes = {**DEVIATIONS, **FOLLOWS_CHROMIUM}
    inputs = [x for d, xs in classes.items() for x in xs + generated(d)]
    trees = browser.driver.execute_script(DUMP_JS, inputs)
    return dict(zip(inputs, trees, strict=True))


def deeper_than_the_bound(tree: str) -> bool:
    """Whether a test-format tree nests elements past ``MAX_DEPTH``: there both engines drop
    the start tags, by design, where Chromium keeps the elements under the 512th."""
    return any(
        len(line) - len(line[2:].lstrip(" ")) - 2 >= 2 * _core.MAX_DEPTH
        for line in tree.splitlines()
    )


def engines_differ(html: str) -> list[str]:
    """The presets whose output differs between the engines on ``html``."""
    return [
        name
        for name in hg.PRESETS
        if hg.Policy.preset(name).derive(engine="ammonia").sanitize(html)
        != hg.Policy.preset(name).derive(engine="htmlguard").sanitize(html)
    ]


def trees(html: str, chromium: dict[str, str]) -> str:
    return (
        f"input {html!r}\nChromium:\n{chromium[html]}"
        f"htmlguard:\n{_core._parse_tree(html)}"
        f"ammonia (html5ever):\n{_core._parse_tree(html, 'ammonia')}"
    )


@pytest.mark.parametrize("deviation", list(DEVIATIONS))
def test_chromium_builds_our_tree(
    deviation: str, chromium: dict[str, str], request: pytest.FixtureRequest
) -> None:
    examples = DEVIATIONS[deviation]
    docs = [x for x in generated(deviation) if not deeper_than_the_bound(chromium[x])]
    assert len(docs) >= 0.9 * GENERATED, f"{GENERATED - len(docs)} documents past the bound"
    ours = {x: _core._parse_tree(x) for x in examples + docs}
    html5ever = {x: _core._parse_tree(x, "ammonia") for x in examples + docs}
    outputs = {x: engines_differ(x) for x in examples}
    request.config.stash.setdefault(SUMMARY_KEY, []).append(
        f"parser deviation {deviation!r}: Chromium's tree is htmlguard's for "
        f"{sum(chromium[x] == ours[x] for x in examples)}/{len(examples)} examples and "
        f"{sum(chromium[x] == ours[x] for x in docs)}/{len(docs)} generated documents, "
        f"html5ever's for {sum(chromium[x] == html5ever[x] for x in examples)} and "
        f"{sum(chromium[x] == html5ever[x] for x in docs)}; the engines' outputs differ on "
        f"{sum(bool(p) for p in outputs.values())} examples"
    )
    for html in examples + docs:
        assert chromium[html] == ours[html], trees(html, chromium)
    # The examples do reach the departure: html5ever builds another tree for some.
    assert any(html5ever[x] != chromium[x] for x in examples), deviation


@pytest.mark.parametrize("case", list(FOLLOWS_CHROMIUM))
def test_where_the_browser_departs_from_the_standard_our_parser_follows_it(
    case: str, chromium: dict[str, str]
) -> None:
    docs = [x for x in generated(case) if not deeper_than_the_bound(chromium[x])]
    for html in FOLLOWS_CHROMIUM[case] + docs:
        assert chromium[html] == _core._parse_tree(html), trees(html, chromium)
        assert chromium[html] == _core._parse_tree(html, "ammonia"), trees(html, chromium)
