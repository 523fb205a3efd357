from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "Self-assessment"

    def ready(self) -> None:
        from backend.models import LEADERSHIP_ROLES, Membership
        from backend.navigation import NavEntry, register

        # Everyone in the organisation may read it; the header offers it to those who
        # steer the work.
        register(
            NavEntry(
                label="Self-assessment",
                url_name="assessment-list",
                order=70,
                roles=LEADERSHIP_ROLES | {Membership.Role.COACH},
                sections=("/assessment/",),
            )
        )
