"""Query-string filters of capability's lists; the API and the pages filter alike."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet

from backend.filters import UserFilterSet
from backend.models import Organisation, User
from capability import levels
from capability.levels import Level
from capability.models import Person, TrainingRecord
from capability.tree import UnitTree
from projects.lifecycle import OPEN
from projects.models import ProjectMember


class Experience:
    LED = "led"
    CYCLES = "cycles"
    COACHING = "coaching"
    CHOICES = (
        (LED, "Has led a project"),
        (CYCLES, "Has run PDSA cycles"),
        (COACHING, "Coaches projects now"),
    )

    @classmethod
    def done(cls, kind: str) -> QuerySet:
        """What a person (by ``user_id``) must have done to have this experience."""
        if kind == cls.CYCLES:
            return User.objects.filter(pk=OuterRef("user_id"), owned_cycles__isnull=False)
        places = ProjectMember.objects.filter(user_id=OuterRef("user_id"))
        if kind == cls.LED:
            return places.filter(role=ProjectMember.Role.LEAD)
        return places.filter(role=ProjectMember.Role.COACH, project__status__in=OPEN)


def _name_or_email(queryset: QuerySet, value: str, prefix: str = "") -> QuerySet:
    return queryset.filter(
        Q(**{f"{prefix}full_name__icontains": value}) | Q(**{f"{prefix}email__icontains": value})
    )


class PersonFilter(UserFilterSet):
    q = django_filters.CharFilter(method="filter_q", help_text="Part of a name or e-mail.")
    level = django_filters.ChoiceFilter(choices=Level.choices)
    unit = django_filters.NumberFilter(field_name="unit_id")
    organisation = django_filters.NumberFilter(field_name="organisation_id")

    class Meta:
        model = Person
        fields = ["q", "level", "unit", "organisation", "listed"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _name_or_email(queryset, value)


class RecordFilter(UserFilterSet):
    status = django_filters.ChoiceFilter(choices=TrainingRecord.Status.choices)
    source = django_filters.ChoiceFilter(choices=TrainingRecord.Source.choices)
    level = django_filters.ChoiceFilter(field_name="course__level", choices=Level.choices)
    person = django_filters.NumberFilter(field_name="person_id")
    course = django_filters.NumberFilter(field_name="course_id")
    organisation = django_filters.NumberFilter(field_name="person__organisation_id")
    q = django_filters.CharFilter(method="filter_q", help_text="Part of a person's name or e-mail.")
    completed_after = django_filters.DateFilter(field_name="completed_on", lookup_expr="gte")
    completed_before = django_filters.DateFilter(field_name="completed_on", lookup_expr="lte")

    class Meta:
        model = TrainingRecord
        fields = ["status", "source", "level", "person", "course", "organisation"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _name_or_email(queryset, value, "person__")


class DirectoryFilter(UserFilterSet):
    """Find people by level (at least), place (a unit and everything beneath it),
    experience and name."""

    level = django_filters.ChoiceFilter(
        choices=Level.choices, method="filter_level", help_text="Trained to at least this level."
    )
    unit = django_filters.NumberFilter(
        method="filter_unit",
        help_text="A unit, directorate or division: everyone in or beneath it.",
    )
    experience = django_filters.ChoiceFilter(choices=Experience.CHOICES, method="filter_experience")
    q = django_filters.CharFilter(method="filter_q", help_text="Part of a name.")

    class Meta:
        model = Person
        fields = ["level", "unit", "experience", "q"]

    def __init__(self, *args: Any, organisation: Organisation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def filter_level(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(level__in=levels.at_least(value))

    def filter_unit(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        tree = UnitTree(self.organisation) if self.organisation else None
        if tree is None or int(value) not in tree.places:
            return queryset.none()
        return queryset.filter(unit_id__in=tree.beneath(int(value)))

    def filter_experience(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Exists(Experience.done(value)))

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _name_or_email(queryset, value)
