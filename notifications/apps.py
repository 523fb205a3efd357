from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Nudges and celebrations"

    def ready(self) -> None:
        from backend.models import ADMIN_ROLES, Membership
        from backend.navigation import NavEntry, register
        from notifications import receivers  # noqa: F401  (connects the signal receivers)
        from notifications.selectors import notification_unread_count

        Role = Membership.Role
        register(
            NavEntry(
                label="Caseload",
                url_name="caseload-page",
                order=20,
                roles=frozenset({Role.COACH, Role.QI_TEAM, Role.ADMIN}),
                home_for=frozenset({Role.COACH}),
                sections=("/caseload/",),
            ),
            NavEntry(
                label="Notifications",
                url_name="notification-list",
                order=90,
                account=True,
                badge=lambda user: notification_unread_count(user=user),
            ),
            NavEntry(label="Wins", url_name="wins", order=50, sections=("/wins/",)),
            NavEntry(
                label="Nudge settings",
                url_name="nudge-settings",
                order=80,
                roles=ADMIN_ROLES,
                account=True,
                sections=("/settings/nudges/",),
            ),
        )
