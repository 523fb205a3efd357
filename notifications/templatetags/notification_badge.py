"""The unread count in the page header, from the same selector as the API's badge."""

from __future__ import annotations

from django import template

from notifications.selectors import notification_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    """How many unread notifications the signed-in user has (0 when signed out)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return notification_unread_count(user=user)
