"""Input and output shapes for strategic aims."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.selectors import organisation_list, unit_list
from backend.serializers import CreateOnlyFieldsMixin, ScopedPrimaryKeyRelatedField
from backend.validators import SafeTextMixin
from projects import selectors
from projects.models import QualityDimension, StrategicAim
from projects.serializers.common import ChartNumberField, PersonSerializer


class AimSerializer(SafeTextMixin, CreateOnlyFieldsMixin, serializers.ModelSerializer):
    """A strategic aim; ``organisation`` may be left out by someone in one organisation,
    or taken from the parent aim."""

    organisation = ScopedPrimaryKeyRelatedField(organisation_list, required=False)
    parent = ScopedPrimaryKeyRelatedField(selectors.aim_list, allow_null=True, required=False)
    unit = ScopedPrimaryKeyRelatedField(unit_list, allow_null=True, required=False)
    owner = ScopedPrimaryKeyRelatedField(selectors.colleague_list, allow_null=True, required=False)
    goal_measure = ScopedPrimaryKeyRelatedField(
        selectors.measure_list, allow_null=True, required=False
    )
    quality_dimensions = serializers.ListField(
        child=serializers.ChoiceField(choices=QualityDimension.choices), required=False
    )
    goal_baseline = ChartNumberField(allow_null=True, required=False)
    goal_target = ChartNumberField(allow_null=True, required=False)
    owner_detail = PersonSerializer(source="owner", read_only=True, allow_null=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True)
    children = serializers.SerializerMethodField()
    project_count = serializers.SerializerMethodField()
    can_edit = serializers.SerializerMethodField()

    class Meta:
        model = StrategicAim
        fields = [
            "id",
            "organisation",
            "parent",
            "children",
            "unit",
            "unit_name",
            "title",
            "statement",
            "quality_dimensions",
            "owner",
            "owner_detail",
            "starts_on",
            "ends_on",
            "goal_measure",
            "goal_baseline",
            "goal_target",
            "goal_date",
            "is_active",
            "project_count",
            "can_edit",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        create_only_fields = ["organisation"]  # an aim never moves organisation

    def get_children(self, aim: StrategicAim) -> list[int]:
        """Ids of the aims cascaded directly beneath this one."""
        return [child.pk for child in aim.children.all()]

    def get_project_count(self, aim: StrategicAim) -> int:
        # Annotated by the list selector; counted here for a row read on its own (the
        # row an update locks), so both give the same representation and ETag.
        counted = getattr(aim, "project_count", None)
        return aim.projects.count() if counted is None else counted

    def get_can_edit(self, aim: StrategicAim) -> bool:
        user = self.context["request"].user
        return selectors.can_write_aims(user=user, organisation_id=aim.organisation_id)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and "organisation" not in attrs:
            attrs["organisation"] = self._inferred_organisation(attrs)
        return attrs

    def _inferred_organisation(self, attrs: dict[str, Any]) -> Any:
        for related in ("parent", "unit"):
            if attrs.get(related) is not None:
                return attrs[related].organisation
        mine = list(organisation_list(user=self.context["request"].user))
        if len(mine) == 1:
            return mine[0]
        raise serializers.ValidationError(
            {"organisation": "You belong to several organisations: say which this aim is for."}
        )


class AimTreeQuerySerializer(serializers.Serializer):
    organisation = serializers.IntegerField(
        required=False, min_value=1, help_text="Only this organisation's aims."
    )


class AimTreeSerializer(serializers.Serializer):
    """An aim and, nested, the aims cascaded from it."""

    id = serializers.IntegerField()
    organisation = serializers.IntegerField()
    title = serializers.CharField()
    unit = serializers.JSONField(allow_null=True)
    quality_dimensions = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField()
    project_count = serializers.IntegerField()
    children = serializers.ListField(child=serializers.DictField())
