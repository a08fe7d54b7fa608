"""Request bodies per content type (htmlguard._request readers): what is cleaned, what is
kept."""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import quote_plus, unquote_to_bytes

import pytest

import htmlguard as hg
from htmlguard._request.bodies import process
from htmlguard._request.headers import FORM, JSON, MULTIPART, content_kind
from htmlguard._request.outcome import Outcome
from htmlguard._request.selectors import FieldRules

FORM_CT = "application/x-www-form-urlencoded"
JSON_CT = "application/json"
BOUNDARY = b"----hgBoundary7MA4YWxk"
MULTIPART_CT = "multipart/form-data; boundary=" + BOUNDARY.decode()


def run(
    kind: str,
    content_type: str,
    body: bytes,
    fields: Mapping[str, str | hg.Policy] | None,
    mode: str = "clean",
    default: str | None = None,
) -> Outcome:
    return process(kind, content_type, body, FieldRules(fields, default), mode)


# ---------------------------------------------------------------- content kinds


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("application/x-www-form-urlencoded", FORM),
        ("application/x-www-form-urlencoded; charset=ISO-8859-1", FORM),
        ("Application/X-WWW-Form-URLEncoded", FORM),
        ("multipart/form-data; boundary=abc", MULTIPART),
        ("application/json", JSON),
        ("application/json; charset=utf-8", JSON),
        ("APPLICATION/JSON", JSON),
        ("application/vnd.api+json", JSON),
        ("application/merge-patch+json; charset=utf-8", JSON),
        ("text/x-custom+json", JSON),  # */*+json
        ("text/plain", None),
        ("text/html", None),
        ("application/xml", None),
        ("application/json-seq", None),
        ("application/jsonx", None),
        ("application/octet-stream", None),
        ("multipart/mixed; boundary=abc", None),
        ("+json", None),
        ("", None),
        (None, None),
    ],
)
def test_content_kind(content_type: str | None, kind: str | None) -> None:
    assert content_kind(content_type) == kind


# ---------------------------------------------------------------- urlencoded


def test_form_cleans_the_selected_field_and_keeps_every_other_byte() -> None:
    body = (
        b"title=%3Cb%3EHi%3C%2Fb%3E&description=%3Cp+onclick%3Dx()%3Ehey%3C%2Fp%3E&n=%41+1&&flag&"
    )
    out = run(FORM, FORM_CT, body, {"description": "ugc"})
    assert out.fault is None and not out.reports
    assert out.body == b"title=%3Cb%3EHi%3C%2Fb%3E&description=%3Cp%3Ehey%3C%2Fp%3E&n=%41+1&&flag&"


def test_form_unchanged_body_is_not_rewritten() -> None:
    body = b"description=%3Cb%3Efine%3C/b%3E&x=%3Cscript%3E"
    assert run(FORM, FORM_CT, body, {"description": "ugc"}) == Outcome()


def test_form_plus_and_percent_encoding() -> None:
    # '+' is a space, %2B a literal plus; a rewritten value is re-encoded with quote_plus.
    body = b"d=a%2Bb+%3Ci%3Ec%3C%2Fi%3E+%26+d%3Cscript%3Ex%3C%2Fscript%3E"
    out = run(FORM, FORM_CT, body, {"d": "basic"})
    assert out.body == b"d=a%2Bb+%3Ci%3Ec%3C%2Fi%3E+%26amp%3B+d"


def test_form_encoded_names_are_matched_decoded_and_kept_encoded() -> None:
    body = b"comment%5B0%5D=%3Cb%3Ex%3C%2Fb%3E&comment+x=%3Cb%3Ey%3C%2Fb%3E"
    out = run(FORM, FORM_CT, body, {"comment[*]": "strict", "comment x": "strict"})
    assert out.body == b"comment%5B0%5D=x&comment+x=y"


def test_form_repeated_names_are_each_cleaned() -> None:
    body = b"tag=%3Cb%3Ea%3C%2Fb%3E&other=1&tag=%3Cb%3Eb%3C%2Fb%3E&tag=c"
    out = run(FORM, FORM_CT, body, {"tag": "strict"})
    assert out.body == b"tag=a&other=1&tag=b&tag=c"


def test_form_repeated_names_are_each_reported() -> None:
    body = b"tag=%3Cb%3Ea%3C%2Fb%3E&tag=ok&tag=%3Ci%3Eb%3C%2Fi%3E"
    out = run(FORM, FORM_CT, body, {"tag": "strict"}, mode="report")
    assert out.body is None
    assert list(out.reports) == ["tag", "tag[2]"]
    assert [r.tag for r in out.reports["tag"].removed] == ["b"]
    assert [r.tag for r in out.reports["tag[2]"].removed] == ["i"]


def test_form_non_ascii_names_and_values() -> None:
    name = "café".encode()
    value = "€ <script>x</script>ünï".encode()
    body = b"%s=%s&z=%%C3%%A9" % (_pct(name), _pct(value))
    out = run(FORM, FORM_CT, body, {"café": "ugc"})
    assert out.body == b"%s=%%E2%%82%%AC+%%C3%%BCn%%C3%%AF&z=%%C3%%A9" % _pct(name)


def test_form_charset_parameter() -> None:
    # latin-1: %E9 is é; the cleaned value is encoded back in latin-1.
    body = b"d=%E9t%E9+%3Cscript%3Ex%3C%2Fscript%3E"
    out = run(FORM, FORM_CT + "; charset=ISO-8859-1", body, {"d": "ugc"})
    assert out.body == b"d=%E9t%E9+"


def test_form_characters_the_charset_lacks_become_references() -> None:
    # &euro; decodes to U+20AC, which ASCII cannot hold: a character reference, not a fault
    # (a fault would pass the whole body, <b onclick> included, through uncleaned).
    body = b"d=%3Cb+onclick%3Dx()%3E%26euro%3B%3C%2Fb%3E"
    out = run(FORM, FORM_CT + "; charset=us-ascii", body, {"d": "ugc"})
    assert out.fault is None
    assert out.body == b"d=%3Cb%3E%26%238364%3B%3C%2Fb%3E"


def test_form_invalid_bytes_are_kept_byte_for_byte_around_a_cleaned_value() -> None:
    body = b"d=%FF%3Cscript%3Ex%3C%2Fscript%3E%C3%28%3Cb+onclick%3Dy%3Eok%3C%2Fb%3E%80&e=%FF"
    out = run(FORM, FORM_CT, body, {"d": "ugc"})
    assert out.fault is None and out.body is not None
    name, _, value = out.body.split(b"&")[0].partition(b"=")
    assert name == b"d"
    assert unquote_to_bytes(value.replace(b"+", b" ")) == b"\xff\xc3(<b>ok</b>\x80"
    assert out.body.endswith(b"&e=%FF")


def test_form_invalid_bytes_in_report_mode() -> None:
    body = b"d=%FF%3Cscript%3Ex%3C%2Fscript%3E"
    out = run(FORM, FORM_CT, body, {"d": "ugc"}, mode="report")
    assert out.fault is None and out.body is None
    assert [r.tag for r in out.reports["d"].removed] == ["script"]


def test_form_invalid_bytes_next_to_private_use_characters_is_a_fault() -> None:
    # U+F7FF (EF 9F BF) next to an invalid byte: the byte-keeping mapping would be ambiguous.
    body = b"d=%EF%9F%BF%FF%3Cb%3Ex%3C%2Fb%3E"
    out = run(FORM, FORM_CT, body, {"d": "strict"})
    assert out.fault is not None and out.body is None


def test_form_private_use_characters_alone_are_fine() -> None:
    body = b"d=%EF%9F%BF%3Cb%3Ex%3C%2Fb%3E"
    out = run(FORM, FORM_CT, body, {"d": "strict"})
    assert out.body == b"d=%EF%9F%BFx"


@pytest.mark.parametrize("mode", ["clean", "report", "reject"])
def test_form_unknown_charset_is_a_fault(mode: str) -> None:
    body = b"d=%3Cscript%3Ex%3C%2Fscript%3E"
    out = run(FORM, FORM_CT + "; charset=x-no-such-charset", body, {"d": "ugc"}, mode=mode)
    assert out.fault is not None and "x-no-such-charset" in out.fault
    assert out.body is None and not out.reports


def test_form_unmatched_fields_untouched_and_default_policy() -> None:
    body = b"a=%3Cb%3Ex%3C%2Fb%3E&b=%3Ci%3Ey%3C%2Fi%3E"
    assert run(FORM, FORM_CT, body, {"a": "basic"}).body is None
    out = run(FORM, FORM_CT, body, {"a": "basic"}, default="strict")
    assert out.body == b"a=%3Cb%3Ex%3C%2Fb%3E&b=y"


def test_form_first_matching_selector_wins() -> None:
    body = b"comment.body=%3Cb%3Ex%3C%2Fb%3E"
    assert run(FORM, FORM_CT, body, {"comment.body": "basic", "comment.*": "strict"}).body is None
    assert run(FORM, FORM_CT, body, {"comment.*": "strict", "comment.body": "basic"}).body == (
        b"comment.body=x"
    )


@pytest.mark.parametrize("kind", [FORM, MULTIPART, JSON])
@pytest.mark.parametrize("mode", ["clean", "report", "reject"])
def test_empty_body_is_nothing_to_do(kind: str, mode: str) -> None:
    ct = {FORM: FORM_CT, MULTIPART: MULTIPART_CT, JSON: JSON_CT}[kind]
    assert run(kind, ct, b"", {"*": "strict"}, mode=mode) == Outcome()


# ---------------------------------------------------------------- multipart


def _pct(raw: bytes) -> bytes:
    return b"".join(b"%%%02X" % c for c in raw)


def disposition(name: bytes, extra: bytes = b"") -> bytes:
    return b'Content-Disposition: form-data; name="' + name + b'"' + extra


def multipart(
    parts: list[tuple[bytes, bytes]],
    boundary: bytes = BOUNDARY,
    preamble: bytes = b"",
    epilogue: bytes = b"\r\n",
) -> bytes:
    """A multipart body from (header lines, data) pairs."""
    out = preamble + b"\r\n" if preamble else b""
    for headers, data in parts:
        out += b"--" + boundary + b"\r\n" + headers + b"\r\n\r\n" + data + b"\r\n"
    return out + b"--" + boundary + b"--" + epilogue


FILE_DATA = b"<script>alert(1)</script>\x00\xff\xfe binary \r\n--not-the-boundary\r\n"


def test_multipart_cleans_text_parts_and_keeps_the_rest_byte_for_byte() -> None:
    file_headers = disposition(b"upload", b'; filename="x.html"') + b"\r\nContent-Type: text/html"
    text_headers = disposition(b"description") + b"\r\nX-Extra:  kept  as is"
    parts = [
        (disposition(b"title"), b"<b>title</b>"),
        (file_headers, FILE_DATA),
        (text_headers, b"<p onclick='x()'>hi</p><script>x</script>"),
    ]
    body = multipart(parts, preamble=b"a preamble", epilogue=b"\r\nan epilogue --" + BOUNDARY)
    out = run(MULTIPART, MULTIPART_CT, body, {"description": "ugc", "upload": "strict"})
    assert out.fault is None
    expected = multipart(
        [parts[0], parts[1], (text_headers, b"<p>hi</p>")],
        preamble=b"a preamble",
        epilogue=b"\r\nan epilogue --" + BOUNDARY,
    )
    assert out.body == expected


def test_multipart_file_parts_are_never_cleaned_even_by_default_policy() -> None:
    parts = [
        (disposition(b"f", b'; filename="a.txt"') + b"\r\nContent-Type: text/plain", FILE_DATA),
        (disposition(b"g", b'; filename=""'), b"<b>empty filename is still a file</b>"),
    ]
    body = multipart(parts)
    assert run(MULTIPART, MULTIPART_CT, body, None, default="strict") == Outcome()
    assert run(MULTIPART, MULTIPART_CT, body, None, mode="report", default="strict") == Outcome()


def test_multipart_text_field_with_a_non_text_content_type_is_still_cleaned() -> None:
    # No filename: the app's parser hands it over as a text field whatever its type.
    headers = disposition(b"d") + b"\r\nContent-Type: application/octet-stream"
    body = multipart([(headers, b"<script>x</script>ok")])
    out = run(MULTIPART, MULTIPART_CT, body, {"d": "ugc"})
    assert out.body == multipart([(headers, b"ok")])


def test_multipart_quoted_boundary_and_parameters() -> None:
    boundary = b"weird boundary'()+_,-./:=?"
    body = multipart([(disposition(b"d"), b"<b>x</b>")], boundary=boundary)
    ct = 'multipart/form-data; charset=utf-8; boundary="' + boundary.decode() + '"'
    out = run(MULTIPART, ct, body, {"d": "strict"})
    assert out.body == multipart([(disposition(b"d"), b"x")], boundary=boundary)


def test_multipart_repeated_names_and_unselected_parts() -> None:
    parts = [
        (disposition(b"tag"), b"<b>a</b>"),
        (disposition(b"other"), b"<b>kept</b>"),
        (disposition(b"tag"), b"<i>b</i>"),
    ]
    body = multipart(parts)
    out = run(MULTIPART, MULTIPART_CT, body, {"tag": "strict"})
    assert out.body == multipart(
        [(disposition(b"tag"), b"a"), parts[1], (disposition(b"tag"), b"b")]
    )
    report = run(MULTIPART, MULTIPART_CT, body, {"tag": "strict"}, mode="report")
    assert report.body is None and list(report.reports) == ["tag", "tag[2]"]


def test_multipart_non_ascii_names_and_values() -> None:
    name = "beschreibung_ä".encode()
    parts = [(disposition(name), "größe <script>x</script>€".encode())]
    out = run(MULTIPART, MULTIPART_CT, multipart(parts), {"beschreibung_ä": "ugc"})
    assert out.body == multipart([(disposition(name), "größe €".encode())])


def test_multipart_charset_field_sets_the_default_charset() -> None:
    parts = [
        (disposition(b"d"), b"caf\xe9 <b onclick=x>\xe0</b>"),
        (disposition(b"_charset_"), b"iso-8859-1"),
    ]
    out = run(MULTIPART, MULTIPART_CT, multipart(parts), {"d": "ugc"})
    assert out.body == multipart([(disposition(b"d"), b"caf\xe9 <b>\xe0</b>"), parts[1]])


def test_multipart_part_charset_wins_over_charset_field() -> None:
    headers = disposition(b"d") + b"\r\nContent-Type: text/plain; charset=utf-8"
    parts = [
        (disposition(b"_charset_"), b"iso-8859-1"),
        (headers, "é<b onclick=x>€</b>".encode()),
        (disposition(b"e"), b"\xe9<i onclick=x>i</i>"),
    ]
    out = run(MULTIPART, MULTIPART_CT, multipart(parts), {"d": "ugc", "e": "ugc"})
    assert out.body == multipart(
        [parts[0], (headers, "é<b>€</b>".encode()), (disposition(b"e"), b"\xe9<i>i</i>")]
    )


def test_multipart_invalid_bytes_are_kept_around_a_cleaned_value() -> None:
    parts = [(disposition(b"d"), b"\xff<script>x</script>\xc3(<b onclick=y>ok</b>\x80")]
    out = run(MULTIPART, MULTIPART_CT, multipart(parts), {"d": "ugc"})
    assert out.fault is None
    assert out.body == multipart([(disposition(b"d"), b"\xff\xc3(<b>ok</b>\x80")])


@pytest.mark.parametrize(
    "parts",
    [
        [(disposition(b"_charset_"), b"x-no-such-charset"), (disposition(b"d"), b"<b>x</b>")],
        [(disposition(b"d") + b"\r\nContent-Type: text/plain; charset=nope", b"<b>x</b>")],
    ],
)
def test_multipart_unknown_charset_is_a_fault(parts: list[tuple[bytes, bytes]]) -> None:
    out = run(MULTIPART, MULTIPART_CT, multipart(parts), {"d": "strict"})
    assert out.fault is not None and out.body is None


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (MULTIPART_CT, multipart([(disposition(b"d"), b"<b>x</b>")])[:-10]),  # no close
        (MULTIPART_CT, b"just some text <b>x</b>"),
        (MULTIPART_CT, multipart([(disposition(b"d"), b"<b>x</b>")], boundary=b"other")),
        ("multipart/form-data", multipart([(disposition(b"d"), b"<b>x</b>")])),  # no boundary
        ("multipart/form-data; boundary=", multipart([(disposition(b"d"), b"<b>x</b>")])),
        # Bare LF line breaks are not multipart (RFC 2046 wants CRLF).
        (
            MULTIPART_CT,
            multipart([(disposition(b"d"), b"<b>x</b>")]).replace(b"\r\n", b"\n"),
        ),
    ],
)
@pytest.mark.parametrize("mode", ["clean", "report", "reject"])
def test_malformed_multipart_is_a_fault(content_type: str, body: bytes, mode: str) -> None:
    out = run(MULTIPART, content_type, body, {"d": "strict"}, mode=mode)
    assert out.fault is not None and "multipart" in out.fault
    assert out.body is None and not out.reports


def test_multipart_part_without_headers_or_name_is_left_alone() -> None:
    body = (
        b"--" + BOUNDARY + b"\r\n\r\n<b>no headers</b>\r\n"
        b"--" + BOUNDARY + b"\r\nContent-Disposition: form-data\r\n\r\n<b>no name</b>\r\n"
        b"--" + BOUNDARY + b"\r\n" + disposition(b"d") + b"\r\n\r\n<b>x</b>\r\n"
        b"--" + BOUNDARY + b"--\r\n"
    )
    out = run(MULTIPART, MULTIPART_CT, body, None, default="strict")
    assert out.body == body.replace(b"<b>x</b>", b"x")


def test_multipart_boundary_like_text_inside_data_is_data() -> None:
    tail = b" --" + BOUNDARY + b" not at a line start"
    body = multipart([(disposition(b"d"), b"<b>a</b>" + tail)])
    out = run(MULTIPART, MULTIPART_CT, body, {"d": "strict"})
    assert out.body == multipart([(disposition(b"d"), b"a" + tail)])


def test_multipart_reports_name_the_field() -> None:
    parts = [(disposition(b"bio"), b"<a href='javascript:x()'>me</a>")]
    out = run(MULTIPART, MULTIPART_CT, multipart(parts), {"bio": "ugc"}, mode="reject")
    assert out.body is None
    [removal] = out.reports["bio"].removed
    assert (removal.kind, removal.tag, removal.name, removal.value) == (
        "url",
        "a",
        "href",
        "javascript:x()",
    )


# ---------------------------------------------------------------- JSON


def test_json_cleans_strings_at_selected_paths_only() -> None:
    body = (
        b'{"challenge": {"title": "<b>t</b>", "description": "<p onclick=\\"x()\\">d</p>",'
        b' "points": 1.10, "open": true, "owner": null},'
        b' "comments": [{"body": "<script>x</script>c0", "n": 1e5},'
        b' {"body": "<i>c1</i>", "n": -0}], "tags": ["<b>a</b>", "b", 7, ["<b>nested</b>"]],'
        b' "id": 123456789012345678901234567890, "ratio": -1.5E-10}'
    )
    out = run(
        JSON,
        JSON_CT,
        body,
        {"challenge.description": "ugc", "comments.*.body": "basic", "tags.*": "strict"},
    )
    assert out.fault is None and out.body is not None
    assert out.body == (
        b'{"challenge":{"title":"<b>t</b>","description":"<p>d</p>",'
        b'"points":1.10,"open":true,"owner":null},'
        b'"comments":[{"body":"c0","n":1e5},{"body":"<i>c1</i>","n":-0}],'
        b'"tags":["a","b",7,["<b>nested</b>"]],'
        b'"id":123456789012345678901234567890,"ratio":-1.5E-10}'
    )


def test_json_unchanged_document_keeps_its_original_bytes() -> None:
    body = b'{ "description" : "<b>fine</b>",\n  "n": 1.000 , "other": "<script>"}'
    assert run(JSON, JSON_CT, body, {"description": "ugc"}) == Outcome()


def test_json_comments_selector_over_an_object() -> None:
    body = b'{"comments": {"a": {"body": "<b>x</b>"}, "b": {"body": "y", "t": "<b>z</b>"}}}'
    out = run(JSON, JSON_CT, body, {"comments.*.body": "strict"})
    assert out.body == b'{"comments":{"a":{"body":"x"},"b":{"body":"y","t":"<b>z</b>"}}}'


def test_json_object_keys_are_never_changed() -> None:
    body = b'{"<b>key</b>": "<b>v</b>", "a": {"<i>k</i>": 1}}'
    out = run(JSON, JSON_CT, body, None, default="strict")
    assert out.body == b'{"<b>key</b>":"v","a":{"<i>k</i>":1}}'


def test_json_default_policy_covers_every_unmatched_string() -> None:
    body = b'{"a": "<b>x</b>", "b": ["<i>y</i>", {"c": "<u>z</u>"}], "keep": "<b>k</b>"}'
    out = run(JSON, JSON_CT, body, {"keep": "basic"}, default="strict")
    assert json.loads(out.body or b"") == {"a": "x", "b": ["y", {"c": "z"}], "keep": "<b>k</b>"}
    assert run(JSON, JSON_CT, body, {"keep": "basic"}).body is None


def test_json_top_level_array() -> None:
    body = b'["<b>a</b>", 1, null, {"x": "<b>b</b>"}]'
    out = run(JSON, JSON_CT, body, {"*": "strict"})
    assert out.body == b'["a",1,null,{"x":"<b>b</b>"}]'
    out = run(JSON, JSON_CT, body, {"3.x": "strict"})
    assert out.body == b'["<b>a</b>",1,null,{"x":"b"}]'


def test_json_top_level_string() -> None:
    body = b'"<script>x</script><b>y</b>"'
    assert run(JSON, JSON_CT, body, {"*": "strict"}) == Outcome()  # no key to select
    assert run(JSON, JSON_CT, body, None, default="strict").body == b'"y"'
    report = run(JSON, JSON_CT, body, None, mode="report", default="strict")
    assert list(report.reports) == ["$"]


@pytest.mark.parametrize("body", [b"1.10", b"null", b"true", b"-0", b"[]", b"{}"])
def test_json_top_level_scalars_and_empty_containers(body: bytes) -> None:
    assert run(JSON, JSON_CT, body, None, default="strict") == Outcome()


def test_json_unicode_escapes_are_decoded_before_cleaning() -> None:
    body = b'{"d": "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u00e9\\ud83d\\ude00",'
    body += b' "e": "\\u00e9\\n\\"q\\""}'
    out = run(JSON, JSON_CT, body, {"d": "ugc"})
    assert out.body is not None
    assert json.loads(out.body) == {"d": "é\U0001f600", "e": 'é\n"q"'}


def test_json_lone_surrogate_escape_survives_a_rewrite() -> None:
    # "\ud800" is valid JSON text but no UTF-8: it must not make the rewrite fail (a fault
    # would pass <script> through in clean mode).
    body = b'{"other": "a\\ud800b", "d": "<script>x</script>ok"}'
    out = run(JSON, JSON_CT, body, {"d": "ugc"})
    assert out.fault is None
    assert out.body == b'{"other":"a\\ud800b","d":"ok"}'


def test_json_repeated_keys_are_each_cleaned_and_kept() -> None:
    body = b'{"d": "<script>first</script>", "x": 1, "d": "<b>second</b>"}'
    out = run(JSON, JSON_CT, body, {"d": "strict"})
    assert out.body == b'{"d":"","x":1,"d":"second"}'
    report = run(JSON, JSON_CT, body, {"d": "strict"}, mode="report")
    assert list(report.reports) == ["d", "d[2]"]


def test_json_repeated_key_hiding_a_dirty_first_value_is_seen() -> None:
    body = b'{"d": "<script>x</script>", "d": "fine"}'
    out = run(JSON, JSON_CT, body, {"d": "strict"}, mode="reject")
    assert list(out.reports) == ["d"]


def test_json_constants_and_number_forms_are_kept_as_text() -> None:
    body = b'{"a": NaN, "b": -Infinity, "c": 0.0, "d": 1E400, "e": 10000000000000000000001,'
    body += b' "s": "<b>x</b>"}'
    out = run(JSON, JSON_CT, body, {"s": "strict"})
    assert out.body == (
        b'{"a":NaN,"b":-Infinity,"c":0.0,"d":1E400,"e":10000000000000000000001,"s":"x"}'
    )


def test_json_reports_are_named_by_dotted_path() -> None:
    body = b'{"comments": [{"body": "ok"}, {"body": "<b onclick=\\"x()\\">y</b>"}]}'
    out = run(JSON, JSON_CT, body, {"comments.*.body": "ugc"}, mode="report")
    assert out.body is None
    assert list(out.reports) == ["comments.1.body"]
    [removal] = out.reports["comments.1.body"].removed
    assert (removal.kind, removal.tag, removal.name, removal.value) == (
        "attribute",
        "b",
        "onclick",
        "x()",
    )


@pytest.mark.parametrize(
    "body",
    [
        b'{"d": "<b>x</b>"',
        b'{"d": "<b>x</b>",}',
        b"{'d': 'x'}",
        b'{"d": "\xff<b>x</b>"}',  # not UTF-8
        b"<b>not json</b>",
        b'{"d": "x"} trailing',
        b"[" * 5000 + b"]" * 5000,  # deeper than json.loads goes
        b'{"a":' * 5000 + b'"<b>x</b>"' + b"}" * 5000,
    ],
)
@pytest.mark.parametrize("mode", ["clean", "report", "reject"])
def test_malformed_or_too_deep_json_is_a_fault(body: bytes, mode: str) -> None:
    out = run(JSON, JSON_CT, body, None, mode=mode, default="strict")
    assert out.fault is not None and "JSON" in out.fault
    assert out.body is None and not out.reports


def test_deep_but_readable_json_is_cleaned_without_recursion() -> None:
    depth = 400
    body = b'{"a":[' * depth + b'"<b>x</b>"' + b"]}" * depth
    out = run(JSON, JSON_CT, body, None, default="strict")
    assert out.body == b'{"a":[' * depth + b'"x"' + b"]}" * depth


def test_json_plus_json_kind_and_charset_parameter() -> None:
    body = b'{"data": {"attributes": {"bio": "<script>x</script>me"}}}'
    out = run(JSON, "application/vnd.api+json; charset=utf-8", body, {"data.*.bio": "ugc"})
    assert out.body == b'{"data":{"attributes":{"bio":"me"}}}'


def test_json_non_ascii_is_written_as_utf8() -> None:
    body = '{"d": "ünï <script>x</script>", "k€y": "€"}'.encode()
    out = run(JSON, JSON_CT, body, {"d": "ugc"})
    assert out.body == '{"d":"ünï ","k€y":"€"}'.encode()


# ---------------------------------------------------------------- modes


def test_report_and_reject_modes_never_rewrite() -> None:
    body = b"d=%3Cscript%3Ex%3C%2Fscript%3E&e=%3Cb%3Eok%3C%2Fb%3E"
    for mode in ("report", "reject"):
        out = run(FORM, FORM_CT, body, {"d": "ugc", "e": "ugc"}, mode=mode)
        assert out.body is None
        assert list(out.reports) == ["d"]  # e is clean: not reported
        assert str(out.reports["d"]) == "removed 1 tag (<script>)"


def test_clean_mode_makes_no_reports() -> None:
    out = run(FORM, FORM_CT, b"d=%3Cscript%3E", {"d": "ugc"})
    assert out.body == b"d=" and not out.reports


# ---------------------------------------------------------------- where the app's parser differs
# Each body below is one that some framework reads differently from python-multipart or
# from this module (found by the end-to-end tests against Werkzeug and Starlette). Passing
# such a body on could hand the app a selected field uncleaned, so it is refused:
# `ambiguous`, which the middleware answers with 400 in clean and reject mode.

SCRIPT = b"<script>alert(1)</script>"


@pytest.mark.parametrize("charset", ["utf-16", "utf-16-le", "utf-7", "shift_jis", "iso-2022-jp"])
def test_charsets_that_move_ascii_are_refused(charset: str) -> None:
    body = b"description=" + quote_plus(SCRIPT.decode()).encode()
    out = run(FORM, f"{FORM_CT}; charset={charset}", body, {"description": "ugc"})
    assert out.ambiguous and out.fault is not None and out.body is None


@pytest.mark.parametrize("charset", ["utf-8", "us-ascii", "latin-1", "cp1252", "iso-8859-15"])
def test_charsets_that_keep_ascii_are_read(charset: str) -> None:
    body = b"description=" + quote_plus(SCRIPT.decode() + "<b>x</b>").encode()
    out = run(FORM, f"{FORM_CT}; charset={charset}", body, {"description": "ugc"})
    assert out.fault is None and out.body == b"description=%3Cb%3Ex%3C%2Fb%3E"


def test_a_multipart_part_or_charset_field_naming_a_moving_charset_is_refused() -> None:
    part = [(disposition(b"description") + b"\r\nContent-Type: text/plain; charset=utf-16", SCRIPT)]
    assert run(MULTIPART, MULTIPART_CT, multipart(part), {"description": "ugc"}).ambiguous
    parts = [(disposition(b"_charset_"), b"utf-16"), (disposition(b"description"), SCRIPT)]
    assert run(MULTIPART, MULTIPART_CT, multipart(parts), {"description": "ugc"}).ambiguous


def test_a_delimiter_after_a_bare_line_feed_is_refused() -> None:
    # Werkzeug ends the file at "\n--boundary" and finds a text field after it;
    # python-multipart sees one file.
    hidden = (
        b"x\n--" + BOUNDARY + b'\nContent-Disposition: form-data; name="description"'
        b"\n\n" + SCRIPT + b"\n--" + BOUNDARY + b"--\n"
    )
    body = multipart([(disposition(b"f", b'; filename="a.txt"'), hidden)])
    out = run(MULTIPART, MULTIPART_CT, body, {"description": "ugc"})
    assert out.ambiguous and out.body is None


def test_rfc2231_names_are_refused() -> None:
    body = multipart([(b"Content-Disposition: form-data; name*=UTF-8''description", SCRIPT)])
    assert run(MULTIPART, MULTIPART_CT, body, {"description": "ugc"}).ambiguous


def test_a_repeated_content_disposition_is_refused() -> None:
    headers = disposition(b"description") + b"\r\n" + disposition(b"f", b'; filename="a"')
    body = multipart([(headers, SCRIPT)])
    assert run(MULTIPART, MULTIPART_CT, body, {"description": "ugc"}).ambiguous


@pytest.mark.parametrize(
    ("kind", "content_type", "body"),
    [
        (
            MULTIPART,
            f"{MULTIPART_CT}; boundary=other",
            multipart([(disposition(b"description"), SCRIPT)]),
        ),
        (FORM, f"{FORM_CT}; charset=utf-8; charset=utf-16", b"description=x"),
    ],
)
def test_a_parameter_given_twice_is_refused(kind: str, content_type: str, body: bytes) -> None:
    assert run(kind, content_type, body, {"description": "ugc"}).ambiguous


def test_malformed_multipart_is_refused_only_when_it_names_a_selected_field() -> None:
    folded = multipart([(b'Content-Disposition: form-data;\r\n name="description"', SCRIPT)])
    out = run(MULTIPART, MULTIPART_CT, folded, {"description": "ugc"})
    assert out.fault is not None and out.ambiguous
    other = folded.replace(b"description", b"other")
    out = run(MULTIPART, MULTIPART_CT, other, {"description": "ugc"})
    assert out.fault is not None and not out.ambiguous  # passed on, as the contract says
    # A default policy selects every field.
    assert run(MULTIPART, MULTIPART_CT, other, {}, default="ugc").ambiguous
