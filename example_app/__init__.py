"""htmlguard's examples: ``python -m example_app`` (the CTF site, package ``ctf``) and
``python example_app/tour.py`` (a short command-line tour of the API)."""
