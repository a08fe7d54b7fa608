"""The nh3 shim against the real nh3 (0.3.8, the test extra's pin), same arguments to both.

Output must be byte-identical on both XSS corpora, the nh3 differential's synthetic
inputs and generated documents, except for differences explained by the categories of
``tests/security/test_differential_nh3.py`` (htmlguard's deliberate departures from
ammonia: invisible-url, legacy-url-attribute, depth-limit, round-trip-escaping,
misnesting). Corpus differences are listed one by one in
``tests/security/fixtures/compat_nh3_differences.json`` and checked both ways; generated
ones must each be explained. ``clean_text``, ``escape``, ``is_html``, the constants and the
signatures must be identical without exception. Regenerate the fixture after a
deliberate change: ``python tests/compat/test_nh3_differential.py --write-fixture``.
"""

from __future__ import annotations

import inspect
import itertools
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nh3 as real
import pytest
from hypothesis import given

from htmlguard.compat import nh3 as shim

_TESTS = Path(__file__).resolve().parents[1]
for _p in (_TESTS, _TESTS / "security", _TESTS.parent / "fuzz"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))
import html_strategies as S  # noqa: E402
import test_differential_nh3 as D  # noqa: E402
from listed_differences import Listed, main  # noqa: E402

FIXTURE = _TESTS / "security" / "fixtures" / "compat_nh3_differences.json"

#: nh3 keyword sets compared: nh3's defaults, and one using every keyword (callbacks
#: aside: see test_nh3.py).
CONFIGS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "every-keyword": {
        "tags": {
            "a",
            "b",
            "i",
            "p",
            "div",
            "span",
            "img",
            "q",
            "code",
            "pre",
            "table",
            "tr",
            "td",
            "blockquote",
            "del",
            "ul",
            "li",
        },
        "clean_content_tags": {"script", "style", "svg", "math", "template", "textarea"},
        "attributes": {
            "a": {"href", "title"},
            "img": {"src", "alt"},
            "q": {"cite"},
            "del": {"cite"},
            "*": {"lang", "id", "style"},
        },
        "generic_attribute_prefixes": {"data-"},
        "tag_attribute_values": {"p": {"align": {"left", "right"}}},
        "set_tag_attribute_values": {"img": {"loading": "lazy"}},
        "url_schemes": {"https", "mailto"},
        "allowed_classes": {"span": {"hl", "x"}},
        "filter_style_properties": {"color", "font-weight"},
        "url_relative": ("rewrite_with_base", "https://example.org/base/"),
        "id_prefix": "uc-",
        "strip_comments": False,
        "link_rel": "nofollow",
    },
    "deny-relative": {"url_relative": "deny", "link_rel": None, "attributes": {"a": {"href"}}},
    "rooted": {"url_relative": ("rewrite_with_root", "https://example.org/", "sub/dir/")},
}

SHIMS = {name: shim.Cleaner(**kw) for name, kw in CONFIGS.items()}
PEERS = {name: real.Cleaner(**kw) for name, kw in CONFIGS.items()}


def actual_differences() -> dict[tuple[str, str], dict[str, str]]:
    found: dict[tuple[str, str], dict[str, str]] = {}
    for name in CONFIGS:
        for pid, payload in D.corpus_inputs():
            ours, theirs = SHIMS[name].clean(payload), PEERS[name].clean(payload)
            if ours != theirs:
                found[(name, pid)] = {"htmlguard": ours, "nh3": theirs}
    return found


#: The nh3 differential's categories, and one html5ever departure the shim's generated
#: documents found.
CATEGORIES = {
    **D.CATEGORIES,
    "bom-after-script": 'html5ever (so nh3, and htmlguard\'s engine="ammonia") drops a U+FEFF '
    "that follows </script>; the HTML standard keeps it as text, as htmlguard's parser does",
}


def explain(name: str, ours: str, theirs: str) -> tuple[str | None, str]:
    category, detail = _explain(name, ours, theirs)
    if category is None:
        # nh3's output is misnested when nh3 changes it on a second run; html5lib does not
        # always build the tree D.misnesting compares with, so compare with that run.
        again = PEERS[name].clean(theirs)
        if again != theirs:
            if again == ours:
                return "misnesting", "htmlguard's output is nh3's second run"
            other, _ = _explain(name, ours, again)
            if other is not None:
                return ",".join(sorted({*other.split(","), "misnesting"})), "after nh3's rerun"
    if category is None and "\ufeff" not in theirs and ("\ufeff" in ours or "&#xFEFF;" in ours):
        without = ours.replace("&#xFEFF;", "").replace("\ufeff", "")
        if without == theirs:
            return "bom-after-script", "only U+FEFF differs"
        other, detail = _explain(name, without, theirs)
        if other is not None:
            return ",".join(sorted({*other.split(","), "bom-after-script"})), detail
    return category, detail


def _explain(name: str, ours: str, theirs: str) -> tuple[str | None, str]:
    policy = SHIMS[name].policy
    fixed_point = policy.sanitize(ours) == ours
    relative = policy.url_relative
    if isinstance(relative, Mapping) and "root" in relative:
        # D.explain recognises a resolved URL by a base prefix: a rooted URL not starting
        # with "/" is resolved against root + path.
        base = relative["root"].rstrip("/") + "/" + relative["path"].lstrip("/")
        policy = policy.derive(url_relative={"base": base})
    return D.explain(policy, ours, theirs, PEERS[name], fixed_point)


LISTED = Listed(FIXTURE, "nh3")


def _explain_key(key: tuple[str, str], outs: Mapping[str, str]) -> tuple[str | None, str]:
    return explain(key[0], outs["htmlguard"], outs["nh3"])


def load_fixture() -> dict[tuple[str, str], dict[str, Any]]:
    return LISTED.load()


def write_fixture() -> None:
    header = {
        "about": "Differences between htmlguard.compat.nh3 and nh3 given the same arguments "
        "(tests/compat/test_nh3_differential.py's CONFIGS) on the XSS corpora and the nh3 "
        "differential's synthetic inputs. Regenerate with "
        "`python tests/compat/test_nh3_differential.py --write-fixture`.",
        "nh3_version": real.__version__,
    }
    LISTED.write(actual_differences(), _explain_key, CATEGORIES, header)


# ---------------------------------------------------------------- the API itself


def test_same_names_signatures_and_constants() -> None:
    for name in ("clean", "clean_text", "escape", "is_html", "Cleaner"):
        theirs = inspect.signature(getattr(real, name)).parameters
        ours = inspect.signature(getattr(shim, name)).parameters
        assert list(ours) == list(theirs), name
        for p in theirs:
            assert ours[p].default == theirs[p].default, (name, p)
    assert shim.ALLOWED_TAGS == real.ALLOWED_TAGS
    assert shim.ALLOWED_ATTRIBUTES == real.ALLOWED_ATTRIBUTES
    assert shim.ALLOWED_URL_SCHEMES == real.ALLOWED_URL_SCHEMES
    assert shim.CLEAN_CONTENT_TAGS == real.CLEAN_CONTENT_TAGS


def test_nh3_docstring_examples_agree() -> None:
    """The examples of nh3's own documentation, through both."""
    calls: list[tuple[str, dict[str, Any]]] = [
        ("<unknown>hi", {}),
        ("<b><img src='' onerror='alert(\\'hax\\')'>XSS?</b>", {}),
        ("<b><i>bold italic</i></b>", {"tags": {"b"}}),
        ("<script>alert('xss')</script>safe", {"clean_content_tags": {"script"}}),
        ('<a href="/" id="link">click</a>', {"attributes": {"*": {"id"}, "a": {"href"}}}),
        ("<div role='alert'>warning</div>", {"tag_attribute_values": {"div": {"role": {"alert"}}}}),
        ("<div>content</div>", {"set_tag_attribute_values": {"div": {"class": "safe"}}}),
        ('<span class="highlight bold">text</span>', {"allowed_classes": {"span": {"highlight"}}}),
        (
            '<span style="color: red; position: fixed">text</span>',
            {"attributes": {"span": {"style"}}, "filter_style_properties": {"color"}},
        ),
        ('<a href="/foo">x</a>', {"url_relative": "deny"}),
        ('<a href="/foo">x</a>', {"url_relative": ("rewrite_with_base", "https://example.com")}),
        ('<b id="x">hi</b>', {"attributes": {"b": {"id"}}, "id_prefix": "user-content-"}),
    ]
    for html, kwargs in calls:
        assert shim.clean(html, **kwargs) == real.clean(html, **kwargs), (html, kwargs)
    text = "<span>hello <mention>moto</mention>!</span>"
    assert shim.clean_text(text, tags={"mention"}) == real.clean_text(text, tags={"mention"})


def test_errors_agree_where_nh3_raises() -> None:
    bad: list[dict[str, Any]] = [
        {"attributes": {"div": {"rel"}}},
        {"clean_content_tags": {"p"}},
        {"attributes": {"div": {"role"}}, "tag_attribute_values": {"div": {"role": {"a"}}}},
        {"url_relative": "bad"},
        {"url_relative": ("rewrite_with_root", "https://x.org/")},
        {"url_relative": 5},
        {"attribute_filter": 5},
    ]
    for kwargs in bad:
        with pytest.raises((ValueError, TypeError)) as theirs:
            real.Cleaner(**kwargs)
        with pytest.raises(theirs.type) as ours:
            shim.Cleaner(**kwargs)
        if "base URL" not in str(theirs.value):
            assert str(ours.value) == str(theirs.value)


# ---------------------------------------------------------------- corpora


def test_every_category_is_documented() -> None:
    doc = (_TESTS.parent / "docs" / "migration.md").read_text(encoding="utf-8")
    assert all(f"| {c} |" in doc for c in CATEGORIES)


def test_corpus_differences_are_exactly_the_listed_ones() -> None:
    problems = LISTED.problems(actual_differences(), _explain_key)
    assert not problems, "\n".join(problems)


def test_listed_differences_are_explained() -> None:
    for (name, pid), entry in load_fixture().items():
        category, detail = explain(name, entry["htmlguard"], entry["nh3"])
        assert category == entry["category"], f"{name} {pid}: {category} ({detail})"


def test_text_functions_agree_on_the_corpora() -> None:
    tags = {"b", "a", "img"}
    # clean_text(tags=...) is clean() with these arguments, in both.
    policy = shim.Cleaner(tags=tags, attributes={}, link_rel=None).policy
    peer = real.Cleaner(tags=tags, attributes={}, link_rel=None)
    for _, payload in D.corpus_inputs():
        assert shim.clean_text(payload) == real.clean_text(payload)
        assert shim.is_html(payload) == real.is_html(payload), payload
        ours, theirs = shim.clean_text(payload, tags=tags), real.clean_text(payload, tags=tags)
        if ours != theirs:
            assert D.explain(policy, ours, theirs, peer)[0] is not None, payload


def test_attribute_filter_agrees_on_the_corpora() -> None:
    def shout_titles_drop_fragments(tag: str, attr: str, value: str) -> str | None:
        if attr == "title":
            return value.upper()
        if attr == "href" and "#" in value:
            return None
        return value

    kwargs: dict[str, Any] = {
        "attributes": {"a": {"href"}, "img": {"src", "alt"}, "*": {"title"}},
        "attribute_filter": shout_titles_drop_fragments,
    }
    mine, peer = shim.Cleaner(**kwargs), real.Cleaner(**kwargs)
    for pid, payload in D.corpus_inputs():
        ours, theirs = mine.clean(payload), peer.clean(payload)
        if ours != theirs:
            category, detail = D.explain(mine.policy, ours, theirs, peer)
            assert category is not None, f"{pid}: {ours!r} != nh3 {theirs!r}: {detail}"


def test_is_html_agrees_on_every_short_string() -> None:
    """Every string of up to 5 characters over the tokenizer's interesting ones (and a
    non-ASCII letter, which starts no tag name)."""
    alphabet = "<a/=\"' >!\0x\té"
    for length in range(1, 6):
        for chars in itertools.product(alphabet, repeat=length):
            s = "".join(chars)
            assert shim.is_html(s) == real.is_html(s), repr(s)


def test_is_html_agrees_on_long_tags_and_the_bench_corpora() -> None:
    """is_html reads a tag with one regular expression: tags of 100,000 attributes of each
    shape, ended, cut off or cut off inside a quoted value, and the benchmark's documents."""
    sys.path.insert(0, str(_TESTS.parent / "bench"))
    try:
        import corpora
    finally:
        sys.path.remove(str(_TESTS.parent / "bench"))
    docs = [*corpora.realistic_docs(40), *corpora.plain_fields(400), *corpora.mixed_fields(400)]
    for attribute in ("x", "x=1", 'x="1"', "x='1'", "x= ", '="a"', "/", "x=a=b", 'x=="1"', "\x00"):
        tag = "<a " + (attribute + " ") * 100_000
        docs += [tag + ">", tag, tag + '"', tag + "=>", "text < " + tag + "/>", "</b" + tag]
    for doc in docs:
        assert shim.is_html(doc) == real.is_html(doc), doc[:100]


# ---------------------------------------------------------------- generated documents


def _utf8(x: str) -> str:
    # nh3 refuses lone surrogates; htmlguard replaces them, so both get U+FFFD.
    return x.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


@pytest.mark.parametrize("name", list(CONFIGS))
@S.examples(100)
@given(x=S.inputs)
def test_generated_documents_agree_or_differ_for_a_listed_reason(name: str, x: str) -> None:
    x = _utf8(x)
    ours, theirs = SHIMS[name].clean(x), PEERS[name].clean(x)
    if ours != theirs:
        category, detail = explain(name, ours, theirs)
        assert category is not None, f"shim {ours!r} != nh3 {theirs!r}: {detail}"


@S.examples(300)
@given(x=S.inputs)
def test_generated_text_functions_agree(x: str) -> None:
    x = _utf8(x)
    assert shim.is_html(x) == real.is_html(x)
    assert shim.clean_text(x) == real.clean_text(x)


if __name__ == "__main__":
    main(__file__, FIXTURE, write_fixture)
