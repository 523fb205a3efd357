from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Aims, projects and measures"

    def ready(self) -> None:
        from backend.models import Membership
        from backend.navigation import NavEntry, register

        Role = Membership.Role
        register(
            NavEntry(
                label="My projects",
                url_name="my-projects",
                order=10,
                home_for=frozenset({Role.FRONTLINE, Role.LIVED_EXPERIENCE_PARTNER}),
                sections=("/projects/", "/data/"),
            )
        )
