from django.apps import AppConfig


class PdsaConfig(AppConfig):
    name = "pdsa"
    verbose_name = "PDSA cycles"

    def ready(self) -> None:
        from pdsa import receivers
        from projects.signals import measure_data_changed, project_record_changed

        measure_data_changed.connect(
            receivers.refresh_after_measure_data_changed, dispatch_uid="pdsa-progress-data"
        )
        project_record_changed.connect(
            receivers.refresh_after_project_record_changed, dispatch_uid="pdsa-progress-record"
        )
