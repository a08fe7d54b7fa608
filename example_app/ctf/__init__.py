"""A small CTF site protected by htmlguard: ``create_app()`` is the Flask application factory.

Challenge descriptions (written by admins), user bios and comments are HTML, each with its
own policy (``policies.py``). htmlguard guards them at every layer a Flask app has:

* the ``HTMLGuard`` extension gives the app its policies from ``HTMLGUARD_POLICIES``, installs
  the ``sanitize`` template filter, and puts the request middleware in front of the JSON API
  (``HTMLGUARD_FIELDS``/``HTMLGUARD_PATHS``): the ``body`` of every JSON call under
  ``/api/`` is cleaned with the "comment" policy before the view reads it;
* the forms use ``SanitizedHTMLField``: the profile and challenge forms clean, the comment
  form rejects (and says why);
* the templates sanitize every stored HTML value again on output (``|sanitize("bio")``...),
  which is what keeps the seeded legacy content, stored unsanitized, safe.

The pages deliberately send no Content-Security-Policy: the sanitizer alone has to stop the
payloads, and the pages' script hook (``window.__hook``, which the seeded payloads call)
records any that gets through at ``/__pwned``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from htmlguard.flask import HTMLGuard

from . import db, policies, views


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The site; `config` overrides the defaults (e.g. ``{"DATABASE": "/tmp/ctf.db"}``).

    The database is created and seeded when its file does not exist yet.
    """
    # example_app/instance/ (Flask's default would be next to the example_app folder).
    app = Flask(__name__, instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    app.config.update(
        DATABASE=str(Path(app.instance_path) / "ctf.sqlite3"),
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        MAX_CONTENT_LENGTH=256 * 1024,
        # htmlguard: one policy per kind of content, the JSON API behind the middleware.
        HTMLGUARD_POLICIES=policies.POLICIES,
        HTMLGUARD_FIELDS={"body": "comment"},
        HTMLGUARD_PATHS=["/api/*"],
        HTMLGUARD_MODE="clean",
        HTMLGUARD_ON_FAULT="reject",  # a JSON body the middleware cannot read gets 400
    )
    if config:
        app.config.update(config)
    db.init(app.config["DATABASE"])
    if not app.config.get("SECRET_KEY"):
        # Random, made with the database: sessions survive restarts, not a new database.
        app.config["SECRET_KEY"] = db.setting(app.config["DATABASE"], "secret_key")

    HTMLGuard(app)
    app.register_blueprint(views.bp)
    app.teardown_appcontext(db.close)
    return app
