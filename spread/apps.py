from django.apps import AppConfig


class SpreadConfig(AppConfig):
    name = "spread"
    verbose_name = "Spread"

    def ready(self) -> None:
        from backend.models import LEADERSHIP_ROLES, Membership
        from backend.navigation import NavEntry, register
        from pdsa.signals import cycle_decided
        from projects.signals import measure_data_changed
        from projects.tried_before import register_learning_source
        from spread import receivers, tried_before

        cycle_decided.connect(receivers.suggest_on_adopt, dispatch_uid="spread.suggest_on_adopt")
        measure_data_changed.connect(
            receivers.suggest_after_data_changed, dispatch_uid="spread.suggest_after_data"
        )
        register_learning_source("spread.learning", tried_before.tried_changes)
        Role = Membership.Role
        register(
            NavEntry(
                label="Our ward",
                url_name="unit-mine",
                order=15,
                roles=frozenset({Role.FRONTLINE, Role.COACH, Role.LIVED_EXPERIENCE_PARTNER}),
                sections=("/units/",),
            ),
            NavEntry(
                label="Spread",
                url_name="spread-queue",
                order=40,
                roles=LEADERSHIP_ROLES,
                sections=("/spread/",),
            ),
            NavEntry(label="Learning", url_name="learning", order=45, sections=("/learning/",)),
        )
