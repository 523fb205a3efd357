from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Nudges and celebrations"

    def ready(self) -> None:
        from backend.navigation import NavEntry, register
        from notifications import receivers  # noqa: F401  (connects the signal receivers)
        from notifications.selectors import notification_unread_count

        register(
            NavEntry(
                label="Notifications",
                url_name="notification-list",
                order=90,
                account=True,
                badge=lambda user: notification_unread_count(user=user),
            )
        )
