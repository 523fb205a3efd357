"""Strategic aims, improvement projects and their teams."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from backend.models import Organisation, Unit


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

    class Approval(models.TextChoices):
        NOT_NEEDED = "", "Not needed"
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned to the team"

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    # In an organisation that approves new projects: where this one's approval stands,
    # and who decided, when and why (a return always says why).
    approval = models.CharField(
        max_length=10, choices=Approval.choices, blank=True, default=Approval.NOT_NEEDED
    )
    approval_requested_at = models.DateTimeField(null=True, blank=True)
    approval_decided_at = models.DateTimeField(null=True, blank=True)
    approval_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approval_note = models.TextField(blank=True)
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
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(
                fields=["organisation", "approval_requested_at"],
                condition=Q(approval="pending"),
                name="project_awaiting_approval",
            ),
        ]
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
