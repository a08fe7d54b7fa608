"""The read path's cache: same text and policy, same output; bounded; never stale."""

from __future__ import annotations

import htmlguard as hg
from htmlguard.django.readcache import ReadCache

UGC = hg.Policy.preset("ugc")
BIO = hg.Policy(tags={"b"})


def counting(policy: hg.Policy) -> tuple[list[str], object]:
    calls: list[str] = []

    def sanitize(text: str) -> str:
        calls.append(text)
        return policy.sanitize(text)

    return calls, sanitize


def test_a_value_read_again_is_not_sanitized_again() -> None:
    cache = ReadCache()
    calls, sanitize = counting(UGC)
    text = "<p onclick=x>a</p><script>b</script>"
    for _ in range(3):
        assert cache.get(UGC, text, sanitize) == "<p>a</p>"  # type: ignore[arg-type]
    assert calls == [text]


def test_the_policy_is_part_of_the_key() -> None:
    cache = ReadCache()
    text = "<b>a</b><p>b</p>"
    assert cache.get(UGC, text, UGC.sanitize) == "<b>a</b><p>b</p>"
    assert cache.get(BIO, text, BIO.sanitize) == "<b>a</b>b"
    assert cache.get(hg.Policy(tags={"b"}), text, BIO.sanitize) == "<b>a</b>b"  # equal policy


def test_bounded_by_characters_least_recent_first_out() -> None:
    cache = ReadCache(max_chars=100, max_value_chars=40)
    texts = [f"<i>{i:02}</i>" for i in range(10)]  # 9 characters in, 2 out: 11 each
    for text in texts:
        cache.get(BIO, text, BIO.sanitize)
    assert len(cache) == 9  # 9 * 11 <= 100 < 10 * 11
    calls, sanitize = counting(BIO)
    cache.get(BIO, texts[-1], sanitize)  # type: ignore[arg-type]
    cache.get(BIO, texts[0], sanitize)  # type: ignore[arg-type]
    assert calls == [texts[0]]


def test_large_values_are_not_kept() -> None:
    cache = ReadCache(max_chars=1000, max_value_chars=40)
    big = "<b>" + "x" * 50 + "</b>"
    assert cache.get(BIO, big, BIO.sanitize) == big
    assert len(cache) == 0


def test_errors_are_not_cached() -> None:
    cache = ReadCache()
    limited = hg.Policy(tags={"b"}, max_input_bytes=5)
    for _ in range(2):
        try:
            cache.get(limited, "<b>too long</b>", limited.sanitize)
        except hg.InputTooLargeError:
            pass
        else:
            raise AssertionError("not raised")
    assert len(cache) == 0
