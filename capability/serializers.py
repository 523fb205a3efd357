"""Input and output shapes for capability."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from backend.selectors import organisation_list, unit_list
from backend.serializers import CreateOnlyFieldsMixin, ScopedPrimaryKeyRelatedField
from backend.validators import SafeTextMixin
from capability import levels, selectors
from capability.levels import Level
from capability.models import Course, DosingRatios, Engagement, Headcount, Person, TrainingRecord
from projects.selectors import project_list


class CourseSerializer(SafeTextMixin, CreateOnlyFieldsMixin, serializers.ModelSerializer):
    organisation = ScopedPrimaryKeyRelatedField(organisation_list)

    class Meta:
        model = Course
        fields = [
            "id",
            "organisation",
            "name",
            "provider",
            "level",
            "description",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        create_only_fields = ["organisation"]
        validators: list = []  # the service names a clashing name


LEVEL_OR_NONE = [("", "None yet"), *Level.choices]


class PlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PersonRecordSerializer(SafeTextMixin, CreateOnlyFieldsMixin, serializers.ModelSerializer):
    """A person's training record: who, where, the level in force and where it comes from.
    ``level`` is read-only: it follows the approved records, or the QI team sets it with
    ``POST .../level/`` (a reason is kept in the history)."""

    organisation = ScopedPrimaryKeyRelatedField(organisation_list)
    unit = ScopedPrimaryKeyRelatedField(unit_list, allow_null=True, required=False)
    unit_name = serializers.CharField(
        source="unit.name", read_only=True, default=None, allow_null=True
    )
    # Empty until a record or the QI team gives one: said so in the schema.
    level = serializers.ChoiceField(choices=LEVEL_OR_NONE, read_only=True)
    records_level = serializers.ChoiceField(choices=LEVEL_OR_NONE, read_only=True)
    set_level = serializers.ChoiceField(choices=LEVEL_OR_NONE, read_only=True)
    level_label = serializers.SerializerMethodField()
    # A related field's null stays null; ``source="set_by.__str__"`` drew None's method.
    set_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "organisation",
            "email",
            "full_name",
            "unit",
            "unit_name",
            "user",
            "level",
            "level_label",
            "records_level",
            "set_level",
            "set_reason",
            "set_by",
            "set_at",
            "listed",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "user",
            "level",
            "records_level",
            "set_level",
            "set_reason",
            "set_at",
            "created_at",
            "updated_at",
        ]
        create_only_fields = ["organisation", "email"]
        validators: list = []

    def get_level_label(self, person: Person) -> str:
        return levels.label(person.level)


class LevelSetSerializer(SafeTextMixin, serializers.Serializer):
    level = serializers.ChoiceField(
        choices=[("", "Back to what the records show"), *Level.choices], allow_blank=True
    )
    reason = serializers.CharField(help_text="Why: kept in the history.")


class TrainingRecordSerializer(SafeTextMixin, serializers.ModelSerializer):
    """A course someone completed. Leave out ``person`` to add to your own record (it
    waits for the QI team's approval); the QI team's records count at once."""

    person = ScopedPrimaryKeyRelatedField(selectors.person_list, required=False)
    person_name = serializers.CharField(source="person.__str__", read_only=True)
    course = ScopedPrimaryKeyRelatedField(selectors.course_list)
    course_name = serializers.CharField(source="course.name", read_only=True)
    level = serializers.CharField(source="course.level", read_only=True)
    evidence_file = serializers.FileField(write_only=True, required=False)
    evidence_file_url = serializers.SerializerMethodField()

    class Meta:
        model = TrainingRecord
        fields = [
            "id",
            "person",
            "person_name",
            "course",
            "course_name",
            "level",
            "completed_on",
            "evidence_url",
            "evidence_file",
            "evidence_file_url",
            "status",
            "source",
            "decline_reason",
            "decided_at",
            "created_at",
        ]
        read_only_fields = ["status", "source", "decline_reason", "decided_at", "created_at"]
        validators: list = []

    def get_evidence_file_url(self, record: TrainingRecord) -> str | None:
        if not record.evidence_file:
            return None
        return reverse("training-evidence", args=[record.pk])


class RecordDeclineSerializer(SafeTextMixin, serializers.Serializer):
    reason = serializers.CharField(help_text="Why, so the person can put it right.")


class ImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    records_added = serializers.IntegerField()
    records_approved = serializers.IntegerField()
    records_unchanged = serializers.IntegerField()
    people_added = serializers.IntegerField()
    levels_changed = serializers.IntegerField()


class HeadcountSerializer(CreateOnlyFieldsMixin, serializers.ModelSerializer):
    unit = ScopedPrimaryKeyRelatedField(unit_list)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Headcount
        fields = ["id", "unit", "unit_name", "staff", "updated_at"]
        read_only_fields = ["updated_at"]
        create_only_fields = ["unit"]
        validators: list = []


class RatiosSerializer(serializers.ModelSerializer):
    """The dosing ratios: the share of staff (a percentage) to train to at least each
    level. ``targets`` are the organisation's, from its headcount."""

    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    headcount = serializers.SerializerMethodField()
    targets = serializers.SerializerMethodField()

    class Meta:
        model = DosingRatios
        fields = [
            "organisation",
            "foundation",
            "practitioner",
            "advanced",
            "expert",
            "headcount",
            "targets",
        ]

    def get_headcount(self, ratios: DosingRatios) -> int:
        return self.context["headcount"]

    def get_targets(self, ratios: DosingRatios) -> dict[str, int]:
        return {
            level: selectors.target(self.context["headcount"], ratios.percent(level))
            for level in levels.LEVELS
        }


class TierSerializer(serializers.Serializer):
    level = serializers.CharField()
    label = serializers.CharField()
    percent = serializers.DecimalField(max_digits=6, decimal_places=3)
    target = serializers.IntegerField()
    trained = serializers.IntegerField(help_text="Trained to at least this level.")
    gap = serializers.IntegerField()


class ScopeSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    headcount = serializers.IntegerField()
    tiers = TierSerializer(many=True)
    words = serializers.CharField(help_text="The gaps in words.")


class QuarterSerializer(serializers.Serializer):
    starts = serializers.DateField()
    label = serializers.CharField()
    by_level = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class PyramidSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(source="organisation.pk")
    whole = ScopeSerializer()
    divisions = ScopeSerializer(many=True)
    support = ScopeSerializer()
    services = ScopeSerializer(many=True)
    unplaced = serializers.IntegerField(help_text="Trained people with no unit.")
    per_quarter = QuarterSerializer(many=True)

    def to_representation(self, data: dict[str, Any]) -> dict[str, Any]:
        quarters = [
            {**quarter, "by_level": dict(zip(levels.LEVELS, quarter["by_level"], strict=True))}
            for quarter in data["per_quarter"]
        ]
        return super().to_representation({**data, "per_quarter": quarters})


class DirectoryEntrySerializer(serializers.ModelSerializer):
    unit = PlaceSerializer(read_only=True, allow_null=True)
    level_label = serializers.SerializerMethodField()
    projects_led = serializers.IntegerField()
    cycles_run = serializers.IntegerField()
    coaching = serializers.IntegerField(help_text="Open projects they coach now.")

    class Meta:
        model = Person
        fields = [
            "id",
            "full_name",
            "email",
            "unit",
            "level",
            "level_label",
            "projects_led",
            "cycles_run",
            "coaching",
        ]

    def get_level_label(self, person: Person) -> str:
        return levels.label(person.level)


class ShareSerializer(serializers.Serializer):
    name = serializers.CharField()
    projects = serializers.IntegerField()
    with_partner = serializers.IntegerField()
    percent = serializers.IntegerField()
    words = serializers.CharField()


class InvolvementSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(source="organisation.pk")
    whole = ShareSerializer()
    divisions = ShareSerializer(many=True)


class EngagementSerializer(SafeTextMixin, CreateOnlyFieldsMixin, serializers.ModelSerializer):
    organisation = ScopedPrimaryKeyRelatedField(organisation_list)
    project = ScopedPrimaryKeyRelatedField(project_list, allow_null=True, required=False)
    leader_name = serializers.CharField(source="leader.__str__", read_only=True)
    project_title = serializers.CharField(
        source="project.title", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Engagement
        fields = [
            "id",
            "organisation",
            "leader",
            "leader_name",
            "kind",
            "happened_on",
            "project",
            "project_title",
            "learned",
            "created_at",
        ]
        read_only_fields = ["leader", "created_at"]
        create_only_fields = ["organisation"]
