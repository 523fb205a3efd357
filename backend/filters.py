"""Query-string filters: the plumbing every app's ``filters.py`` builds on, and the
filters of units.

Each app keeps its FilterSets in its own ``filters.py`` (not in ``api.py``), so its pages
filter exactly as its API does.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.models import Unit, User


class UserFilterSet(django_filters.FilterSet):
    """A filter set that knows who is asking (for "mine"): from the API's request, or
    given as ``user`` by a selector."""

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet | None = None,
        *,
        request: Any = None,
        user: User | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, queryset=queryset, request=request, **kwargs)
        self.user = user or getattr(request, "user", None)


def apply_filters(filterset: django_filters.FilterSet) -> QuerySet:
    """The filtered queryset, or a 400 naming each parameter that is not understood."""
    if not filterset.is_valid():
        raise ValidationError(
            {name: [" ".join(messages)] for name, messages in filterset.errors.items()}
        )
    return filterset.qs


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    tag = django_filters.CharFilter(method="filter_tag")

    class Meta:
        model = Unit
        fields = ["organisation", "parent", "level", "kind", "specialty", "is_active"]

    @extend_schema_field(serializers.CharField)
    def filter_tag(self, queryset, name: str, value: str):
        # JSON containment is not portable to SQLite, so match the tag in Python-free SQL:
        # tags are stored as a JSON list of strings, so '"tag"' appears literally.
        return queryset.filter(tags__icontains=f'"{value}"')
