"""Improvement capability: the course catalogue, people's training records and the level
they give, headcounts and the dosing ratios behind the capability pyramid, and leaders'
engagement with the improvement work."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from backend.models import Organisation, Unit
from backend.words import day
from capability import levels
from capability.levels import Level
from projects.models import Project


class Course(models.Model):
    """A course in the organisation's catalogue, and the escalator level it gives."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="courses")
    name = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True)
    level = models.CharField(max_length=20, choices=Level.choices)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Inactive courses stay on old records but are not offered."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="course_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """Someone on the organisation's staff whose improvement training is recorded, whether
    or not they use Ripple (an HR export names many who never sign in); ``user`` links
    the record to their account when they have one.

    ``level`` is the level in force: ``set_level`` when the QI team has set one (with a
    reason), else ``records_level``, the highest level of their approved records. Both
    are stored so the pyramid counts people by level in one query; the history keeps
    every change of level, who made it and why.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="capability_people",
    )
    email = models.EmailField()
    full_name = models.CharField(max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )
    level = models.CharField(max_length=20, choices=Level.choices, blank=True, db_index=True)
    # The level's place on the escalator (0 for none), kept beside it so the skills
    # directory lists the highest first straight from an index.
    level_rank = models.PositiveSmallIntegerField(default=0, editable=False)
    records_level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    set_level = models.CharField(
        max_length=20,
        choices=Level.choices,
        blank=True,
        help_text="A level the QI team set by hand, which the records do not show.",
    )
    set_reason = models.TextField(blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    set_at = models.DateTimeField(null=True, blank=True)
    listed = models.BooleanField(
        default=True, help_text="Shown in the skills directory (people may opt out)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "full_name", "email"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "email"], name="person_email_once"),
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(user__isnull=False),
                name="person_once_per_user",
            ),
            models.CheckConstraint(
                condition=Q(set_level="") | ~Q(set_reason=""), name="person_set_level_says_why"
            ),
            models.CheckConstraint(
                condition=Q(level="", level_rank=0)
                | Q(level=Level.FOUNDATION, level_rank=1)
                | Q(level=Level.PRACTITIONER, level_rank=2)
                | Q(level=Level.ADVANCED, level_rank=3)
                | Q(level=Level.EXPERT, level_rank=4),
                name="person_level_rank_follows_level",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "level"]),
            models.Index(
                fields=["organisation", "-level_rank", "full_name", "id"],
                condition=Q(listed=True),
                name="person_directory_order",
            ),
            # The pyramid counts the trained by unit and level from this alone (on
            # PostgreSQL an index-only scan: half the time of reading every person).
            models.Index(
                fields=["organisation", "unit", "level"],
                condition=~Q(level=""),
                name="person_place",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def put_level(self, level: str) -> None:
        """Set the level in force, and its rank with it."""
        self.level, self.level_rank = level, levels.rank(level)


class TrainingRecord(models.Model):
    """A course a person completed. Imported and QI-team records count at once; one a
    person adds for themselves counts once the QI team approves it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    class Source(models.TextChoices):
        IMPORT = "import", "Imported from HR"
        QI_TEAM = "qi_team", "Added by the QI team"
        SELF = "self", "Added by the person"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="records")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="records")
    completed_on = models.DateField()
    evidence_url = models.URLField(max_length=500, blank=True)
    evidence_file = models.FileField(upload_to="training-evidence/%Y/", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(max_length=20, choices=Source.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "course", "completed_on"], name="training_record_once"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined", decline_reason=""),
                name="training_record_declined_says_why",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "completed_on"]),
            models.Index(fields=["-completed_on", "-id"], name="training_record_newest"),
            # Training each quarter reads this alone (PostgreSQL: an index-only scan).
            models.Index(
                fields=["course", "completed_on"],
                include=["person"],
                condition=Q(status="approved"),
                name="training_record_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.course} ({day(self.completed_on)})"


class Headcount(models.Model):
    """How many staff work in a unit (a ward, a service, a directorate or a whole
    division): what the dosing targets are sized from. A unit's count includes everyone
    beneath it, so no unit has a count when one above or below it does."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="headcounts"
    )
    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="headcount")
    staff = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "unit__name"]

    def __str__(self) -> str:
        return f"{self.unit}: {self.staff}"


PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
# The framework's example (adapted from IHI): 50%, 5%, 0.5% and 0.05% of staff.
DEFAULT_RATIOS = {
    Level.FOUNDATION: Decimal("50"),
    Level.PRACTITIONER: Decimal("5"),
    Level.ADVANCED: Decimal("0.5"),
    Level.EXPERT: Decimal("0.05"),
}


class DosingRatios(models.Model):
    """The share of staff an organisation aims to train to each level (the dosing
    formula). IHI calls the formula a planning heuristic, so each organisation sets its
    own; one without a row uses the defaults."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="dosing_ratios"
    )
    foundation = models.DecimalField(
        max_digits=6, decimal_places=3, default=DEFAULT_RATIOS[Level.FOUNDATION], validators=PERCENT
    )
    practitioner = models.DecimalField(
        max_digits=6,
        decimal_places=3,
        default=DEFAULT_RATIOS[Level.PRACTITIONER],
        validators=PERCENT,
    )
    advanced = models.DecimalField(
        max_digits=6, decimal_places=3, default=DEFAULT_RATIOS[Level.ADVANCED], validators=PERCENT
    )
    expert = models.DecimalField(
        max_digits=6, decimal_places=3, default=DEFAULT_RATIOS[Level.EXPERT], validators=PERCENT
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "dosing ratios"

    def __str__(self) -> str:
        return f"Dosing ratios of {self.organisation}"

    def percent(self, level: str) -> Decimal:
        """The share of staff (a percentage) to train to at least ``level``."""
        return getattr(self, Level(level).value)


class Engagement(models.Model):
    """A leader's first-hand contact with the improvement work: a visit to a project, or
    a story heard at the board, and what they learned (evidence for key test L2)."""

    class Kind(models.TextChoices):
        VISIT = "visit", "Visited a project"
        STORY = "story", "Heard a story at the board"
        LEARNING = "learning", "Joined a learning event"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="engagements"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="engagements"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    happened_on = models.DateField()
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engagements",
    )
    learned = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["organisation", "happened_on"])]

    def __str__(self) -> str:
        return f"{self.leader}: {self.get_kind_display()} on {day(self.happened_on)}"
