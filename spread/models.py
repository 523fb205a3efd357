"""Spread: changes that worked in one unit, the evidence for them, and who takes them up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from backend.models import Organisation, Unit
from pdsa.models import Cycle
from projects.models import ChangeIdea, Measure, MeasureDefinition, Project


class SpreadCandidate(models.Model):
    """A change idea one unit adopted, put forward for other units to take up.

    ``evidence`` cites what justifies it: for a "proven" candidate, the SPC signal of
    improvement since the change started (measure, rules, point type, when it started,
    variation icon); for "early promise", what was checked and why it is not proof yet.
    """

    class Origin(models.TextChoices):
        SUGGESTED = "suggested", "Suggested by Ripple from an SPC signal"
        NOMINATED = "nominated", "Nominated by the team or coach"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        UNDER_REVIEW = "under_review", "Under review"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        RETIRED = "retired", "Retired"

    class EvidenceStrength(models.TextChoices):
        PROVEN = "proven", "Proven: special-cause improvement since the change"
        EARLY_PROMISE = "early_promise", "Early promise: no SPC signal yet"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="spread_candidates"
    )
    change_idea = models.OneToOneField(
        ChangeIdea, on_delete=models.CASCADE, related_name="spread_candidate"
    )
    origin_project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="spread_candidates"
    )
    origin_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    source_cycle = models.ForeignKey(
        Cycle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="spread_candidates",
        help_text="The cycle whose 'adopt' decision put the change forward.",
    )
    origin = models.CharField(max_length=10, choices=Origin.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    evidence_strength = models.CharField(max_length=20, choices=EvidenceStrength.choices)
    evidence = models.JSONField(default=dict, blank=True)
    evidence_measure = models.ForeignKey(
        Measure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    nomination_note = models.TextField(blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    review_started_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    retire_reason = models.TextField(blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    evidence_checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["organisation", "status"])]
        constraints = [
            # Only a change with an SPC signal can carry the QI team's approval.
            models.CheckConstraint(
                condition=~models.Q(status="approved", evidence_strength="early_promise"),
                name="spread_candidate_approved_is_proven",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined", decline_reason=""),
                name="spread_candidate_declined_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.change_idea} ({self.get_status_display()})"


class ChangePackage(models.Model):
    """What another unit needs to take the change up: what it is, how to do it, where it
    worked, the cycles that developed it, the evidence, and who to ask."""

    candidate = models.OneToOneField(
        SpreadCandidate, on_delete=models.CASCADE, related_name="package"
    )
    summary = models.TextField(blank=True, help_text="What the change is, in a few lines.")
    how_to = models.TextField(blank=True, help_text="What to do: the steps, in order.")
    resources = models.TextField(
        blank=True, help_text="What you need: people, time, printing, equipment."
    )
    tips = models.TextField(blank=True, help_text="What helped it work where it was tested.")
    pitfalls = models.TextField(blank=True, help_text="What got in the way, and how to avoid it.")
    measure_definitions = models.ManyToManyField(
        MeasureDefinition,
        blank=True,
        related_name="+",
        help_text="Which measures to use: the library's, so every unit's chart compares.",
    )
    context_unit_kind = models.CharField(max_length=20, choices=Unit.Kind.choices, blank=True)
    context_specialty = models.CharField(max_length=100, blank=True)
    context_notes = models.TextField(blank=True, help_text="What about the setting made it work.")
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    contact_details = models.CharField(max_length=300, blank=True)
    cycles = models.ManyToManyField(Cycle, blank=True, related_name="+")
    evidence_measure = models.ForeignKey(
        Measure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[cycles, measure_definitions])

    def __str__(self) -> str:
        return f"Change package: {self.candidate.change_idea}"

    @property
    def chart_link(self) -> str | None:
        """The evidence measure's chart, ready to paste into a board paper."""
        if self.evidence_measure_id is None:
            return None
        return f"/api/v1/measures/{self.evidence_measure_id}/chart.svg"


class SpreadTarget(models.Model):
    """A unit the QI team wants to take a candidate up."""

    candidate = models.ForeignKey(SpreadCandidate, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="spread_targets")
    targeted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(blank=True)
    due_by = models.DateField(
        null=True, blank=True, help_text="When the QI team hopes the unit will have taken it up."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["candidate", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "unit"], name="spread_target_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} for {self.candidate}"


class SpreadOffer(models.Model):
    """The QI team offered an approved change to a unit: its team was told, once."""

    candidate = models.ForeignKey(SpreadCandidate, on_delete=models.CASCADE, related_name="offers")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="spread_offers")
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(blank=True, help_text="A word to the unit's team.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["candidate", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "unit"], name="spread_offer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} offered to {self.unit}"


class Adoption(models.Model):
    """One unit taking up (or saying no to) a spread candidate."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        TESTING = "testing", "Testing"
        ADOPTED = "adopted", "Adopted"
        ADAPTED = "adapted", "Adapted"
        ABANDONED = "abandoned", "Abandoned"
        DECLINED = "declined", "Declined by the unit"

    candidate = models.ForeignKey(
        SpreadCandidate, on_delete=models.CASCADE, related_name="adoptions"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="adoptions")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adoptions",
        help_text="The project the unit runs to take the change up.",
    )
    note = models.TextField(blank=True)
    started_by = models.ForeignKey(
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
        ordering = ["candidate", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "unit"], name="adoption_once_per_unit"),
            models.CheckConstraint(
                condition=~models.Q(status="declined", note=""),
                name="adoption_declined_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.candidate.change_idea} ({self.get_status_display()})"

    @property
    def counts_as_adopted(self) -> bool:
        """Adopted, or adopted in an adapted form: the change is part of how the unit works."""
        return self.status in (self.Status.ADOPTED, self.Status.ADAPTED)
