"""htmlguard's examples: ``python -m example_app`` (the Flask CTF site, package ``ctf``),
``python -m example_app.forum`` (the Django forum, package ``forum``) and
``python example_app/tour.py`` (a short command-line tour of the API)."""
