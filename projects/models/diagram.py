"""Driver diagrams: primary and secondary drivers, and the change ideas that serve them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from projects.models.portfolio import Project


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
