from django.apps import AppConfig


class PdsaConfig(AppConfig):
    name = "pdsa"
    verbose_name = "PDSA cycles"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from pdsa import receivers
        from projects.models import ChangeIdea, Measure, Project, ProjectMember
        from projects.signals import measure_data_changed

        measure_data_changed.connect(
            receivers.refresh_after_measure_data_changed, dispatch_uid="pdsa-progress-data"
        )
        post_save.connect(
            receivers.refresh_after_project_saved, sender=Project, dispatch_uid="pdsa-progress"
        )
        for model in (ProjectMember, Measure, ChangeIdea):
            for signal, when in ((post_save, "save"), (post_delete, "delete")):
                signal.connect(
                    receivers.refresh_after_project_part_changed,
                    sender=model,
                    dispatch_uid=f"pdsa-progress-{model.__name__}-{when}",
                )
