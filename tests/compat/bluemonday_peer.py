"""The real pybluemonday, in a process of its own (a Go runtime fault aborts the whole
interpreter, and pybluemonday faults on concurrent use and on ``Matching``).

``python bluemonday_peer.py`` reads JSON lines ``{"recipe": [...], "html": str}`` on stdin
and answers each with ``{"out": str}`` (or ``{"error": str}``) on stdout. A recipe is a
list of builder calls, ``[method, args]`` or ``[method, args, then, then_args]`` for
``AllowAttrs(*args).then(*then_args)``, applied to the policy its first entry names
(``["UGCPolicy", []]``). pybluemonday passes only the first argument of a plain method
to Go, so each argument is given in a call of its own. An argument
``{"SandboxValue": NAME}`` stands for that member of ``SandboxValue``. Not a test module.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pybluemonday


def arg(a: Any) -> Any:
    return pybluemonday.SandboxValue[a["SandboxValue"]] if isinstance(a, dict) else a


def build(recipe: list[list[Any]]) -> Any:
    (kind, _), *calls = recipe
    policy = getattr(pybluemonday, kind)()
    for call in calls:
        method, args = call[0], [arg(a) for a in call[1]]
        if len(call) == 4:
            getattr(getattr(policy, method)(*args), call[2])(*call[3])
        elif not args:
            getattr(policy, method)()
        else:
            for a in args:
                getattr(policy, method)(a)
    return policy


def main() -> None:
    policies: dict[str, Any] = {}
    for line in sys.stdin:
        request = json.loads(line)
        key = json.dumps(request["recipe"])
        try:
            if key not in policies:
                policies[key] = build(request["recipe"])
            answer = {"out": policies[key].sanitize(request["html"])}
        except Exception as e:  # reported to the test, which fails on it
            answer = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
