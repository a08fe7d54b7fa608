"""A small Django forum protected by htmlguard: ``python -m example_app.forum``.

One package is both the Django project (``settings``, ``urls``, ``wsgi``) and its only app
(label ``forum``): topics and posts whose bodies are HTML, user bios, the admin, a JSON API
and a seed of hostile content. htmlguard guards it at every layer Django has:

* ``models.py``: ``Post.body`` is a ``SanitizedTextField(policy="post")`` and
  ``Profile.bio`` a ``SanitizedCharField(policy="bio")``: every write stores sanitized HTML
  and every read sanitizes again, so rows written around the ORM (the seed's raw SQL) come
  back clean and marked safe;
* the ModelForms and the admin get ``SanitizedHTMLField`` for those fields: their textareas
  show the stored HTML as text, and saving it unchanged changes nothing;
* ``HTMLGuardMiddleware`` (right after ``SecurityMiddleware``) cleans ``post.body`` in the
  JSON bodies under ``/api/`` before any view reads them (``HTMLGUARD_FIELDS``);
* ``{% load htmlguard %}`` and ``{{ post.body|sanitize:"excerpt" }}`` render the front
  page's excerpts with a stricter policy.

The pages send no Content-Security-Policy on purpose: htmlguard alone has to stop the
payloads, and the pages' script hook (``static/forum/hook.js``, which every seeded payload
calls) records any that gets through at ``/__pwned``.
"""
