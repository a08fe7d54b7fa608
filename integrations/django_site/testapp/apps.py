from django.apps import AppConfig


class TestAppConfig(AppConfig):
    name = "integrations.django_site.testapp"
    label = "testapp"
