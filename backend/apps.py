from django.apps import AppConfig


class BackendConfig(AppConfig):
    name = "backend"
    verbose_name = "Accounts and organisations"

    def ready(self) -> None:
        from backend.models import Membership
        from backend.navigation import NavEntry, register

        admin = frozenset({Membership.Role.ADMIN})
        register(
            NavEntry(
                label="Members",
                url_name="organisation-members",
                order=80,
                roles=admin,
                home_for=admin,
                sections=("/organisation/",),
            ),
            NavEntry(label="Your account", url_name="profile", order=95, account=True),
        )
