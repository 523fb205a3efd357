"""The yearly self-assessment of an organisation's system for improvement, against the
key tests of the five domains."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from assessment.key_tests import CODE_CHOICES, RATING_CHOICES, year_label
from backend.models import Organisation


class Assessment(models.Model):
    """One organisation's assessment for one financial year (``year`` is the April it
    starts). A draft is written by the QI team and leaders; once agreed it is the record
    of that year, evidence and all, until someone reopens it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AGREED = "agreed", "Agreed"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField(help_text="The financial year, by the April it starts.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    evidence_at = models.DateTimeField(
        null=True, blank=True, help_text="When the evidence was last computed from Ripple's data."
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["evidence_at"])

    class Meta:
        ordering = ["organisation", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="assessment_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.label}"

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Answer(models.Model):
    """The organisation's answer to one key test: a rating on the five-step scale, the
    narrative, links to its own evidence, and the evidence Ripple computed from its data
    (``evidence``: a statement, figures, the records behind them, where they came from;
    ``evidence_at``: when), kept as it was when the assessment was agreed."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    code = models.CharField(max_length=3, choices=CODE_CHOICES)
    rating = models.PositiveSmallIntegerField(choices=RATING_CHOICES, null=True, blank=True)
    narrative = models.TextField(blank=True)
    links = models.JSONField(default=list, blank=True)
    evidence = models.JSONField(null=True, blank=True)
    evidence_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    # Computed evidence changes with every refresh and is kept on the answer itself.
    history = HistoricalRecords(excluded_fields=["evidence", "evidence_at"])

    class Meta:
        ordering = ["assessment", "code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "code"], name="answer_once_per_test"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="answer_rating_on_the_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} {self.code}"
