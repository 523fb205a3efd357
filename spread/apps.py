from django.apps import AppConfig


class SpreadConfig(AppConfig):
    name = "spread"
    verbose_name = "Spread"
