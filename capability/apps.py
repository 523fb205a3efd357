from django.apps import AppConfig


class CapabilityConfig(AppConfig):
    name = "capability"
    verbose_name = "Improvement capability"

    def ready(self) -> None:
        from backend.models import Membership
        from backend.navigation import NavEntry, register
        from capability.selectors import PYRAMID_READER_ROLES, pending_count

        Role = Membership.Role
        register(
            NavEntry(
                label="Capability",
                url_name="capability-page",
                order=60,
                roles=PYRAMID_READER_ROLES,
                # Records waiting for the QI team's approval.
                badge=lambda user: pending_count(user=user),
                sections=("/capability/",),
            ),
            NavEntry(
                label="My part in projects",
                url_name="my-involvement",
                order=20,
                roles=frozenset({Role.LIVED_EXPERIENCE_PARTNER}),
                sections=("/capability/partners/",),
            ),
            NavEntry(label="My training", url_name="my-training", order=80, account=True),
        )
