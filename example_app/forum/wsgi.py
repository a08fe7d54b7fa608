"""The forum's WSGI application, for any WSGI server (``__main__`` serves it itself)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_app.forum.settings")

application = get_wsgi_application()
