"""The measure library, measures, rebases and data points."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from backend.models import Organisation
from projects.models.choices import ChartType, Frequency, ImprovementDirection
from projects.models.portfolio import Project, StrategicAim


class MeasureDefinition(models.Model):
    """A measure defined once for the organisation, so wards measuring it are comparable."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="measure_definitions"
    )
    name = models.CharField(max_length=200)
    operational_definition = models.TextField(blank=True)
    numerator_definition = models.TextField(blank=True)
    denominator_definition = models.TextField(blank=True)
    unit = models.CharField(max_length=100, blank=True, help_text='e.g. "per 1,000 bed days"')
    improvement_direction = models.CharField(
        max_length=10, choices=ImprovementDirection.choices, default=ImprovementDirection.NEUTRAL
    )
    chart_type = models.CharField(max_length=5, choices=ChartType.choices, default=ChartType.XMR)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    data_source = models.CharField(max_length=300, blank=True)
    quality_dimensions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="measure_definition_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Measure(models.Model):
    """An outcome, process or balancing measure of a project or of a strategic aim.

    ``revision`` goes up whenever its data or SPC options change, and is never issued
    twice (see ``bump_revision``), so a cached chart keyed by (measure, revision) can
    never be stale.
    """

    class Type(models.TextChoices):
        OUTCOME = "outcome", "Outcome"
        PROCESS = "process", "Process"
        BALANCING = "balancing", "Balancing"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="measures"
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="measures"
    )
    aim = models.ForeignKey(
        StrategicAim, on_delete=models.CASCADE, null=True, blank=True, related_name="measures"
    )
    definition = models.ForeignKey(
        MeasureDefinition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
    )
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.OUTCOME)
    name = models.CharField(max_length=200)
    operational_definition = models.TextField(blank=True)
    unit = models.CharField(max_length=100, blank=True)
    improvement_direction = models.CharField(
        max_length=10, choices=ImprovementDirection.choices, default=ImprovementDirection.NEUTRAL
    )
    chart_type = models.CharField(max_length=5, choices=ChartType.choices, default=ChartType.XMR)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, blank=True, default=Frequency.MONTHLY
    )
    target = models.FloatField(null=True, blank=True)
    fix_after_n_points = models.PositiveSmallIntegerField(null=True, blank=True)
    revision = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["revision"])

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False, aim__isnull=True)
                | Q(project__isnull=True, aim__isnull=False),
                name="measure_belongs_to_a_project_or_an_aim",
            ),
            models.CheckConstraint(
                condition=Q(fix_after_n_points__isnull=True) | Q(fix_after_n_points__gte=12),
                name="measure_baseline_at_least_12_points",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Rebase(models.Model):
    """A decision that the process changed: the chart starts a new group at ``starts_on``."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="rebases")
    starts_on = models.DateField(help_text="The period that starts the new group.")
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "starts_on"], name="rebase_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} from {self.starts_on}"


class DataPoint(models.Model):
    """One period's value of a measure, or its numerator and denominator."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="data_points")
    period = models.DateField(help_text="The first day of the period.")
    value = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period"], name="data_point_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False)
                | Q(numerator__isnull=False, denominator__isnull=False),
                name="data_point_has_a_value_or_a_ratio",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="data_point_denominator_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.period}"
