from django.apps import AppConfig


class BackendConfig(AppConfig):
    name = "backend"
    verbose_name = "Accounts and organisations"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from backend import kept_pages
        from backend.models import Membership
        from backend.navigation import NavEntry, register

        # Every statement passes through kept_pages.watch, so a committed write makes
        # the pages kept from its tables stale; a migration may change anything.
        connection_created.connect(kept_pages.watch_connection)
        post_migrate.connect(
            lambda **kwargs: kept_pages.forget_all(), weak=False, dispatch_uid="kept_pages"
        )

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
