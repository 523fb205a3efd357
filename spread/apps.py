from django.apps import AppConfig


class SpreadConfig(AppConfig):
    name = "spread"
    verbose_name = "Spread"

    def ready(self) -> None:
        from pdsa.signals import cycle_decided
        from spread.receivers import suggest_on_adopt

        cycle_decided.connect(suggest_on_adopt, dispatch_uid="spread.suggest_on_adopt")
