from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and the `make run` launcher: above every other app, since it fills them all."""

    name = "crm.demo"
    label = "demo"
    verbose_name = "Демо"
