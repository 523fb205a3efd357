"""Input and output shapes for the measure library, measures, rebases, data and charts."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Min
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from backend.selectors import organisation_list
from backend.serializers import CreateOnlyFieldsMixin, ScopedPrimaryKeyRelatedField
from backend.validators import SafeTextMixin
from projects import selectors
from projects.models import DataPoint, Measure, MeasureDefinition, QualityDimension, Rebase
from projects.serializers.common import ChartNumberField, PersonSerializer

# Periods as people type them: ISO dates, a month ("2024-03"), a UK date ("01/03/2024"),
# or a month as a spreadsheet shows it ("Mar 2024", "March 2024", "Mar-24", "03/2024").
PERIOD_FORMATS = [
    api_settings.DATE_INPUT_FORMATS[0],
    "%Y-%m",
    "%d/%m/%Y",
    "%b %Y",
    "%B %Y",
    "%b-%y",
    "%m/%Y",
]


class MeasureDefinitionSerializer(
    SafeTextMixin, CreateOnlyFieldsMixin, serializers.ModelSerializer
):
    organisation = ScopedPrimaryKeyRelatedField(organisation_list)
    quality_dimensions = serializers.ListField(
        child=serializers.ChoiceField(choices=QualityDimension.choices), required=False
    )
    measure_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = MeasureDefinition
        fields = [
            "id",
            "organisation",
            "name",
            "operational_definition",
            "numerator_definition",
            "denominator_definition",
            "unit",
            "improvement_direction",
            "chart_type",
            "frequency",
            "data_source",
            "quality_dimensions",
            "measure_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []  # the service refuses duplicate names, naming the field
        create_only_fields = ["organisation"]


class MeasureSerializer(SafeTextMixin, CreateOnlyFieldsMixin, serializers.ModelSerializer):
    """A measure of a project or of an aim (exactly one). Left out, the name, wording,
    unit, direction, chart type and frequency come from the library ``definition``."""

    project = ScopedPrimaryKeyRelatedField(selectors.project_list, allow_null=True, required=False)
    aim = ScopedPrimaryKeyRelatedField(selectors.aim_list, allow_null=True, required=False)
    definition = ScopedPrimaryKeyRelatedField(
        selectors.measure_definition_list, allow_null=True, required=False
    )
    name = serializers.CharField(max_length=200, required=False)
    project_title = serializers.CharField(source="project.title", read_only=True, allow_null=True)
    aim_title = serializers.CharField(source="aim.title", read_only=True, allow_null=True)
    data_point_count = serializers.SerializerMethodField()
    first_period = serializers.SerializerMethodField()
    last_period = serializers.SerializerMethodField()
    fix_after_n_points = serializers.IntegerField(
        min_value=12, max_value=1000, allow_null=True, required=False
    )
    target = ChartNumberField(allow_null=True, required=False)
    can_edit = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = [
            "id",
            "organisation",
            "project",
            "project_title",
            "aim",
            "aim_title",
            "definition",
            "type",
            "name",
            "operational_definition",
            "unit",
            "improvement_direction",
            "chart_type",
            "frequency",
            "target",
            "fix_after_n_points",
            "revision",
            "data_point_count",
            "first_period",
            "last_period",
            "can_edit",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["organisation", "revision", "created_at", "updated_at"]
        # A measure stays where its data were recorded.
        create_only_fields = ["project", "aim", "definition"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is None:
            # Chosen from the definition when left out, so no model default applies.
            for name in ("improvement_direction", "chart_type", "frequency", "unit"):
                fields[name].required = False
        return fields

    def _data_stats(self, measure: Measure) -> dict[str, Any]:
        # Annotated by the list selector; aggregated here for a row read on its own (the
        # row an update locks), so both give the same representation and ETag.
        if not hasattr(measure, "data_point_count"):
            stats = measure.data_points.aggregate(
                data_point_count=Count("id"), first_period=Min("period"), last_period=Max("period")
            )
            for name, value in stats.items():
                setattr(measure, name, value)
        return {
            name: getattr(measure, name)
            for name in ("data_point_count", "first_period", "last_period")
        }

    def get_data_point_count(self, measure: Measure) -> int:
        return self._data_stats(measure)["data_point_count"]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_first_period(self, measure: Measure) -> str | None:
        first = self._data_stats(measure)["first_period"]
        return first.isoformat() if first else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_last_period(self, measure: Measure) -> str | None:
        last = self._data_stats(measure)["last_period"]
        return last.isoformat() if last else None

    def get_can_edit(self, measure: Measure) -> bool:
        return selectors.can_edit_measure(user=self.context["request"].user, measure=measure)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and (attrs.get("project") is None) == (attrs.get("aim") is None):
            raise serializers.ValidationError(
                {"project": "A measure belongs to a project or to an aim: give exactly one."}
            )
        return attrs


class RebaseSerializer(SafeTextMixin, serializers.ModelSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the process changed.")
    decided_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Rebase
        fields = ["id", "measure", "starts_on", "reason", "decided_by", "created_at"]
        read_only_fields = ["measure", "created_at"]
        validators: list = []  # the service refuses a second rebase at a date, naming it


class DataPointSerializer(serializers.ModelSerializer):
    """A stored data point; ``plotted`` is what the chart shows (value, or numerator over
    denominator for p and u charts)."""

    plotted = serializers.SerializerMethodField()
    created_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = DataPoint
        fields = [
            "id",
            "period",
            "value",
            "numerator",
            "denominator",
            "plotted",
            "note",
            "created_by",
            "created_at",
            "updated_at",
        ]

    def get_plotted(self, point: DataPoint) -> float | None:
        if point.value is not None:
            return point.value
        if point.numerator is not None and point.denominator:
            return point.numerator / point.denominator
        return None


class DataPointListSerializer(serializers.Serializer):
    """A measure's data, whole (never paged), with the revision it was read at."""

    measure = serializers.IntegerField()
    revision = serializers.IntegerField()
    count = serializers.IntegerField()
    results = DataPointSerializer(many=True)


class DataPointRowSerializer(SafeTextMixin, serializers.Serializer):
    """One row of an upload: a period and whichever of the numbers and note are given;
    what is left out keeps its stored value."""

    period = serializers.DateField(
        input_formats=PERIOD_FORMATS,
        help_text="The first day of the period (YYYY-MM-DD); YYYY-MM means the month.",
        error_messages={
            "invalid": "Write the period as a date, such as 2024-03-01, 01/03/2024 or Mar 2024."
        },
    )
    value = ChartNumberField(required=False, allow_null=True)
    numerator = ChartNumberField(required=False, allow_null=True)
    denominator = ChartNumberField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DataUploadSerializer(serializers.Serializer):
    rows = DataPointRowSerializer(many=True, allow_empty=False)


class DataUpsertResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    revision = serializers.IntegerField()
    results = DataPointSerializer(many=True, help_text="The points made or changed.")


class ChartSerializer(serializers.Serializer):
    """A measure's chart: the SPC engine's result (see docs/spc.md) plus annotations."""

    measure = serializers.DictField()
    spc = serializers.DictField(
        allow_null=True, help_text="Exactly the SPC engine's result; null when not chartable."
    )
    reason = serializers.CharField(allow_null=True, help_text="Why spc is null, if it is.")
    annotations = serializers.ListField(child=serializers.DictField())
