"""Settings of the example forum (``DJANGO_SETTINGS_MODULE=example_app.forum.settings``).

``python -m example_app.forum`` sets the two environment variables read here:
``HTMLGUARD_FORUM_DB`` (the SQLite file) and ``HTMLGUARD_FORUM_SECRET_KEY`` (kept in a file
beside the database, so sessions survive a restart). The site runs with ``DEBUG = False``,
as it would in production: error pages show no code, and the admin's static files are
served by ``__main__``'s ``StaticFilesHandler``.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.utils import get_random_secret_key

from .policies import POLICIES

PACKAGE_DIR = Path(__file__).resolve().parent
#: example_app/instance/ (ignored by git), shared with the Flask example's database.
INSTANCE_DIR = PACKAGE_DIR.parent / "instance"

SECRET_KEY = os.environ.get("HTMLGUARD_FORUM_SECRET_KEY") or get_random_secret_key()
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    # First, so its templates/admin/base_site.html (the script hook) overrides the admin's.
    "example_app.forum",
    "htmlguard.django",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything that reads the request body (CSRF reads request.POST): it must see
    # the body first to clean it.
    "htmlguard.django.middleware.HTMLGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "example_app.forum.urls"
WSGI_APPLICATION = "example_app.forum.wsgi.application"

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
                "example_app.forum.views.hook_status",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("HTMLGUARD_FORUM_DB") or str(INSTANCE_DIR / "forum.sqlite3"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# htmlguard: the forum's own policies (policies.py), and the request middleware on the
# JSON API: the "body" of each {"post": {...}} sent under /api/ is cleaned with "post"
# before the view reads it. A JSON body the middleware cannot read is refused (400) rather
# than passed on unread.
HTMLGUARD_POLICIES = POLICIES
HTMLGUARD_DEFAULT_POLICY = "post"
HTMLGUARD_FIELDS = {"post.body": "post"}
HTMLGUARD_PATHS = ["/api/*"]
HTMLGUARD_MODE = "clean"
HTMLGUARD_ON_FAULT = "reject"
