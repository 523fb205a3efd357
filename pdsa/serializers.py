"""Input and output shapes for PDSA cycles and the progress score."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.serializers import CreateOnlyFieldsMixin, ScopedPrimaryKeyRelatedField
from backend.validators import SafeTextMixin
from pdsa import selectors
from pdsa.models import Cycle, CycleQuestion, CycleTask
from pdsa.rules import NEXT_STAGE, missing_before_next_stage
from projects.models import Project
from projects.selectors import change_idea_list, colleague_list, measure_list, project_list


class CycleQuestionSerializer(SafeTextMixin, serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False, help_text="Send it back to change this question; leave it out to add one."
    )

    class Meta:
        model = CycleQuestion
        fields = ["id", "position", "question", "prediction", "result"]
        read_only_fields = ["position"]


class CycleTaskSerializer(SafeTextMixin, serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False, help_text="Send it back to change this task; leave it out to add one."
    )

    class Meta:
        model = CycleTask
        fields = ["id", "position", "what", "who", "when", "where", "done"]
        read_only_fields = ["position"]


class MissingSerializer(serializers.Serializer):
    field = serializers.CharField()
    message = serializers.CharField()


class CycleSerializer(SafeTextMixin, CreateOnlyFieldsMixin, serializers.ModelSerializer):
    """A cycle and its whole worksheet. Creating one needs only ``project`` and ``title``
    (the quick log); ``questions`` and ``tasks`` are written as whole lists."""

    uuid = serializers.UUIDField(
        required=False,
        help_text="Your own id for a new cycle. Sending a create again with the same uuid "
        "returns the cycle already saved (200) instead of making a second one.",
    )
    project = ScopedPrimaryKeyRelatedField(project_list)
    project_title = serializers.CharField(source="project.title", read_only=True)
    change_idea = ScopedPrimaryKeyRelatedField(change_idea_list, allow_null=True, required=False)
    change_idea_title = serializers.SerializerMethodField()
    parent = ScopedPrimaryKeyRelatedField(selectors.cycle_scope, allow_null=True, required=False)
    children = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    owner = ScopedPrimaryKeyRelatedField(colleague_list, allow_null=True, required=False)
    owner_name = serializers.SerializerMethodField()
    measures = ScopedPrimaryKeyRelatedField(measure_list, many=True, required=False)
    questions = CycleQuestionSerializer(many=True, required=False)
    tasks = CycleTaskSerializer(many=True, required=False)
    next_stage = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField(
        help_text="What the worksheet needs before the cycle can move to its next stage."
    )

    class Meta:
        model = Cycle
        fields = [
            "id",
            "uuid",
            "project",
            "project_title",
            "number",
            "title",
            "purpose",
            "stage",
            "stage_changed_at",
            "next_stage",
            "missing",
            "owner",
            "owner_name",
            "change_idea",
            "change_idea_title",
            "parent",
            "children",
            "cloned_from",
            "objective",
            "questions",
            "tasks",
            "data_collection_plan",
            "measures",
            "planned_start",
            "planned_end",
            "started_on",
            "observations",
            "problems",
            "ended_on",
            "learning",
            "decision",
            "next_steps",
            "spread_note",
            "decided_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "stage",
            "stage_changed_at",
            "cloned_from",
            "decided_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        validators: list = []  # the services number cycles and check what they point at
        create_only_fields = ["project", "uuid"]  # a cycle never moves project

    # Method fields, not ``source=`` with a default: DRF skips defaults in partial updates,
    # and a PATCH must answer with exactly what a read shows (its ETag depends on it).
    def get_change_idea_title(self, cycle: Cycle) -> str | None:
        return cycle.change_idea.title if cycle.change_idea else None

    def get_owner_name(self, cycle: Cycle) -> str | None:
        return str(cycle.owner) if cycle.owner else None

    def get_next_stage(self, cycle: Cycle) -> str | None:
        return NEXT_STAGE.get(cycle.stage)

    @extend_schema_field(MissingSerializer(many=True))
    def get_missing(self, cycle: Cycle) -> list[dict[str, str]]:
        return [
            {"field": gap.field, "message": gap.message} for gap in missing_before_next_stage(cycle)
        ]


class CycleAdvanceSerializer(SafeTextMixin, serializers.Serializer):
    to = serializers.ChoiceField(
        choices=Cycle.Stage.choices,
        required=False,
        help_text="The stage you mean to reach; a retry that finds the cycle there changes "
        "nothing.",
    )
    decision = serializers.ChoiceField(choices=Cycle.Decision.choices, required=False)
    next_steps = serializers.CharField(required=False, allow_blank=True)
    spread_note = serializers.CharField(required=False, allow_blank=True)


class CycleDraftSerializer(serializers.Serializer):
    """A create body for ``POST /api/v1/cycles/``, pre-filled (not saved)."""

    project = serializers.IntegerField()
    change_idea = serializers.IntegerField(allow_null=True)
    parent = serializers.IntegerField()
    title = serializers.CharField()
    purpose = serializers.CharField()
    objective = serializers.CharField()
    data_collection_plan = serializers.CharField()
    measures = serializers.ListField(child=serializers.IntegerField())
    questions = serializers.ListField(child=serializers.DictField())
    tasks = serializers.ListField(child=serializers.DictField())


class CycleAdvanceResultSerializer(CycleSerializer):
    next_cycle = CycleDraftSerializer(
        allow_null=True,
        read_only=True,
        help_text="After an adapt decision: the next cycle of the ramp, pre-filled.",
    )

    class Meta(CycleSerializer.Meta):
        fields = [*CycleSerializer.Meta.fields, "next_cycle"]


class CycleCloneSerializer(SafeTextMixin, serializers.ModelSerializer):
    project = ScopedPrimaryKeyRelatedField(
        project_list, help_text="The project (yours) that will run the test."
    )
    change_idea = ScopedPrimaryKeyRelatedField(change_idea_list, allow_null=True, required=False)
    title = serializers.CharField(required=False, max_length=200)
    uuid = serializers.UUIDField(required=False)

    class Meta:
        model = Cycle
        fields = ["project", "change_idea", "title", "uuid"]
        validators: list = []


class CycleNextSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(required=False)


class ProjectProgressSerializer(serializers.ModelSerializer):
    """The computed IHI score and its reason, and a team's override if there is one."""

    project = serializers.IntegerField(source="pk", read_only=True)
    score = serializers.SerializerMethodField(help_text="The override if set, else computed.")
    is_overridden = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "project",
            "score",
            "is_overridden",
            "progress_score",
            "progress_reason",
            "progress_override",
            "progress_override_reason",
            "progress_override_by",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=2, decimal_places=1))
    def get_score(self, project: Project) -> str:
        overridden = project.progress_override is not None
        return str(project.progress_override if overridden else project.progress_score)

    def get_is_overridden(self, project: Project) -> bool:
        return project.progress_override is not None


class ProgressOverrideSerializer(SafeTextMixin, serializers.Serializer):
    score = serializers.DecimalField(
        max_digits=2,
        decimal_places=1,
        allow_null=True,
        help_text="0.5 to 5.0 in steps of 0.5; null clears the override.",
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
