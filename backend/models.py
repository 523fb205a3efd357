"""Accounts and tenancy: users, organisations, their units, and who belongs where."""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str) -> User:
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


class Organisation(models.Model):
    """A trust or care system: every other row in Ripple belongs to exactly one."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    ods_code = models.CharField(
        "ODS code", max_length=10, blank=True, help_text="NHS Organisation Data Service code."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A place in an organisation's hierarchy: site, division, directorate, ward or team."""

    class Level(models.TextChoices):
        SITE = "site", "Site"
        DIVISION = "division", "Division"
        DIRECTORATE = "directorate", "Directorate"
        UNIT = "unit", "Ward or team"

    class Kind(models.TextChoices):
        WARD = "ward", "Ward"
        CLINIC = "clinic", "Clinic"
        COMMUNITY_TEAM = "community_team", "Community team"
        THEATRES = "theatres", "Theatres"
        EMERGENCY = "emergency", "Emergency department"
        HR = "hr", "HR"
        FINANCE = "finance", "Finance"
        IT = "it", "IT"
        ESTATES = "estates", "Estates"
        OTHER = "other", "Other"

    # The support services: matched with each other for spread, not with clinical areas.
    SUPPORT_KINDS = frozenset({Kind.HR, Kind.FINANCE, Kind.IT, Kind.ESTATES})

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name = models.CharField(max_length=200)
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.UNIT)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    specialty = models.CharField(max_length=100, blank=True)
    tags = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "parent", "name"], name="unit_unique_name_in_parent"
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="unit_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one organisation; a user may belong to several."""

    class Role(models.TextChoices):
        FRONTLINE = "frontline", "Frontline"
        COACH = "coach", "Improvement coach"
        QI_TEAM = "qi_team", "QI team"
        LEADER = "leader", "Leader"
        LIVED_EXPERIENCE_PARTNER = "lived_experience_partner", "Lived-experience partner"
        ADMIN = "admin", "Administrator"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    home_unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="home_members"
    )
    caseload_capacity = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How many projects a coach can support at once."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_one_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"


# Who may write what, by role. Kept here so every app asks the same question.
ADMIN_ROLES = frozenset({Membership.Role.ADMIN, Membership.Role.QI_TEAM})
LEADERSHIP_ROLES = ADMIN_ROLES | {Membership.Role.LEADER}


class IdempotencyRecord(models.Model):
    """The stored outcome of a create request sent with an ``Idempotency-Key``.

    A retry with the same key replays ``response_body``; the unique constraint is what
    stops two concurrent requests from both doing the work.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    body_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=20, choices=State.choices, default=State.IN_PROGRESS)
    lease_token = models.UUIDField(default=uuid.uuid4)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user"),
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"


class WorkerHeartbeat(models.Model):
    """When a Celery worker last ran the heartbeat task; shown by ``/healthz``."""

    name = models.CharField(max_length=50, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
