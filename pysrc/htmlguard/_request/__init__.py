"""The request middleware's core, without I/O.

``core.RequestCore`` decides from a request's method, path and headers whether its body is
read, and from the body what happens next (``decisions``: forward a body, or answer). The
WSGI and ASGI middleware (``htmlguard.wsgi``, ``htmlguard.asgi``) only do the I/O around it.
One module per body reader (``urlencoded``, ``multipart``, ``json_body``), dispatched by
``bodies``; ``selectors`` says which fields they look at. See docs/middleware.md.
"""
