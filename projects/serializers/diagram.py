"""Input and output shapes for driver diagrams."""

from __future__ import annotations

from rest_framework import serializers

from backend.serializers import CreateOnlyFieldsMixin, ScopedPrimaryKeyRelatedField
from backend.validators import SafeTextMixin
from projects import selectors
from projects.models import ChangeIdea, Driver
from projects.serializers.common import PersonSerializer


class DriverSerializer(SafeTextMixin, CreateOnlyFieldsMixin, serializers.ModelSerializer):
    """A primary driver (no parent) or a secondary driver (parent: a primary driver of the
    same project). The kind is fixed once made."""

    project = ScopedPrimaryKeyRelatedField(selectors.project_list)
    parent = ScopedPrimaryKeyRelatedField(selectors.driver_list, allow_null=True, required=False)

    class Meta:
        model = Driver
        fields = [
            "id",
            "project",
            "kind",
            "parent",
            "title",
            "description",
            "position",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        create_only_fields = ["project", "kind"]  # drivers stay in their project


class ChangeIdeaSerializer(SafeTextMixin, CreateOnlyFieldsMixin, serializers.ModelSerializer):
    """A change idea; ``drivers`` are the secondary drivers (of its project) it serves."""

    project = ScopedPrimaryKeyRelatedField(selectors.project_list)
    drivers = ScopedPrimaryKeyRelatedField(selectors.driver_list, many=True, required=False)
    created_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ChangeIdea
        fields = [
            "id",
            "project",
            "drivers",
            "title",
            "description",
            "status",
            "status_changed_at",
            "learning",
            "position",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status_changed_at", "created_at", "updated_at"]
        create_only_fields = ["project"]  # ideas stay in their project


class DiagramIdeaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=ChangeIdea.Status.choices)
    learning = serializers.CharField()
    position = serializers.IntegerField()
    drivers = serializers.ListField(child=serializers.IntegerField())


class DiagramSecondarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    position = serializers.IntegerField()
    change_ideas = DiagramIdeaSerializer(many=True)


class DiagramPrimarySerializer(DiagramSecondarySerializer):
    secondary_drivers = DiagramSecondarySerializer(many=True)


class DiagramAimSerializer(serializers.Serializer):
    statement = serializers.CharField()
    what = serializers.CharField()
    how_much = serializers.CharField()
    baseline = serializers.FloatField(allow_null=True)
    target = serializers.FloatField(allow_null=True)
    by_when = serializers.DateField(allow_null=True)


class DriverDiagramSerializer(serializers.Serializer):
    """A project's driver diagram: aim -> primary -> secondary drivers -> change ideas."""

    project = serializers.IntegerField()
    title = serializers.CharField()
    aim = DiagramAimSerializer()
    primary_drivers = DiagramPrimarySerializer(many=True)
    unlinked_change_ideas = DiagramIdeaSerializer(many=True)
    counts = serializers.DictField(child=serializers.IntegerField())
