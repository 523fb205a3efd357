from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Aims, projects and measures"

    def ready(self) -> None:
        from backend.models import Membership
        from backend.navigation import NavEntry, register

        Role = Membership.Role
        readers = frozenset({Role.LEADER, Role.QI_TEAM, Role.ADMIN})
        register(
            NavEntry(
                label="My projects",
                url_name="my-projects",
                order=10,
                home_for=frozenset({Role.FRONTLINE, Role.LIVED_EXPERIENCE_PARTNER}),
                sections=("/projects/", "/data/"),
            ),
            NavEntry(
                label="Board",
                url_name="board-page",
                order=25,
                roles=readers,
                home_for=frozenset({Role.LEADER}),
            ),
            NavEntry(
                label="Portfolio",
                url_name="portfolio-page",
                order=30,
                roles=readers,
                home_for=frozenset({Role.QI_TEAM}),
                sections=("/portfolio/aims/",),
            ),
            # Every member may read it; the header offers it to those who steer the work.
            NavEntry(
                label="Measures",
                url_name="measure-summary-page",
                order=35,
                roles=readers | {Role.COACH},
                sections=("/portfolio/measures/", "/measures/"),
            ),
        )
