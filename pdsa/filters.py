"""Query-string filters for cycles, shared by the API and the pages."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pdsa import selectors
from pdsa.models import Cycle


class CycleFilter(django_filters.FilterSet):
    # Plain ids, not model choices: an id the user may not see filters to nothing, exactly
    # like an id that does not exist.
    project = django_filters.NumberFilter(field_name="project_id")
    change_idea = django_filters.NumberFilter(field_name="change_idea_id")
    owner = django_filters.NumberFilter(field_name="owner_id")
    parent = django_filters.NumberFilter(field_name="parent_id")
    unit = django_filters.NumberFilter(field_name="project__unit_id")
    stage = django_filters.MultipleChoiceFilter(choices=Cycle.Stage.choices)
    decision = django_filters.ChoiceFilter(choices=Cycle.Decision.choices)
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label="Still in Do after the planned end."
    )
    q = django_filters.CharFilter(
        method="filter_text", label="Words in the title, objective, observations or learning."
    )

    class Meta:
        model = Cycle
        fields = ["purpose"]

    @extend_schema_field(serializers.BooleanField)
    def filter_overdue(self, queryset, name: str, value: bool):
        overdue = selectors.overdue_q()
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    @extend_schema_field(serializers.CharField)
    def filter_text(self, queryset, name: str, value: str):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(objective__icontains=value)
            | Q(observations__icontains=value)
            | Q(learning__icontains=value)
        )
