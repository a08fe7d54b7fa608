"""Building policies: options, validation, presets, derive, serialisation, identity."""

from __future__ import annotations

import copy
import json
import pickle
import sys
from types import MappingProxyType

import pytest

import htmlguard as hg
from htmlguard import _core


def test_empty_policy_allows_nothing() -> None:
    p = hg.Policy()
    assert p.tags == frozenset()
    assert p.url_schemes == frozenset()
    assert p.link_rel is None
    assert p.strip_comments is True
    assert p.sanitize('<b>a</b><!-- c --><a href="https://x.org">l</a>') == "al"


def test_written_options_are_exactly_what_passes() -> None:
    p = hg.Policy(tags={"b", "a"}, tag_attributes={"a": {"href"}}, url_schemes={"https"})
    assert p.sanitize('<b class="x">y</b>') == "<b>y</b>"
    assert p.sanitize('<a href="https://x.org" title="t">l</a>') == '<a href="https://x.org">l</a>'
    assert p.sanitize('<a href="http://x.org">l</a>') == "<a>l</a>"
    # no link_rel given: nothing added
    assert "rel=" not in p.sanitize('<a href="https://x.org">l</a>')


def test_every_option_is_readable_and_immutable() -> None:
    p = hg.Policy.preset("relaxed")
    for name in _core.OPTIONS:
        getattr(p, name)
    assert isinstance(p.tags, frozenset)
    assert isinstance(p.tag_attributes, MappingProxyType)
    assert isinstance(p.tag_attributes["a"], frozenset)
    with pytest.raises(TypeError):
        p.tag_attributes["a"] = frozenset()  # type: ignore[index]
    with pytest.raises(AttributeError):
        p.tags = frozenset()  # type: ignore[misc]


def test_option_values_round_trip_through_getters() -> None:
    opts = dict(
        tags={"a", "span", "img"},
        clean_content_tags={"script"},
        tag_attributes={"a": {"href"}, "img": {"src"}},
        generic_attributes={"title"},
        generic_attribute_prefixes={"data-"},
        tag_attribute_values={"span": {"dir": {"ltr", "rtl"}}},
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        url_schemes={"https"},
        url_relative={"base": "https://example.org/docs/"},
        link_rel="nofollow",
        allowed_classes={"span": {"hl"}},
        filter_style_properties=None,
        strip_comments=False,
        id_prefix="u-",
        attribute_patterns={"*": {"title": "^[a-z ]*$"}},
        target_blank=True,
        max_input_bytes=1000,
    )
    p = hg.Policy(**opts)  # type: ignore[arg-type]
    assert p.tags == frozenset(opts["tags"])  # type: ignore[arg-type]
    assert dict(p.tag_attributes) == {"a": frozenset({"href"}), "img": frozenset({"src"})}
    assert p.tag_attribute_values["span"]["dir"] == frozenset({"ltr", "rtl"})
    assert p.set_tag_attribute_values["img"]["loading"] == "lazy"
    assert dict(p.url_relative) == {"base": "https://example.org/docs/"}  # type: ignore[arg-type]
    assert p.link_rel == "nofollow" and p.id_prefix == "u-"
    assert p.allowed_classes["span"] == frozenset({"hl"})
    assert p.filter_style_properties is None
    assert p.strip_comments is False and p.target_blank is True
    assert p.max_input_bytes == 1000
    assert p.attribute_patterns["*"]["title"] == "^[a-z ]*$"
    assert hg.Policy.from_dict(p.to_dict()) == p


def test_to_dict_is_json_and_toml_compatible() -> None:
    for name in hg.PRESETS:
        p = hg.Policy.preset(name)
        d = p.to_dict()
        assert None not in d.values()
        again = hg.Policy.from_dict(json.loads(json.dumps(d)))
        assert again == p and hash(again) == hash(p)
    if sys.version_info >= (3, 11):
        import tomllib

        toml = "\n".join(
            [
                'tags = ["b", "a"]',
                'url_schemes = ["https"]',
                "target_blank = true",
                "[tag_attributes]",
                'a = ["href"]',
            ]
        )
        p = hg.Policy.from_dict(tomllib.loads(toml))
        assert p.sanitize('<a href="https://x.org">x</a>') == (
            '<a href="https://x.org" target="_blank" rel="noopener">x</a>'
        )


def test_derive_replaces_only_given_options() -> None:
    ugc = hg.Policy.preset("ugc")
    mine = ugc.derive(tags=ugc.tags | {"kbd"})
    assert mine.tags == ugc.tags | {"kbd"}
    assert mine.url_schemes == ugc.url_schemes
    assert mine != ugc
    assert ugc.sanitize("<kbd>x</kbd>") == "x"
    assert mine.sanitize("<kbd>x</kbd>") == "<kbd>x</kbd>"
    assert type(mine) is hg.Policy
    assert ugc.derive(link_rel=None).link_rel is None
    with pytest.raises(hg.PolicyError, match="tags"):
        ugc.derive(tags="b")


def test_presets() -> None:
    assert hg.PRESETS == ("strict", "basic", "ugc", "relaxed")
    for name in hg.PRESETS:
        p = hg.Policy.preset(name)
        assert isinstance(p, hg.Policy)
        assert repr(p) == f'Policy.preset("{name}")'
        assert hg.policies[name] == p
    assert hg.Policy.preset("strict").sanitize("<b>x</b> <i>y</i>") == "x y"
    assert hg.Policy.preset("basic").sanitize("<b>x</b><h1>t</h1>") == "<b>x</b>t"
    assert hg.Policy.preset("ugc").sanitize("<h1>t</h1><img src=x.png>") == (
        '<h1>t</h1><img src="x.png">'
    )
    assert hg.Policy.preset("ugc").sanitize('<a href="/x">l</a>') == (
        '<a href="/x" rel="nofollow noopener noreferrer">l</a>'
    )
    relaxed = hg.Policy.preset("relaxed")
    assert relaxed.sanitize('<code class="language-py">x</code>') == (
        '<code class="language-py">x</code>'
    )
    with pytest.raises(hg.PolicyError, match="unknown preset"):
        hg.Policy.preset("nope")


BAD_OPTIONS = [
    ({"tagz": {"b"}}, "unknown option"),
    ({"tags": "b"}, "tags: expected a set or list of strings"),
    ({"tags": {1}}, "tags: expected a string"),
    ({"tags": {"b c"}}, "tags"),
    ({"tags": {""}}, "tags"),
    ({"tags": {"script"}}, "tags"),
    ({"tags": {"b"}, "clean_content_tags": {"b"}}, "tags/clean_content_tags"),
    (
        {"clean_content_tags": {"x"}, "tag_attributes": {"x": {"y"}}},
        "tag_attributes/clean_content_tags",
    ),
    ({"link_rel": "nofollow", "generic_attributes": {"rel"}}, "link_rel/generic_attributes"),
    ({"link_rel": "nofollow", "tag_attributes": {"a": {"rel"}}}, "link_rel/tag_attributes"),
    ({"link_rel": ""}, "link_rel"),
    ({"link_rel": 3}, "link_rel"),
    (
        {"allowed_classes": {"p": {"x"}}, "generic_attributes": {"class"}},
        "allowed_classes/generic_attributes",
    ),
    (
        {"allowed_classes": {"p": {"x"}}, "tag_attributes": {"p": {"class"}}},
        "allowed_classes/tag_attributes",
    ),
    ({"allowed_classes": {"p": {"x y"}}}, "allowed_classes"),
    ({"tags": {"style"}, "filter_style_properties": {"color"}}, "filter_style_properties/tags"),
    ({"generic_attributes": {"onclick"}}, "generic_attributes"),
    ({"tag_attributes": {"img": {"onerror"}}}, "tag_attributes"),
    ({"tag_attributes": {"iframe": {"srcdoc"}}}, "tag_attributes"),
    ({"generic_attribute_prefixes": {"on"}}, "generic_attribute_prefixes"),
    ({"generic_attribute_prefixes": {"o"}}, "generic_attribute_prefixes"),
    ({"url_schemes": {"javascript"}}, "url_schemes"),
    ({"url_schemes": {"https:"}}, "url_schemes"),
    ({"url_schemes": {"HTTPS"}}, "url_schemes"),
    ({"url_relative": "maybe"}, "url_relative"),
    ({"url_relative": {"base": "not a url"}}, "url_relative"),
    ({"url_relative": {"base": "mailto:x@y"}}, "url_relative"),
    ({"url_relative": {"root": "https://x.org"}}, "url_relative"),
    ({"attribute_patterns": {"span": {"class": "("}}}, "attribute_patterns"),
    ({"attribute_patterns": {"span": "x"}}, "attribute_patterns"),
    ({"strip_comments": 1}, "strip_comments"),
    ({"target_blank": "yes"}, "target_blank"),
    ({"max_input_bytes": 0}, "max_input_bytes"),
    ({"max_input_bytes": -5}, "max_input_bytes"),
    ({"max_input_bytes": True}, "max_input_bytes"),
    ({"max_input_bytes": 1.5}, "max_input_bytes"),
    ({"id_prefix": "a b"}, "id_prefix"),
    ({"tag_attribute_values": {"a": {"onclick": {"x"}}}}, "tag_attribute_values"),
    ({"set_tag_attribute_values": {"a": {"target": 1}}}, "set_tag_attribute_values"),
    ({"filter_style_properties": "color"}, "filter_style_properties"),
]


@pytest.mark.parametrize(("options", "names"), BAD_OPTIONS)
def test_bad_options_raise_policy_error_naming_the_option(options: dict, names: str) -> None:
    with pytest.raises(hg.PolicyError) as info:
        hg.Policy(**options)
    assert str(info.value).startswith(names.split(":")[0]) or names in str(info.value)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, hg.HTMLGuardError)


def test_from_dict_rejects_non_mappings_and_unknown_keys() -> None:
    with pytest.raises(hg.PolicyError):
        hg.Policy.from_dict(["tags"])  # type: ignore[arg-type]
    with pytest.raises(hg.PolicyError, match="unknown option 'colour'|unknown option \"colour\""):
        hg.Policy.from_dict({"colour": "red"})


def test_equality_hashing_pickling_copying() -> None:
    a = hg.Policy(tags={"b", "i"})
    b = hg.Policy(tags=["i", "b"])
    c = hg.Policy(tags={"b"})
    assert a == b and hash(a) == hash(b)
    assert a != c
    assert a != "not a policy"
    assert len({a, b, c}) == 2
    for proto in range(2, pickle.HIGHEST_PROTOCOL + 1):
        again = pickle.loads(pickle.dumps(a, protocol=proto))
        assert again == a and type(again) is hg.Policy
        assert again.sanitize("<b>x</b><u>y</u>") == "<b>x</b>y"
    assert copy.deepcopy(a) == a
    assert pickle.loads(pickle.dumps(hg.Policy.preset("ugc"))) == hg.Policy.preset("ugc")


def test_classes_carry_their_public_module() -> None:
    assert hg.Policy is _core.Policy
    for cls in (hg.Policy, hg.Report, hg.Removal, hg.PolicyRegistry):
        assert cls.__module__ == "htmlguard", cls
    with pytest.raises(TypeError):
        type("Sub", (hg.Policy,), {})
    with pytest.raises(AttributeError):
        hg.Policy().extra = 1  # type: ignore[attr-defined]
