"""Input and output shapes for projects and their teams."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.selectors import unit_list
from backend.serializers import CreateOnlyFieldsMixin, ScopedPrimaryKeyRelatedField
from backend.validators import SafeTextMixin
from projects import selectors
from projects.lifecycle import next_statuses
from projects.models import Project, ProjectMember
from projects.serializers.common import ChartNumberField, PersonSerializer
from projects.services.projects import STARTING_STATUSES


class TeamPlaceSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)

    class Meta:
        model = ProjectMember
        fields = ["id", "user", "role", "created_at"]


class ProgressSerializer(serializers.Serializer):
    score = serializers.FloatField(help_text="The score to show: the override when there is one.")
    is_override = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why: the override's reason, or the computed one.")
    label = serializers.CharField()
    computed_score = serializers.FloatField()
    computed_reason = serializers.CharField()


def progress_of(project: Project) -> dict[str, Any]:
    """The IHI progress score as a reader should see it: an override says it is one."""
    computed = float(project.progress_score)
    if project.progress_override is not None:
        score = float(project.progress_override)
        reason = project.progress_override_reason
        label = f"{score:.1f} (set by the team: {reason})" if reason else f"{score:.1f} (set)"
    else:
        score, reason, label = computed, project.progress_reason, f"{computed:.1f}"
    return {
        "score": score,
        "is_override": project.progress_override is not None,
        "reason": reason,
        "label": label,
        "computed_score": computed,
        "computed_reason": project.progress_reason,
    }


class ProjectSerializer(SafeTextMixin, serializers.ModelSerializer):
    """A project. ``status`` is given only when registering (proposed or active); after
    that it moves through ``POST /projects/{id}/transition/``."""

    unit = ScopedPrimaryKeyRelatedField(unit_list)
    aims = ScopedPrimaryKeyRelatedField(selectors.aim_list, many=True, required=False)
    status = serializers.ChoiceField(choices=Project.Status.choices, required=False)
    aim_baseline = ChartNumberField(allow_null=True, required=False)
    aim_target = ChartNumberField(allow_null=True, required=False)
    unit_detail = serializers.SerializerMethodField()
    aim_details = serializers.SerializerMethodField()
    team = TeamPlaceSerializer(source="members", many=True, read_only=True)
    progress = serializers.SerializerMethodField()
    progress_score = serializers.FloatField(read_only=True)
    progress_override = serializers.FloatField(read_only=True, allow_null=True)
    progress_override_by = PersonSerializer(read_only=True, allow_null=True)
    created_by = PersonSerializer(read_only=True, allow_null=True)
    can_edit = serializers.SerializerMethodField()
    next_statuses = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "organisation",
            "unit",
            "unit_detail",
            "aims",
            "aim_details",
            "title",
            "aim_statement",
            "aim_what",
            "aim_how_much",
            "aim_baseline",
            "aim_target",
            "aim_by_when",
            "problem",
            "background",
            "status",
            "status_changed_at",
            "started_on",
            "ended_on",
            "last_activity_at",
            "progress",
            "progress_score",
            "progress_reason",
            "progress_override",
            "progress_override_reason",
            "progress_override_by",
            "team",
            "can_edit",
            "next_statuses",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "organisation",
            "status_changed_at",
            "started_on",
            "ended_on",
            "last_activity_at",
            "progress_reason",
            "progress_override_reason",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(
        {"type": "object", "properties": {"id": {}, "name": {}, "kind": {}, "parent": {}}}
    )
    def get_unit_detail(self, project: Project) -> dict[str, Any]:
        unit = project.unit
        return {"id": unit.pk, "name": unit.name, "kind": unit.kind, "parent": unit.parent_id}

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_aim_details(self, project: Project) -> list[dict[str, Any]]:
        return [{"id": aim.pk, "title": aim.title} for aim in project.aims.all()]

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, project: Project) -> dict[str, Any]:
        return progress_of(project)

    def get_can_edit(self, project: Project) -> bool:
        return selectors.can_edit_project(user=self.context["request"].user, project=project)

    def get_next_statuses(self, project: Project) -> list[str]:
        """Where this user may move the project next (empty if they may not move it)."""
        user = self.context["request"].user
        if not selectors.can_edit_project(user=user, project=project):
            return []
        may_reopen = selectors.can_reopen_project(user=user, project=project)
        return next_statuses(project.status, may_reopen=may_reopen)

    def validate_status(self, status: str) -> str:
        if self.instance is not None:
            if status != self.instance.status:
                raise serializers.ValidationError(
                    "Move a project with POST /api/v1/projects/{id}/transition/, which checks "
                    "the lifecycle."
                )
        elif status not in STARTING_STATUSES:
            raise serializers.ValidationError("A new project starts as proposed or active.")
        return status


class ProjectTransitionSerializer(SafeTextMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=Project.Status.choices)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Kept in the history."
    )


class SimilarProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="project.pk")
    title = serializers.CharField(source="project.title")
    status = serializers.CharField(source="project.status")
    unit = serializers.CharField(source="project.unit.name")
    unit_kind = serializers.CharField(source="project.unit.kind")
    aim_statement = serializers.CharField(source="project.aim_statement")
    updated_at = serializers.DateTimeField(source="project.updated_at")
    score = serializers.FloatField(help_text="0 to 1: 0.6 x word overlap + 0.25 + 0.15.")
    reasons = serializers.ListField(child=serializers.CharField())
    shared_words = serializers.ListField(child=serializers.CharField())


class SimilarQuerySerializer(SafeTextMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200)
    unit = ScopedPrimaryKeyRelatedField(unit_list, required=False, allow_null=True)
    aims = serializers.RegexField(
        r"^[0-9]{1,18}(,[0-9]{1,18})*$",
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Comma-separated aim ids.",
        error_messages={"invalid": "Give aim ids separated by commas."},
    )
    exclude = serializers.IntegerField(
        required=False, min_value=1, help_text="A project id to leave out."
    )

    def validate_aims(self, value: str) -> list[int]:
        return [int(part) for part in value.split(",") if part]


class ProjectMemberSerializer(SafeTextMixin, CreateOnlyFieldsMixin, serializers.ModelSerializer):
    project = ScopedPrimaryKeyRelatedField(selectors.project_list)
    user = ScopedPrimaryKeyRelatedField(selectors.colleague_list)
    user_detail = PersonSerializer(source="user", read_only=True)

    class Meta:
        model = ProjectMember
        fields = ["id", "project", "user", "user_detail", "role", "created_at"]
        read_only_fields = ["created_at"]
        validators: list = []  # the service refuses duplicates, naming the field
        create_only_fields = ["project", "user"]
