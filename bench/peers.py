"""One adapter per library: a ``clean(str) -> str`` as close to htmlguard's "ugc" preset as
that library's API allows.

Every adapter is configured from ``htmlguard.Policy.preset("ugc").to_dict()`` (tags,
per-tag and generic attributes, URL schemes, ``link_rel``, the elements removed with their
content, comment stripping, ``id_prefix``), so they share one allowlist. Where an API
cannot express an option, the adapter says so in ``deviations`` (copied into RESULTS.md).

Applied by no peer: ugc's ``attribute_patterns`` (whole-value regexes on ``id``, ``title``,
``width``, ...). None of the native peers takes such rules without a Python callback per
attribute (nh3's ``attribute_filter``, turbohtml's ``attribute_predicate``), and the
project's nh3 differential test leaves them out for the same reason. So htmlguard does a
little more work per attribute than every peer here.

Adapters are built once per run, outside the timed region (``build``). A library that is
missing, or whose adapter cannot be built, is reported with the reason instead.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import htmlguard as hg

Clean = Callable[[str], str]
REPO = Path(__file__).resolve().parent.parent


@dataclass
class Peer:
    """A ready sanitizer and what it leaves out of the ugc policy."""

    name: str
    dists: tuple[str, ...]
    clean: Clean
    deviations: list[str] = field(default_factory=list)
    #: Pure-Python (or mostly Python) libraries: big inputs run in a subprocess with a timeout.
    slow: bool = False
    #: The library is known to crash the process when used from two threads.
    crashes_threaded: bool = False
    #: For a sanitizer object that must not be shared between threads: makes one per thread.
    per_thread: Callable[[], Clean] | None = None


@dataclass(frozen=True)
class Ugc:
    """The ugc preset's allowlist in plain Python types."""

    tags: frozenset[str]
    tag_attributes: Mapping[str, frozenset[str]]
    generic_attributes: frozenset[str]
    url_schemes: frozenset[str]
    link_rel: str | None
    clean_content_tags: frozenset[str]
    strip_comments: bool
    id_prefix: str | None
    url_relative: Any

    @classmethod
    def load(cls) -> Ugc:
        d = hg.Policy.preset("ugc").to_dict()
        return cls(
            tags=frozenset(d["tags"]),
            tag_attributes={t: frozenset(a) for t, a in d.get("tag_attributes", {}).items()},
            generic_attributes=frozenset(d.get("generic_attributes", ())),
            url_schemes=frozenset(d.get("url_schemes", ())),
            link_rel=d.get("link_rel"),
            clean_content_tags=frozenset(d.get("clean_content_tags", ())),
            strip_comments=bool(d.get("strip_comments", True)),
            id_prefix=d.get("id_prefix"),
            url_relative=d.get("url_relative", "deny"),
        )

    def attributes_with_star(self) -> dict[str, set[str]]:
        """``{"*": generic, tag: attrs}``, the shape nh3, bleach, turbohtml and justhtml take."""
        out: dict[str, set[str]] = {t: set(a) for t, a in self.tag_attributes.items()}
        out["*"] = set(self.generic_attributes)
        return out

    def attributes_per_tag(self) -> dict[str, set[str]]:
        """Every allowed tag with its own attributes plus the generic ones."""
        return {t: set(self.tag_attributes.get(t, ())) | self.generic_attributes for t in self.tags}

    def all_attributes(self) -> set[str]:
        out = set(self.generic_attributes)
        for attrs in self.tag_attributes.values():
            out |= attrs
        return out


COMMON_DEVIATION = "attribute_patterns (value regexes) not applied"


# --- adapters -------------------------------------------------------------------------------


def _htmlguard(u: Ugc) -> Peer:
    policy = hg.Policy.preset("ugc")
    engine = getattr(hg, "DEFAULT_ENGINE", "ammonia")
    what = f"none: it is the ugc preset (on the default engine, {engine!r})"
    return Peer("htmlguard", ("htmlguard",), policy.sanitize, [what])


#: The ugc preset on the engine before issue 13 (html5ever's parser, ammonia's tree),
#: measured beside the default one in the same rounds.
AMMONIA_ENGINE = "htmlguard[ammonia]"


def _htmlguard_ammonia(u: Ugc) -> Peer:
    if getattr(hg, "DEFAULT_ENGINE", "ammonia") == "ammonia":
        raise ImportError("the default engine of this htmlguard build is the ammonia engine")
    policy = hg.Policy.from_dict({**hg.Policy.preset("ugc").to_dict(), "engine": "ammonia"})
    what = 'the ugc preset on the ammonia engine (`engine="ammonia"`)'
    return Peer(AMMONIA_ENGINE, ("htmlguard",), policy.sanitize, [what])


#: An earlier build's ``_core`` extension to measure beside this one (``htmlguard@baseline``),
#: so a change to the core is compared with what it replaces in one run, paired round by
#: round like every other library (the machine's speed drifts between runs).
BASELINE_ENV = "HTMLGUARD_BASELINE_CORE"


def _htmlguard_baseline(u: Ugc) -> Peer:
    import importlib.util
    import os

    path = os.environ.get(BASELINE_ENV)
    if not path:
        raise ImportError(f"set {BASELINE_ENV} to an earlier build's _core.abi3.so")
    # The extension's init function is named after "_core": load it under that last name.
    spec = importlib.util.spec_from_file_location("htmlguard_baseline._core", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} is not a loadable extension")
    core = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(core)
    policy = core.Policy.preset("ugc")
    return Peer(
        "htmlguard@baseline",
        ("htmlguard",),
        policy.sanitize,
        [f"the ugc preset in an earlier build ({path})"],
    )


def _nh3_kwargs(u: Ugc) -> dict[str, Any]:
    relative = u.url_relative
    if relative not in ("pass", "deny"):
        raise ValueError(f"ugc url_relative {relative!r} has no simple nh3 equivalent")
    return {
        "tags": set(u.tags),
        "clean_content_tags": set(u.clean_content_tags),
        "attributes": u.attributes_with_star(),
        "strip_comments": u.strip_comments,
        "link_rel": u.link_rel,
        "url_schemes": set(u.url_schemes),
        "url_relative": "pass_through" if relative == "pass" else "deny",
        "id_prefix": u.id_prefix,
    }


_NH3_DEVIATIONS = [
    COMMON_DEVIATION,
    "legacy URL attributes (cite, ...) not scheme-checked; URLs hidden by invisible "
    "characters count as relative (see the nh3 differential test)",
    "no nesting-depth bound",
]


def _nh3(u: Ugc) -> Peer:
    import nh3

    kwargs = _nh3_kwargs(u)
    nh3.clean("<b>x</b>", **kwargs)  # fail here, not in a timed cell, if an option is refused

    def clean(html: str) -> str:
        # The per-call form: the allowlist is passed (and converted) on every call.
        return nh3.clean(html, **kwargs)

    dev = [*_NH3_DEVIATIONS, "module function: options passed on every call"]
    return Peer("nh3", ("nh3",), clean, dev)


def _nh3_cleaner(u: Ugc) -> Peer:
    import nh3

    cleaner = nh3.Cleaner(**_nh3_kwargs(u))
    dev = [*_NH3_DEVIATIONS, "one nh3.Cleaner built once and reused"]
    return Peer("nh3.Cleaner", ("nh3",), cleaner.clean, dev)


def _turbohtml(u: Ugc) -> Peer:
    from turbohtml.clean import OnDisallowed, Policy, Sanitizer

    attrs = {t: frozenset(a) for t, a in u.attributes_with_star().items()}
    policy = Policy(
        tags=frozenset(u.tags),
        attributes=attrs,
        url_schemes=frozenset(u.url_schemes),
        allow_relative_urls=u.url_relative == "pass",
        allow_fragment_urls=u.url_relative == "pass",
        on_disallowed_tag=OnDisallowed.STRIP,
        strip_comments=u.strip_comments,
        add_link_rel=frozenset((u.link_rel or "").split()),
        remove_with_content=frozenset(u.clean_content_tags),
        # Prefixes id (and name) values with "user-content-": the same prefix as ugc's.
        isolate_named_props=u.id_prefix == "user-content-",
    )
    dev = [COMMON_DEVIATION]
    if u.id_prefix not in (None, "user-content-"):
        dev.append(f"id_prefix {u.id_prefix!r} not applied (only 'user-content-' exists)")
    return Peer("turbohtml", ("turbohtml",), Sanitizer(policy).sanitize, dev)


def _bleach(u: Ugc) -> Peer:
    import bleach
    from bleach.html5lib_shim import Filter

    link_rel, id_prefix = u.link_rel, u.id_prefix

    class RelAndIdFilter(Filter):  # type: ignore[misc]
        """Sets ugc's rel on every <a> and prefixes ids, after bleach's own filter."""

        def __iter__(self) -> Any:
            for token in super().__iter__():
                if token["type"] in ("StartTag", "EmptyTag"):
                    attrs = token["data"]
                    if token["name"] == "a" and link_rel:
                        attrs[(None, "rel")] = link_rel
                    if id_prefix and (None, "id") in attrs:
                        attrs[(None, "id")] = id_prefix + attrs[(None, "id")]
                yield token

    def make() -> Clean:
        cleaner = bleach.Cleaner(
            tags=frozenset(u.tags),
            attributes={t: sorted(a) for t, a in u.attributes_with_star().items()},
            protocols=frozenset(u.url_schemes),
            strip=True,
            strip_comments=u.strip_comments,
            filters=[RelAndIdFilter],
        )
        return cleaner.clean

    dev = [
        COMMON_DEVIATION,
        "clean_content_tags not supported: script/style/... lose their tags but their text "
        "is kept (escaped)",
        "rel and id_prefix done by a small html5lib filter passed through bleach's filters=",
        "a Cleaner is not thread-safe: the two-thread cell gives each thread its own",
    ]
    return Peer("bleach", ("bleach",), make(), dev, slow=True, per_thread=make)


def _pybluemonday(u: Ugc) -> Peer:
    import pybluemonday

    policy = pybluemonday.UGCPolicy()
    dev = [
        "bluemonday's own UGCPolicy, not derived from ugc's lists: a similar but different "
        "element/attribute set (e.g. it also keeps `<area href>` and `img usemap`) with its own "
        "value regexes; http/https/mailto plus relative URLs; rel=nofollow only",
        "removes script, style, iframe, noscript and object with their content, but svg, "
        "math and template lose only their tags (their text is kept); a link whose href is "
        "refused loses its tag; no id_prefix",
        "the Python wrapper NFKD-normalizes every output string",
    ]
    return Peer("pybluemonday", ("pybluemonday",), policy.sanitize, dev, crashes_threaded=True)


def _html_sanitizer(u: Ugc) -> Peer:
    from html_sanitizer import Sanitizer

    schemes = u.url_schemes
    scheme_re = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")

    def sanitize_href(href: str) -> str:
        m = scheme_re.match(href)
        if m is None:
            return href if u.url_relative == "pass" else "#"
        return href if m.group(1).lower() in schemes else "#"

    voids = {"br", "hr", "img", "col", "wbr", "td", "th", "a"} & u.tags
    sanitizer = Sanitizer(
        {
            "tags": set(u.tags),
            "attributes": u.attributes_per_tag(),
            "empty": voids,
            "separate": {"a", "p", "li", "td", "th", "tr", "div"} & u.tags,
            "add_nofollow": bool(u.link_rel and "nofollow" in u.link_rel),
            "sanitize_href": sanitize_href,
            # The default preprocessors rename b -> strong, i -> em, span -> em/strong:
            # not part of ugc, so none.
            "element_preprocessors": [],
        }
    )
    dev = [
        COMMON_DEVIATION,
        "normalizes the document: NFKC, collapses whitespace, drops empty elements, merges "
        "adjacent same-name elements",
        "a disallowed href becomes '#'; only href is scheme-checked (img src only loses "
        "javascript: via lxml's cleaner)",
        "only script and style are removed with their content (by lxml's Cleaner); iframe, "
        "noscript, object, svg, math and template lose only their tags (their text is "
        "kept); rel=nofollow only; no id_prefix",
    ]
    return Peer("html-sanitizer", ("html-sanitizer", "lxml"), sanitizer.sanitize, dev, slow=True)


def _lxml_html_clean(u: Ugc) -> Peer:
    from lxml_html_clean import Cleaner

    cleaner = Cleaner(
        allow_tags=set(u.tags),
        remove_unknown_tags=False,
        kill_tags=set(u.clean_content_tags),
        safe_attrs_only=True,
        safe_attrs=frozenset(u.all_attributes()),
        comments=u.strip_comments,
        add_nofollow=bool(u.link_rel and "nofollow" in u.link_rel),
        scripts=True,
        javascript=True,
        style=True,
        forms=True,
        frames=True,
        embedded=True,
        page_structure=True,
    )
    dev = [
        COMMON_DEVIATION,
        "attributes are allowed globally (the union of every tag's list), not per tag",
        "no URL scheme allowlist: only javascript:-like schemes are removed",
        "rel=nofollow only, and no id_prefix",
        "lxml.html parses the fragment into one element: text-only input comes back wrapped "
        "in a `<span>` or `<p>`, several top-level elements in a `<div>`",
    ]
    return Peer("lxml-html-clean", ("lxml-html-clean", "lxml"), cleaner.clean_html, dev, slow=True)


def _justhtml(u: Ugc) -> Peer:
    from justhtml import JustHTML, SanitizationPolicy, UrlPolicy, UrlRule

    url_attrs = {
        ("a", "href"),
        ("img", "src"),
        ("blockquote", "cite"),
        ("q", "cite"),
        ("del", "cite"),
        ("ins", "cite"),
    }
    allowed = u.attributes_with_star()
    rules = {
        (t, a): UrlRule(allowed_schemes=set(u.url_schemes), resolve_protocol_relative=None)
        for (t, a) in url_attrs
        if a in allowed.get(t, ())
    }
    policy = SanitizationPolicy(
        allowed_tags=set(u.tags),
        allowed_attributes=allowed,
        url_policy=UrlPolicy(
            default_handling="allow",
            default_allow_relative=u.url_relative == "pass",
            allow_rules=rules,
        ),
        drop_comments=u.strip_comments,
        drop_content_tags=set(u.clean_content_tags),
        force_link_rel=set((u.link_rel or "").split()),
    )

    def clean(html: str) -> str:
        return JustHTML(html, fragment=True, policy=policy).to_html(pretty=False)

    dev = [
        COMMON_DEVIATION,
        "no id_prefix",
        "rel tokens merged with the input's own rel (ugc replaces rel)",
    ]
    return Peer("justhtml", ("justhtml",), clean, dev, slow=True)


ADAPTERS: dict[str, Callable[[Ugc], Peer]] = {
    "htmlguard": _htmlguard,
    AMMONIA_ENGINE: _htmlguard_ammonia,
    "nh3": _nh3,
    "nh3.Cleaner": _nh3_cleaner,
    "turbohtml": _turbohtml,
    "bleach": _bleach,
    "pybluemonday": _pybluemonday,
    "html-sanitizer": _html_sanitizer,
    "lxml-html-clean": _lxml_html_clean,
    "justhtml": _justhtml,
    "htmlguard@baseline": _htmlguard_baseline,
}

#: Distributions whose versions RESULTS.md lists.
DISTRIBUTIONS = (
    "htmlguard",
    "nh3",
    "turbohtml",
    "bleach",
    "pybluemonday",
    "html-sanitizer",
    "lxml-html-clean",
    "lxml",
    "justhtml",
    "markdown-it-py",
)


def select(only: str | None) -> list[str]:
    """Adapter names for ``--only`` (a comma list; ``nh3`` selects both nh3 variants)."""
    import os

    if not only:
        # The baseline only runs when one is given: it is not a library to list as missing.
        return [n for n in ADAPTERS if n != "htmlguard@baseline" or os.environ.get(BASELINE_ENV)]
    wanted = {w.strip() for w in only.split(",") if w.strip()}
    unknown = {w for w in wanted if w not in ADAPTERS and w != "nh3"}
    if unknown:
        raise SystemExit(
            f"unknown library in --only: {', '.join(sorted(unknown))}; known: {', '.join(ADAPTERS)}"
        )
    return [n for n in ADAPTERS if n in wanted or (n.startswith("nh3") and "nh3" in wanted)]


def build_one(name: str, ugc: Ugc | None = None) -> Peer:
    """Build one adapter (raises ImportError when the library is missing)."""
    return ADAPTERS[name](ugc or Ugc.load())


def build(names: list[str]) -> tuple[list[Peer], dict[str, str]]:
    """The adapters that could be built, and for the others the reason."""
    ugc = Ugc.load()
    peers: list[Peer] = []
    missing: dict[str, str] = {}
    for name in names:
        try:
            peer = build_one(name, ugc)
            peer.clean("<p>warm <b>up</b></p>")
        except ImportError as e:
            missing[name] = f"not installed ({type(e).__name__}: {e})"
        except Exception as e:  # noqa: BLE001 - an adapter that fails is reported, not fatal
            missing[name] = f"adapter failed: {type(e).__name__}: {e}"
        else:
            peers.append(peer)
    return peers, missing


def bench_requirements(pyproject: Path = REPO / "pyproject.toml") -> list[str]:
    """The ``bench`` extra of pyproject.toml (read without tomllib, which Python 3.9 and
    3.10 lack)."""
    text = pyproject.read_text("utf-8")
    m = re.search(r"^bench\s*=\s*\[(.*?)^\]", text, re.S | re.M)
    if m is None:
        return []
    return re.findall(r'^\s*"([^"]+)"', m.group(1), re.M)


def versions() -> dict[str, str]:
    out = {}
    for dist in DISTRIBUTIONS:
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


if __name__ == "__main__":
    # scripts/bench's fallback when the whole extra cannot be installed at once.
    if sys.argv[1:] == ["--requirements"]:
        print("\n".join(bench_requirements()))
    else:
        sys.exit("usage: python bench/peers.py --requirements")
