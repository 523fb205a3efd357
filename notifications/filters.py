"""Query-string filters for notifications, shared by the API and the pages."""

from __future__ import annotations

import django_filters

from notifications.models import Kind, Notification


class NotificationFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices)
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")
    # A plain number: a choice field would check the id against every organisation's
    # projects and so say which ids exist.
    project = django_filters.NumberFilter(field_name="project_id")

    class Meta:
        model = Notification
        fields = ["kind", "unread", "project"]
