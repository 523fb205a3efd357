"""Accounts and tenancy: users, organisations, their units, and who belongs where."""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from simple_history.models import HistoricalRecords


def normalise_email(email: str) -> str:
    """An e-mail address as Ripple stores it: trimmed and lower-cased whole.

    Find a stored address with ``email=normalise_email(text)``, not ``email__iexact``:
    Python lower-cases some letters (``İ``) in ways PostgreSQL's ``UPPER`` does not undo,
    so a case-insensitive look-up can miss the very row the unique constraint then trips on.
    """
    return BaseUserManager.normalize_email(email.strip()).lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=normalise_email(email), **extra)
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
    # Raised to end every session of the person at once (deactivated, password reset):
    # it is part of the hash each session carries, so their old sessions stop matching.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

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
        self.email = normalise_email(self.email)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        return salted_hmac(
            "backend.models.User.session",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Organisation(models.Model):
    """A trust or care system: every other row in Ripple belongs to exactly one."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    ods_code = models.CharField(
        "ODS code", max_length=10, blank=True, help_text="NHS Organisation Data Service code."
    )
    projects_need_approval = models.BooleanField(
        default=False,
        help_text="New projects stay proposed until a coach or the QI team approves them.",
    )
    password_sign_in = models.BooleanField(
        default=True,
        help_text="Whether its people may sign in with a password; off means single sign-on only.",
    )
    default_unit = models.ForeignKey(
        "Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where someone who joins by single sign-on from an allowed domain starts.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

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

    @property
    def described_as(self) -> str:
        """What kind of place this is, in words that do not repeat its name ("HR: HR")."""
        if self.level != self.Level.UNIT:
            return self.get_level_display()
        if self.kind in self.SUPPORT_KINDS:
            return "Support service"
        return self.get_kind_display()


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


class AllowedDomain(models.Model):
    """An e-mail domain whose people may join the organisation by single sign-on without an
    invitation. A domain belongs to one organisation, so a first sign-in has one answer."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="allowed_domains"
    )
    domain = models.CharField(max_length=253)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(Lower("domain"), name="allowed_domain_unique"),
        ]

    def __str__(self) -> str:
        return self.domain


class Invitation(models.Model):
    """An invitation to join an organisation in a role, sent as a one-time link by e-mail.

    The link carries a signed (id, ``token_version``): a resend raises the version, so the
    old link stops working; accepting or revoking ends it; it expires at ``expires_at``.
    Nothing secret is stored, so the e-mail task can write the link from the row alone.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    full_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=30, choices=Membership.Role.choices)
    home_unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    token_version = models.PositiveIntegerField(default=1)
    # The version whose e-mail has gone: a task run twice sends it once.
    emailed_version = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.organisation_id}"

    @property
    def is_open(self) -> bool:
        """Not yet accepted or revoked (it may have expired)."""
        return self.accepted_at is None and self.revoked_at is None

    def is_usable(self, now=None) -> bool:
        return self.is_open and (now or timezone.now()) < self.expires_at


class SignInEvent(models.Model):
    """One attempt to sign in, kept for the organisation's administrators to read and for
    the lockout rule to count. ``email`` is as typed (lower case), whether or not it names
    an account; ``user`` is set when it does."""

    class Method(models.TextChoices):
        PASSWORD = "password", "Password"
        TOKEN = "token", "API token"
        SSO = "sso", "Single sign-on"

    class Outcome(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        FAILED = "failed", "Wrong e-mail or password"
        LOCKED_OUT = "locked_out", "Locked out after too many attempts"
        REFUSED = "refused", "Refused"

    email = models.CharField(max_length=254)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="sign_in_events"
    )
    method = models.CharField(max_length=10, choices=Method.choices)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    detail = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["email", "-at"], name="sign_in_event_by_email"),
            models.Index(fields=["user", "-at"], name="sign_in_event_by_user"),
        ]

    def __str__(self) -> str:
        return f"{self.email} {self.outcome} at {self.at:%Y-%m-%d %H:%M}"
