"""Settings of the test project (``DJANGO_SETTINGS_MODULE=integrations.django_site.settings``).

Databases: ``default`` is SQLite; ``postgres`` is a real PostgreSQL server that the tests
start themselves (tests/django/conftest.py fills in its host and port from
``tests/pg_server.py``; ``HTMLGUARD_PG_*`` environment variables do the same for a server
started by hand).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = "htmlguard-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "htmlguard.django",
    "integrations.django_site.testapp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "htmlguard.django.middleware.HTMLGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "integrations.django_site.urls"
WSGI_APPLICATION = "integrations.django_site.wsgi.application"
ASGI_APPLICATION = "integrations.django_site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("HTMLGUARD_DJANGO_SQLITE", str(BASE_DIR / "db.sqlite3")),
    },
    "postgres": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("HTMLGUARD_PG_DBNAME", "htmlguard"),
        "USER": os.environ.get("HTMLGUARD_PG_USER", "postgres"),
        "PASSWORD": os.environ.get("HTMLGUARD_PG_PASSWORD", ""),
        "HOST": os.environ.get("HTMLGUARD_PG_HOST", "127.0.0.1"),
        "PORT": os.environ.get("HTMLGUARD_PG_PORT", "5432"),
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
STATIC_URL = "/static/"

# htmlguard: the test project's own policies, and the middleware on /mw/ only.
HTMLGUARD_POLICIES = {
    "bio": {"tags": ["b", "i", "em", "strong"]},
    "comment": {
        "tags": ["p", "a", "em"],
        "tag_attributes": {"a": ["href"]},
        "url_schemes": ["https"],
        "link_rel": "nofollow",
    },
}
HTMLGUARD_FIELDS = {"body": "ugc", "bio": "bio", "post.body": "ugc", "comments.*.text": "comment"}
HTMLGUARD_PATHS = ["/mw/*"]
