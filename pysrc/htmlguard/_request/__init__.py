"""The request middleware's core, without I/O; ``htmlguard.wsgi`` and ``htmlguard.asgi`` are
adapters that only read, replay and answer around it (docs/middleware.md).

- ``core``: ``RequestCore``, the checked options and every decision (``plan``, ``decide``).
- ``decisions``: what it returns (``ReadBody``, ``Forward``, ``Respond``).
- ``responses``: the JSON answers (413, 400).
- ``adapter``: ``GuardedApp``, the wrapped app and its core, shared by the middleware classes.
- ``bodies``: one body through its reader; ``urlencoded``, ``multipart``, ``json_body``: the
  readers, one per content type.
- ``outcome``: what a reader found (``Outcome``, ``Fault``) and the mode applied per value;
  ``charsets``: form charsets; ``headers``: Content-Type and Content-Length;
  ``selectors``: which policy a field or JSON path gets (``FieldRules``).
"""
