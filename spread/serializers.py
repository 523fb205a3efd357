"""Input and output shapes for spread."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.models import Unit
from backend.selectors import unit_list
from backend.serializers import ScopedPrimaryKeyRelatedField
from backend.validators import SafeTextMixin
from pdsa.selectors import cycle_list
from projects.selectors import change_idea_list, measure_definition_list, measure_list
from projects.serializers import PersonSerializer
from spread.models import Adoption, ChangePackage, SpreadCandidate, SpreadTarget
from spread.selectors import candidate_list, person_list
from spread.selectors.learning import TRIED_STATUSES


@extend_schema_field(OpenApiTypes.INT)
class ScopedId(ScopedPrimaryKeyRelatedField):
    """A related id, scoped to what the user may see, documented as the integer it is."""


class UnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "kind", "specialty"]


class PackageSerializer(SafeTextMixin, serializers.ModelSerializer):
    """The change package: read with the candidate, written by the QI team and the team."""

    contact = ScopedPrimaryKeyRelatedField(person_list, allow_null=True, required=False)
    contact_person = PersonSerializer(source="contact", read_only=True, allow_null=True)
    cycles = ScopedPrimaryKeyRelatedField(cycle_list, many=True, required=False)
    measure_definitions = ScopedPrimaryKeyRelatedField(
        measure_definition_list, many=True, required=False
    )
    evidence_measure = ScopedPrimaryKeyRelatedField(measure_list, allow_null=True, required=False)
    chart_link = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = ChangePackage
        fields = [
            "summary",
            "how_to",
            "resources",
            "tips",
            "pitfalls",
            "measure_definitions",
            "context_unit_kind",
            "context_specialty",
            "context_notes",
            "contact",
            "contact_person",
            "contact_details",
            "cycles",
            "evidence_measure",
            "chart_link",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class CandidateSerializer(serializers.ModelSerializer):
    """A spread candidate as the QI team and the teams read it."""

    change_idea = serializers.SerializerMethodField()
    origin_project = serializers.SerializerMethodField()
    origin_unit = UnitBriefSerializer(read_only=True)
    source_cycle = serializers.SerializerMethodField()
    nominated_by = PersonSerializer(read_only=True, allow_null=True)
    reviewed_by = PersonSerializer(read_only=True, allow_null=True)
    package = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()

    class Meta:
        model = SpreadCandidate
        fields = [
            "id",
            "organisation",
            "change_idea",
            "origin_project",
            "origin_unit",
            "source_cycle",
            "origin",
            "status",
            "evidence_strength",
            "evidence",
            "evidence_measure",
            "evidence_checked_at",
            "nomination_note",
            "nominated_by",
            "reviewed_by",
            "review_started_at",
            "approved_at",
            "decline_reason",
            "declined_at",
            "retire_reason",
            "retired_at",
            "package",
            "counts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_change_idea(self, candidate: SpreadCandidate) -> dict[str, Any]:
        idea = candidate.change_idea
        return {
            "id": idea.pk,
            "title": idea.title,
            "description": idea.description,
            "status": idea.status,
            "learning": idea.learning,
        }

    def get_origin_project(self, candidate: SpreadCandidate) -> dict[str, Any]:
        return {"id": candidate.origin_project_id, "title": candidate.origin_project.title}

    def get_source_cycle(self, candidate: SpreadCandidate) -> dict[str, Any] | None:
        cycle = candidate.source_cycle
        if cycle is None:
            return None
        return {"id": cycle.pk, "number": cycle.number, "title": cycle.title}

    def get_package(self, candidate: SpreadCandidate) -> dict[str, Any] | None:
        package = getattr(candidate, "package", None)
        return None if package is None else PackageSerializer(package, context=self.context).data

    def get_counts(self, candidate: SpreadCandidate) -> dict[str, int]:
        return {
            "targets": getattr(candidate, "target_count", 0),
            "adoptions": getattr(candidate, "adoption_count", 0),
            "adopted": getattr(candidate, "adopted_count", 0),
        }


class NominateSerializer(SafeTextMixin, serializers.Serializer):
    change_idea = ScopedId(change_idea_list)
    source_cycle = ScopedId(cycle_list, allow_null=True, required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DeclineSerializer(SafeTextMixin, serializers.Serializer):
    reason = serializers.CharField(help_text="Why the change is declined; the team reads it.")


class RetireSerializer(SafeTextMixin, serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ApproveSerializer(serializers.Serializer):
    package = PackageSerializer(required=False)


class OpportunityMeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="measure.pk")
    name = serializers.CharField(source="measure.name")
    project = serializers.IntegerField(source="measure.project_id")
    target = serializers.FloatField(source="measure.target", allow_null=True)
    variation_icon = serializers.CharField(allow_null=True)
    centre = serializers.FloatField(allow_null=True)
    gap_to_target = serializers.BooleanField()
    score = serializers.IntegerField()


class OpportunitySerializer(serializers.Serializer):
    """A unit that could take the change up: score (0-100), reasons, targeted or not."""

    unit = UnitBriefSerializer()
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    targeted = serializers.BooleanField()
    measures = OpportunityMeasureSerializer(many=True)


class CandidateBriefSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="change_idea.title")
    origin_unit = UnitBriefSerializer()

    class Meta:
        model = SpreadCandidate
        fields = ["id", "title", "origin_unit", "status", "evidence_strength", "evidence"]


class SuggestionSerializer(serializers.Serializer):
    """A change that worked elsewhere, suggested for this unit."""

    candidate = CandidateBriefSerializer()
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    targeted = serializers.BooleanField()
    measures = OpportunityMeasureSerializer(many=True)


class TargetSerializer(SafeTextMixin, serializers.ModelSerializer):
    candidate = ScopedPrimaryKeyRelatedField(candidate_list)
    unit = ScopedPrimaryKeyRelatedField(unit_list)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    targeted_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = SpreadTarget
        fields = [
            "id",
            "candidate",
            "unit",
            "unit_name",
            "note",
            "due_by",
            "targeted_by",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        validators: list = []  # the service answers a repeat with the existing target


class AdoptionSerializer(serializers.ModelSerializer):
    candidate = serializers.SerializerMethodField()
    unit = UnitBriefSerializer(read_only=True)
    project = serializers.SerializerMethodField()
    started_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Adoption
        fields = [
            "id",
            "candidate",
            "unit",
            "status",
            "status_changed_at",
            "project",
            "note",
            "started_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_candidate(self, adoption: Adoption) -> dict[str, Any]:
        return {"id": adoption.candidate_id, "title": adoption.candidate.change_idea.title}

    def get_project(self, adoption: Adoption) -> dict[str, Any] | None:
        project = adoption.project
        if project is None:
            return None
        return {"id": project.pk, "title": project.title, "status": project.status}


class AdoptionCreateSerializer(SafeTextMixin, serializers.Serializer):
    candidate = ScopedId(candidate_list)
    unit = ScopedId(unit_list)
    status = serializers.ChoiceField(
        choices=[Adoption.Status.PLANNED, Adoption.Status.TESTING, Adoption.Status.DECLINED],
        default=Adoption.Status.PLANNED,
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    lead = ScopedId(person_list, allow_null=True, required=False)


class AdoptionUpdateSerializer(SafeTextMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=Adoption.Status.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class LearningQuerySerializer(serializers.Serializer):
    """The learning library's query parameters; a bad one is a 400 naming it."""

    q = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    status = serializers.ChoiceField(choices=TRIED_STATUSES, required=False)
    unit_kind = serializers.ChoiceField(choices=Unit.Kind.choices, required=False)
    specialty = serializers.CharField(required=False, max_length=100)
    organisation = serializers.IntegerField(required=False)
    aim = serializers.IntegerField(
        required=False,
        help_text="A strategic aim: ideas of projects serving it or an aim beneath it.",
    )


class LearningCycleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    stage = serializers.CharField()
    decision = serializers.CharField(allow_blank=True)
    learning = serializers.CharField(allow_blank=True)


class LearningEntrySerializer(serializers.Serializer):
    """A change idea someone tried, what it taught, and where."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    status_changed_at = serializers.DateTimeField(allow_null=True)
    learning = serializers.CharField(allow_blank=True)
    project = serializers.SerializerMethodField()
    unit = UnitBriefSerializer(source="project.unit")
    cycles = LearningCycleSerializer(many=True, source="cycles.all")
    spread_candidate = serializers.SerializerMethodField()
    rank = serializers.FloatField(required=False, allow_null=True)

    def get_project(self, idea) -> dict[str, Any]:
        return {"id": idea.project_id, "title": idea.project.title, "status": idea.project.status}

    def get_spread_candidate(self, idea) -> dict[str, Any] | None:
        candidate = getattr(idea, "spread_candidate", None)
        visible = self.context.get("visible_candidate_ids", set())
        if candidate is None or candidate.pk not in visible:
            return None
        return {
            "id": candidate.pk,
            "status": candidate.status,
            "evidence_strength": candidate.evidence_strength,
        }
