"""Strategic aims, improvement projects, their teams and driver diagrams, and measures."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from backend.models import Organisation, Unit


class QualityDimension(models.TextChoices):
    SAFE = "safe", "Safe"
    EFFECTIVE = "effective", "Effective"
    TIMELY = "timely", "Timely"
    EFFICIENT = "efficient", "Efficient"
    EQUITABLE = "equitable", "Equitable"
    PERSON_CENTRED = "person_centred", "Person-centred"
    STAFF_WELLBEING = "staff_wellbeing", "Staff wellbeing"


class ImprovementDirection(models.TextChoices):
    INCREASE = "increase", "Higher is better"
    DECREASE = "decrease", "Lower is better"
    NEUTRAL = "neutral", "Neither"


class ChartType(models.TextChoices):
    RUN = "run", "Run chart"
    XMR = "xmr", "XmR chart"
    P = "p", "p chart (proportion)"
    PP = "pp", "p' chart (Laney)"
    U = "u", "u chart (rate)"
    UP = "up", "u' chart (Laney)"
    C = "c", "c chart (count)"
    G = "g", "g chart (opportunities between events)"
    T = "t", "t chart (time between events)"


# Charts whose points are a numerator over a denominator.
RATIO_CHARTS = frozenset({ChartType.P, ChartType.PP, ChartType.U, ChartType.UP})


class Frequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class StrategicAim(models.Model):
    """One of an organisation's few bold aims; aims cascade through ``parent`` (catchball)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="aims")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aims",
        help_text="Where the aim is owned: empty for the whole organisation.",
    )
    title = models.CharField(max_length=200)
    statement = models.TextField(blank=True)
    quality_dimensions = models.JSONField(default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_aims",
    )
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    # The measurable goal: a measure, from a baseline to a target by a date.
    goal_measure = models.ForeignKey(
        "Measure", on_delete=models.SET_NULL, null=True, blank=True, related_name="goal_of"
    )
    goal_baseline = models.FloatField(null=True, blank=True)
    goal_target = models.FloatField(null=True, blank=True)
    goal_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="aim_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Project(models.Model):
    """An improvement project in one unit, linked to one or more strategic aims."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        SUSTAINING = "sustaining", "Sustaining"
        SPREADING = "spreading", "Spreading"
        COMPLETED = "completed", "Completed"
        ABANDONED = "abandoned", "Abandoned"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="projects"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="projects")
    aims = models.ManyToManyField(StrategicAim, blank=True, related_name="projects")
    title = models.CharField(max_length=200)
    # The Model for Improvement's first question, as text and as its parts.
    aim_statement = models.TextField(blank=True)
    aim_what = models.CharField(max_length=300, blank=True)
    aim_how_much = models.CharField(max_length=200, blank=True)
    aim_baseline = models.FloatField(null=True, blank=True)
    aim_target = models.FloatField(null=True, blank=True)
    aim_by_when = models.DateField(null=True, blank=True)
    problem = models.TextField(blank=True)
    background = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    # When a cycle was created or moved, or data added: what stall detection reads.
    last_activity_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The IHI progress score (0.5 to 5.0), computed from the record by pdsa's services and
    # stored here so lists read it without recomputing; a team may override it, saying why.
    progress_score = models.DecimalField(max_digits=2, decimal_places=1, default=Decimal("0.5"))
    progress_reason = models.TextField(blank=True)
    progress_override = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True)
    progress_override_reason = models.TextField(blank=True)
    progress_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_projects",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    # Derived fields change often and say nothing about who decided what.
    history = HistoricalRecords(
        excluded_fields=["last_activity_at", "progress_score", "progress_reason"]
    )

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["organisation", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_override__isnull=True)
                | Q(progress_override__gte=0.5, progress_override__lte=5),
                name="project_progress_override_in_ihi_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectMember(models.Model):
    """A person's part in a project's team."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead"
        MEMBER = "member", "Member"
        COACH = "coach", "Coach"
        SPONSOR = "sponsor", "Sponsor"
        LIVED_EXPERIENCE_PARTNER = "lived_experience_partner", "Lived-experience partner"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user", "role"], name="project_member_once_per_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) on {self.project}"


class Driver(models.Model):
    """A primary driver of a project's aim, or a secondary driver beneath a primary one."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", "Primary"
        SECONDARY = "secondary", "Secondary"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="drivers")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "position", "id"]
        constraints = [
            # A primary driver hangs off the aim; a secondary one off a primary driver.
            models.CheckConstraint(
                condition=Q(kind="primary", parent__isnull=True)
                | Q(kind="secondary", parent__isnull=False),
                name="driver_secondary_has_a_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ChangeIdea(models.Model):
    """Something a team will test; it may serve several secondary drivers."""

    class Status(models.TextChoices):
        UNTESTED = "untested", "Untested"
        TESTING = "testing", "Testing"
        ADOPTED = "adopted", "Adopted"
        ADAPTED = "adapted", "Adapted"
        ABANDONED = "abandoned", "Abandoned"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="change_ideas")
    drivers = models.ManyToManyField(Driver, blank=True, related_name="change_ideas")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNTESTED)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # What the team learned, kept (also when abandoned) so others can find it later.
    learning = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
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
        ordering = ["project", "position", "id"]

    def __str__(self) -> str:
        return self.title


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
