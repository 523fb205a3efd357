"""Nudges, celebrations and digests; who wants them how; and which periodic runs have acted."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from backend.models import Organisation


class Kind(models.TextChoices):
    """What a notification is about; users mute kinds by these values."""

    STALLED = "nudge_stalled", "Project stalled"
    OVERDUE = "nudge_overdue", "Cycle overdue"
    MISSING_DATA = "nudge_missing_data", "Data missing"
    STUDY_PENDING = "nudge_study_pending", "Study pending"
    DIGEST = "digest_weekly", "Weekly digest"
    SIGNAL = "celebration_signal", "Improvement signal"
    AIM_MET = "celebration_aim_met", "Aim met"
    CHANGE_ADOPTED = "celebration_change_adopted", "Change adopted"
    CHANGE_SPREAD = "celebration_change_spread", "Change adopted elsewhere"
    APPROVAL_REQUESTED = "approval_requested", "Project waiting for approval"
    APPROVAL_DECIDED = "approval_decided", "Project approved or returned"
    COMMENT = "comment", "Comment on the team's work"
    THANKS = "thanks", "Thanks for a win"
    SPREAD_OFFER = "spread_offer", "A change offered to your unit"


NUDGE_KINDS = frozenset({Kind.STALLED, Kind.OVERDUE, Kind.MISSING_DATA, Kind.STUDY_PENDING})
CELEBRATION_KINDS = frozenset({Kind.SIGNAL, Kind.AIM_MET, Kind.CHANGE_ADOPTED, Kind.CHANGE_SPREAD})


class Channel(models.TextChoices):
    IN_APP = "in_app", "In the app"
    EMAIL = "email", "E-mail"


class Notification(models.Model):
    """One message to one person. ``dedupe_key`` (recipient, kind, subject, period) is unique,
    so a rule that runs twice, or in two processes at once, says a thing only once.

    The subject is one of the explicit project/cycle/measure keys, and always
    ``subject_type`` + ``subject_id`` as well, so later kinds (a spread adoption) need no
    migration here. E-mail: ``email_due_at`` is when it may go (None: no e-mail wanted),
    ``email_claimed_at`` is a delivery attempt's lease, ``email_sent_at`` ends it.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    cycle = models.ForeignKey(
        "pdsa.Cycle", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    measure = models.ForeignKey(
        "projects.Measure", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject_type = models.CharField(max_length=40)
    subject_id = models.PositiveBigIntegerField()
    period = models.CharField(
        max_length=60, blank=True, help_text="Which occurrence: a stall's start, an ISO week ..."
    )
    dedupe_key = models.CharField(max_length=255, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    in_app = models.BooleanField(default=True, help_text="Shown in the recipient's list.")
    delivered_channels = models.JSONField(default=list, blank=True)
    email_due_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_feed"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True, in_app=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["email_due_at"],
                condition=Q(email_sent_at__isnull=True, email_due_at__isnull=False),
                name="notification_email_pending",
            ),
            # The wins page reads an organisation's recent celebrations; among a year of
            # nudges, digests and comments they are a few rows in hundreds of thousands.
            # (Sorted: a frozenset's order would change the migration from run to run.)
            models.Index(
                fields=["organisation", "created_at"],
                condition=Q(kind__in=sorted(CELEBRATION_KINDS)),
                name="notification_wins",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_id}: {self.title}"

    @property
    def win_key(self) -> str:
        """The celebration this row tells one recipient of, the same for every recipient."""
        return f"{self.kind}:{self.subject_type}:{self.subject_id}:{self.period}"[:255]

    @staticmethod
    def key_for(
        *, recipient_id: int, kind: str, subject_type: str, subject_id: int, period: str
    ) -> str:
        return f"{recipient_id}:{kind}:{subject_type}:{subject_id}:{period}"[:255]


class Preference(models.Model):
    """How one person wants to hear from Ripple. No row means the defaults below."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    muted_kinds = models.JSONField(default=list, blank=True)
    digest_weekday = models.PositiveSmallIntegerField(
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(6)],
        help_text="0 is Monday.",
    )
    # In the organisation's time zone (settings.TIME_ZONE); may wrap midnight (21:00-07:00).
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(digest_weekday__gte=0, digest_weekday__lte=6),
                name="preference_digest_weekday_is_a_day",
            ),
            models.CheckConstraint(
                condition=Q(quiet_hours_start__isnull=True, quiet_hours_end__isnull=True)
                | Q(quiet_hours_start__isnull=False, quiet_hours_end__isnull=False),
                name="preference_quiet_hours_have_both_ends",
            ),
        ]

    def __str__(self) -> str:
        return f"Preferences of {self.user_id}"

    def clean(self) -> None:
        super().clean()
        unknown = sorted(set(self.muted_kinds or []) - set(Kind.values))
        if unknown:
            raise ValidationError({"muted_kinds": f"Unknown kinds: {', '.join(unknown)}."})
        if (self.quiet_hours_start is None) != (self.quiet_hours_end is None):
            raise ValidationError(
                {"quiet_hours_end": "Quiet hours need both a start and an end, or neither."}
            )

    def wants(self, kind: str) -> bool:
        return kind not in (self.muted_kinds or [])

    @property
    def quiet_hours(self) -> tuple[time, time] | None:
        if self.quiet_hours_start is None or self.quiet_hours_end is None:
            return None
        if self.quiet_hours_start == self.quiet_hours_end:
            return None
        return self.quiet_hours_start, self.quiet_hours_end


class NudgeSettings(models.Model):
    """An organisation's thresholds for nudges. No row means the defaults."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="nudge_settings"
    )
    stall_days = models.PositiveSmallIntegerField(
        default=21,
        validators=[MinValueValidator(1)],
        help_text="An active project with no cycle, data or update for this many days.",
    )
    overdue_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1)],
        help_text="A cycle still in Do this many days after its planned end.",
    )
    missing_periods = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1)],
        help_text="A measure with no data point for this many of its periods.",
    )
    study_pending_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1)],
        help_text="A cycle in Study with no learning written for this many days.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "nudge settings"

    def __str__(self) -> str:
        return f"Nudge thresholds of {self.organisation_id}"


class Thanks(models.Model):
    """Someone thanked a project team, or one person on it, for a win: how Ripple
    recognises the people leading improvement. A win is one celebration, whoever received
    it: ``win_key`` is its kind, subject and period (``Notification.win_key``)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    win_key = models.CharField(max_length=255, db_index=True)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thanks_sent"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="thanks_received",
        help_text="Who is thanked; empty for the whole team.",
    )
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "thanks"

    def __str__(self) -> str:
        return f"Thanks from {self.sender_id} for {self.win_key}"


class JobRun(models.Model):
    """A periodic job's claim on its time slot: the unique constraint is what stops a second
    beat (or a beat that fires twice) from running the same slot again."""

    job = models.CharField(max_length=60)
    slot = models.CharField(max_length=40, help_text="e.g. 2026-11-23 for a daily job.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="job_run_once_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.slot}"
