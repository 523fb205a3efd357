from django.apps import AppConfig


class PdsaConfig(AppConfig):
    name = "pdsa"
    verbose_name = "PDSA cycles"
