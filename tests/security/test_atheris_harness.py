"""The atheris harness (``fuzz/atheris_sanitize.py``) without atheris.

Its entry point and check function run here over a few hundred seeded random inputs in
both modes (raw bytes, structured), so the harness code is exercised in CI and stays in
step with the API; its checker is tested on outputs with known problems.
"""

from __future__ import annotations

import random

import atheris_sanitize as H  # noqa: E402 (fuzz/ is on sys.path, see conftest.py)
import pytest

import htmlguard as hg

#: Inputs per run: half raw, half structured (each checked under all five policies).
RANDOM_INPUTS = 300


def summary(failures: list[str]) -> str:
    shown = [f if len(f) <= 400 else f[:400] + "..." for f in failures[:8]]
    more = f"\n  ... and {len(failures) - 8} more" if len(failures) > 8 else ""
    return f"{len(failures)} failure(s):\n  " + "\n  ".join(shown) + more


def test_harness_imports_without_atheris() -> None:
    assert callable(H.test_one_input)
    assert callable(H.main)
    assert set(H.policies()) == {*hg.PRESETS, "custom"}


def test_decode_produces_lone_surrogates() -> None:
    assert H.decode("é".encode()) == "é"
    assert H.decode(b"a\xed\xa0\x80b") == "a\ud800b"  # an encoded surrogate: surrogatepass
    assert H.decode(b"a\xffb") == "a\udcffb"  # an invalid byte: surrogateescape


def test_modes() -> None:
    assert H.fuzz_input(b"") == ""
    assert H.fuzz_input(b"\x01<b>x</b>") == "<b>x</b>"
    text = H.fuzz_input(b"\x00" + bytes(range(256)))
    assert isinstance(text, str)
    assert text == H.fuzz_input(b"\x00" + bytes(range(256)))  # deterministic
    assert H.structured(H.ByteSource(b"")) == ""  # exhausted input: zero tokens


def test_byte_source_covers_ranges() -> None:
    src = H.ByteSource(bytes(range(256)) * 4)
    seen = {src.integer(0, 9) for _ in range(200)}
    assert seen == set(range(10))
    assert 0 <= src.integer(0, 1000) <= 1000
    assert src.integer(5, 5) == 5


@pytest.mark.parametrize(
    ("out", "expected"),
    [
        ("<b>x</b>", []),
        ("<script>x</script>", ["element <script> not allowed"]),
        ("<b onclick=x>y</b>", ["event handler", "attribute not allowed"]),
        ('<a href="java&#x09;script:x">y</a>', ["URL scheme 'javascript'"]),
        ('<a href="\x01javascript:x">y</a>', ["URL scheme 'javascript'"]),
        ('<a href="https://x.org/a" rel="nofollow noopener noreferrer">y</a>', []),
        ("<svg><a>x</a></svg>", ["element <{http://www.w3.org/2000/svg}svg> not allowed"]),
        ("<p><table><tr><td>x</td></tr></table>", ["element <table> not allowed"]),
        ("<noscript><p title='</noscript><img src=x onerror=1>'>", ["not allowed"]),
    ],
)
def test_checker_finds_what_it_should(out: str, expected: list[str]) -> None:
    allowed = H.Allowed.of(hg.Policy.preset("basic"))
    found = "\n".join(H.problems(out, allowed))
    if not expected:
        assert found == ""
    for piece in expected:
        assert piece in found, found


def test_checker_knows_the_custom_options() -> None:
    allowed = H.Allowed.of(H.custom_policy())
    assert H.problems('<span class="hl x">a</span><p align="LEFT">b</p>', allowed) == []
    found = "\n".join(
        H.problems(
            '<span class="evil">a</span><b id="x">b</b><p align="center">c</p>'
            '<img loading="eager">',
            allowed,
        )
    )
    for piece in ("class ['evil']", "id without prefix", "tag_attribute_values", "set_tag"):
        assert piece in found, found


def test_checker_finds_mutation() -> None:
    assert H.unstable("<p>a</p><table><tbody><tr><td>x</td></tr></tbody></table>") is None
    # The nested-form mXSS: the second parse builds a different tree.
    mxss = "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>"
    assert H.unstable(mxss) is not None
    assert any(
        "tree changes" in p
        for p in H.problems("<a><table><a>x", H.Allowed.of(hg.Policy.preset("ugc")))
    )
    fragment = H.parse("<table><td>x")
    assert [e.tag for e in H.elements(fragment)] == ["table", "tbody", "tr", "td"]


def test_harness_over_random_inputs() -> None:
    rng = random.Random(20240611)
    failures: list[str] = []
    for i in range(RANDOM_INPUTS):
        if i % 2:
            size = rng.choice((0, 1, 8, 64, 512))
            data = bytes([1]) + bytes(rng.randrange(256) for _ in range(size))
        else:
            data = bytes([0]) + bytes(rng.randrange(256) for _ in range(rng.randrange(300)))
        try:
            H.test_one_input(data)
        except H.CheckFailed as e:  # anything else is a crash and propagates
            failures.append(f"{e} (fuzzer input {data!r})")
    assert not failures, summary(failures)


def test_check_over_random_structured_text() -> None:
    rng = random.Random(7)
    src = H.from_random(rng)
    failures: list[str] = []
    for _ in range(RANDOM_INPUTS // 3):
        text = H.structured(src, max_tokens=25)
        try:
            H.check(text)
        except H.CheckFailed as e:
            failures.append(str(e))
    assert not failures, summary(failures)
