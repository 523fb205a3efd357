"""PDSA cycles: one small test of a change idea, its worksheet, and ramps of cycles."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from backend.comments import Comment
from backend.uploads import Attachment
from projects.models import ChangeIdea, Measure, Project


class Cycle(models.Model):
    """A Plan-Do-Study-Act cycle. ``number`` counts cycles within the project."""

    class Purpose(models.TextChoices):
        COLLECT_INFORMATION = "collect_information", "Collect information"
        DEVELOP_CHANGE = "develop_change", "Develop a change"
        TEST_CHANGE = "test_change", "Test a change"
        IMPLEMENT_CHANGE = "implement_change", "Implement a change"

    class Stage(models.TextChoices):
        PLAN = "plan", "Plan"
        DO = "do", "Do"
        STUDY = "study", "Study"
        ACT = "act", "Act"
        DONE = "done", "Done"

    class Decision(models.TextChoices):
        ADOPT = "adopt", "Adopt"
        ADAPT = "adapt", "Adapt"
        ABANDON = "abandon", "Abandon"

    # A phone may make the id itself, so a record made offline keeps one identity. It is
    # unique within the project only: a uuid taken in another project (another trust's)
    # must not be refused, or the refusal would say that it exists.
    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="cycles")
    change_idea = models.ForeignKey(
        ChangeIdea, on_delete=models.SET_NULL, null=True, blank=True, related_name="cycles"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        help_text="The cycle this one follows on from, in a ramp.",
    )
    cloned_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="clones"
    )
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    purpose = models.CharField(max_length=30, choices=Purpose.choices, default=Purpose.TEST_CHANGE)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.PLAN)
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_cycles",
    )
    # Plan
    objective = models.TextField(blank=True)
    data_collection_plan = models.TextField(blank=True)
    measures = models.ManyToManyField(Measure, blank=True, related_name="cycles")
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    # Do
    started_on = models.DateField(null=True, blank=True)
    observations = models.TextField(blank=True)
    problems = models.TextField(blank=True)
    ended_on = models.DateField(null=True, blank=True)
    # Study
    learning = models.TextField(blank=True)
    # Act
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    next_steps = models.TextField(blank=True)
    spread_note = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
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
        ordering = ["project", "number"]
        indexes = [models.Index(fields=["stage", "planned_end"])]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="cycle_number_in_project"),
            models.UniqueConstraint(fields=["project", "uuid"], name="cycle_uuid_in_project"),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="cycle_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="cycle_ended_after_it_started",
            ),
            # A finished cycle always says what the team decided.
            models.CheckConstraint(
                condition=~Q(stage="done") | ~Q(decision=""),
                name="cycle_done_has_a_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"Cycle {self.number}: {self.title}"


class CycleQuestion(models.Model):
    """A question the cycle asks, the team's prediction, and (at Study) what happened."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    question = models.TextField()
    prediction = models.TextField(blank=True)
    result = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["cycle", "position", "id"]

    def __str__(self) -> str:
        return self.question[:60]


class CycleTask(models.Model):
    """A task of the plan: what, who, when, where, and whether it is done."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField(default=0)
    what = models.CharField(max_length=300)
    who = models.CharField(max_length=200, blank=True)
    when = models.DateField(null=True, blank=True)
    where = models.CharField(max_length=200, blank=True)
    done = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["cycle", "position", "id"]

    def __str__(self) -> str:
        return self.what


class CycleFile(Attachment):
    """A photo or PDF of a cycle (the form tested, the board after the test); checked,
    cleaned and served as ``backend.uploads`` says."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="files")

    history = HistoricalRecords()

    class Meta(Attachment.Meta):
        indexes = [models.Index(fields=["cycle", "-created_at"])]


class CycleComment(Comment):
    """A comment on a cycle (a coach's feedback on the test, the team's reply); shown on
    the cycle's page, and its project's team is told."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="comments")

    class Meta(Comment.Meta):
        indexes = [models.Index(fields=["cycle", "created_at"])]
