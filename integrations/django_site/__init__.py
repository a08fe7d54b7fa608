"""A Django project for the tests of ``htmlguard.django`` (not shipped): settings, the
``testapp`` models, the admin and the middleware's echo views. See integrations/README.md."""
