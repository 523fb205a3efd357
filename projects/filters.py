"""Query-string filters for aims, projects and measures, applied by the selectors.

They live with the selectors rather than the views so that the API and the pages filter
the same way (``backend.filters.apply_filters``); a bad value is a 400 naming the
parameter.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.filters import IdFilter, UserFilterSet
from backend.models import Unit
from backend.selectors import unit_descendant_ids
from projects.models import (
    ChangeIdea,
    ChartType,
    ImprovementDirection,
    Measure,
    Project,
    ProjectMember,
    QualityDimension,
    StrategicAim,
)
from projects.spc import ASSURANCE_ICONS, ICONS

# Real zones lie within 14 hours of UTC; PostgreSQL refuses offsets past 15:59, and an
# offset like -17:01 would otherwise reach it (a 500) instead of being refused here.
MAX_UTC_OFFSET = timedelta(hours=14)


class UTCDateTimeField(IsoDateTimeField):
    """An ISO 8601 date and time with a real UTC offset, read as UTC."""

    def to_python(self, value: Any) -> datetime | None:
        value = super().to_python(value)
        if value is None:
            return None
        offset = value.utcoffset() or timedelta(0)
        if abs(offset) > MAX_UTC_OFFSET:
            raise ValidationError("Give a time zone within 14 hours of UTC.", code="invalid")
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValidationError("Give a date between the years 1 and 9999.") from None


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


def aim_descendant_ids(*, aim_id: int) -> list[int]:
    """The ids of an aim and every aim cascaded beneath it, one query per level."""
    found = [aim_id]
    frontier = [aim_id]
    while frontier:
        frontier = list(
            StrategicAim.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
        )
        found.extend(frontier)
    return found


def _quality_dimension(queryset: QuerySet, path: str, value: str) -> QuerySet:
    # The dimensions are a JSON list of strings, so '"safe"' appears literally; JSON
    # containment lookups are not available on SQLite.
    return queryset.filter(**{f"{path}__icontains": f'"{value}"'})


class ProjectFilter(UserFilterSet):
    unit = IdFilter(field_name="unit_id", help_text="Projects of this unit.")
    within_unit = IdFilter(
        method="filter_within_unit", help_text="Projects of this unit and every unit beneath it."
    )
    unit_kind = django_filters.ChoiceFilter(field_name="unit__kind", choices=Unit.Kind.choices)
    aim = IdFilter(field_name="aims", help_text="Projects linked to this aim.")
    within_aim = IdFilter(
        method="filter_within_aim", help_text="Linked to this aim or any aim cascaded from it."
    )
    status = django_filters.MultipleChoiceFilter(choices=Project.Status.choices)
    coach = IdFilter(method="filter_coach", help_text="User id of a coach on the project's team.")
    member = IdFilter(method="filter_member", help_text="User id of anyone on the project's team.")
    mine = django_filters.BooleanFilter(
        method="filter_mine", help_text="Only projects whose team you are on."
    )
    quality_dimension = django_filters.ChoiceFilter(
        method="filter_quality_dimension", choices=QualityDimension.choices
    )
    q = django_filters.CharFilter(
        method="filter_text", help_text="Words in the title, aim statement or problem."
    )
    updated_since = UTCDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    ordering = django_filters.OrderingFilter(
        fields=["title", "updated_at", "created_at", "status", "last_activity_at"]
    )

    class Meta:
        model = Project
        fields: list[str] = []

    @extend_schema_field(serializers.IntegerField)
    def filter_within_unit(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        # Descendants of another organisation's unit are that organisation's units, which
        # the scoped queryset already excludes: nothing leaks.
        return queryset.filter(unit_id__in=unit_descendant_ids(unit=Unit(pk=value)))

    @extend_schema_field(serializers.IntegerField)
    def filter_within_aim(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(aims__in=aim_descendant_ids(aim_id=value)).distinct()

    @extend_schema_field(serializers.IntegerField)
    def filter_coach(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        coaching = ProjectMember.objects.filter(role=ProjectMember.Role.COACH, user_id=value)
        return queryset.filter(pk__in=coaching.values("project_id"))

    @extend_schema_field(serializers.IntegerField)
    def filter_member(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(pk__in=ProjectMember.objects.filter(user_id=value).values("project"))

    @extend_schema_field(serializers.BooleanField)
    def filter_mine(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        on_team = ProjectMember.objects.filter(user_id=self.user.pk).values("project_id")
        return queryset.filter(pk__in=on_team) if value else queryset.exclude(pk__in=on_team)

    def filter_quality_dimension(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _quality_dimension(queryset, "aims__quality_dimensions", value).distinct()

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        text = Q()
        for field in ("title", "aim_statement", "aim_what", "problem"):
            text |= Q(**{f"{field}__icontains": value})
        return queryset.filter(text)


class AimFilter(UserFilterSet):
    parent = IdFilter(field_name="parent_id")
    root = django_filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", help_text="Only the top of each cascade."
    )
    within_aim = IdFilter(
        method="filter_within_aim", help_text="This aim and every aim cascaded beneath it."
    )
    unit = IdFilter(field_name="unit_id")
    owner = IdFilter(field_name="owner_id")
    is_active = django_filters.BooleanFilter()
    quality_dimension = django_filters.ChoiceFilter(
        method="filter_quality_dimension", choices=QualityDimension.choices
    )
    q = django_filters.CharFilter(method="filter_text")

    class Meta:
        model = StrategicAim
        fields = ["organisation"]

    @extend_schema_field(serializers.IntegerField)
    def filter_within_aim(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(pk__in=aim_descendant_ids(aim_id=value))

    def filter_quality_dimension(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _quality_dimension(queryset, "quality_dimensions", value)

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(title__icontains=value) | Q(statement__icontains=value))


class MeasureFilter(UserFilterSet):
    project = IdFilter(field_name="project_id")
    aim = IdFilter(field_name="aim_id")
    definition = IdFilter(field_name="definition_id")
    type = django_filters.MultipleChoiceFilter(choices=Measure.Type.choices)
    chart_type = django_filters.ChoiceFilter(choices=ChartType.choices)
    unit = IdFilter(field_name="project__unit_id")
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Measure
        fields = ["organisation"]


class ChangeIdeaFilter(UserFilterSet):
    project = IdFilter(field_name="project_id")
    driver = IdFilter(field_name="drivers")
    status = django_filters.MultipleChoiceFilter(choices=ChangeIdea.Status.choices)
    q = django_filters.CharFilter(method="filter_text")

    class Meta:
        model = ChangeIdea
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(learning__icontains=value)
        )


def _projects_of_aims(aim_ids: Iterable[int] | QuerySet) -> QuerySet:
    """A subquery of the ids of projects linked to any of the aims (no duplicate rows)."""
    links = Project.aims.through.objects.filter(strategicaim_id__in=aim_ids)
    return links.values("project_id")


class MeasureSummaryFilter(UserFilterSet):
    """Filters of the measure summary table. A measure belongs to an aim or to a project;
    filtering by aim takes the aim's own measures and those of the projects linked to it,
    and by unit the measures of projects there and of aims owned there."""

    organisation = IdFilter(field_name="organisation_id")
    project = IdFilter(field_name="project_id")
    aim = IdFilter(
        method="filter_aim", help_text="The aim's own measures and its projects' measures."
    )
    within_aim = IdFilter(
        method="filter_within_aim",
        help_text="As aim, for the aim and every aim cascaded beneath it.",
    )
    unit = IdFilter(
        method="filter_unit", help_text="Measures of projects in this unit or aims owned there."
    )
    within_unit = IdFilter(
        method="filter_within_unit", help_text="As unit, for the unit and every unit beneath it."
    )
    quality_dimension = django_filters.ChoiceFilter(
        method="filter_quality_dimension",
        choices=QualityDimension.choices,
        help_text="In the measure's library definition, its aim or its project's aims.",
    )
    type = django_filters.MultipleChoiceFilter(choices=Measure.Type.choices)
    chart_type = django_filters.MultipleChoiceFilter(choices=ChartType.choices)
    improvement_direction = django_filters.ChoiceFilter(choices=ImprovementDirection.choices)
    project_status = django_filters.MultipleChoiceFilter(
        field_name="project__status", choices=Project.Status.choices
    )
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    # Read from the measures' stored readings, current ones only (misses are renewed).
    variation_icon = django_filters.MultipleChoiceFilter(
        method="filter_icon",
        choices=[*((icon, icon) for icon in ICONS), ("none", "none")],
        help_text="The latest point's variation icon; none: no chart yet.",
    )
    assurance_icon = django_filters.MultipleChoiceFilter(
        method="filter_icon",
        choices=[*((icon, icon) for icon in ASSURANCE_ICONS), ("none", "none")],
        help_text="The assurance icon; none: no target, or no chart yet.",
    )

    class Meta:
        model = Measure
        fields: list[str] = []

    def filter_icon(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        # Readings live in projects.selectors, which imports these filters: import here.
        from projects.selectors.readings import reading_current, readings_renew_missing

        readings_renew_missing(queryset)
        wanted = Q(**{f"reading__{name}__in": [icon for icon in value if icon != "none"]})
        if "none" in value:  # no chart yet (or no target): stored as an empty icon
            wanted |= Q(**{f"reading__{name}": ""})
        return queryset.filter(reading_current()).filter(wanted)

    def _of_aims(self, queryset: QuerySet, aim_ids: list[int]) -> QuerySet:
        return queryset.filter(Q(aim_id__in=aim_ids) | Q(project_id__in=_projects_of_aims(aim_ids)))

    def _of_units(self, queryset: QuerySet, unit_ids: list[int]) -> QuerySet:
        return queryset.filter(Q(project__unit_id__in=unit_ids) | Q(aim__unit_id__in=unit_ids))

    @extend_schema_field(serializers.IntegerField)
    def filter_aim(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return self._of_aims(queryset, [value])

    @extend_schema_field(serializers.IntegerField)
    def filter_within_aim(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return self._of_aims(queryset, aim_descendant_ids(aim_id=value))

    @extend_schema_field(serializers.IntegerField)
    def filter_unit(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return self._of_units(queryset, [value])

    @extend_schema_field(serializers.IntegerField)
    def filter_within_unit(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        # Another organisation's units only lead to its measures, which the scoped
        # queryset already excludes.
        return self._of_units(queryset, unit_descendant_ids(unit=Unit(pk=value)))

    def filter_quality_dimension(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The dimensions are JSON lists of strings: see _quality_dimension.
        listed = f'"{value}"'
        aims = StrategicAim.objects.filter(quality_dimensions__icontains=listed).values("id")
        return queryset.filter(
            Q(definition__quality_dimensions__icontains=listed)
            | Q(aim__quality_dimensions__icontains=listed)
            | Q(project_id__in=_projects_of_aims(aims))
        )
