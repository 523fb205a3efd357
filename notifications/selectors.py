"""Read queries for notifications: a person sees only their own, in organisations they
still belong to; and a coach's caseload, which the QI team may read too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Min, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from backend.errors import forbid
from backend.models import ADMIN_ROLES, Membership, Organisation, User
from backend.selectors import has_role, organisation_ids, user_memberships
from notifications.models import CELEBRATION_KINDS, Notification, NudgeSettings, Preference, Thanks
from notifications.rules import thresholds_by_organisation
from notifications.rules.caseload import (
    CaseloadEntry,
    by_need,
    coach_caseloads,
    project_attention,
)
from projects.models import Project

# Who may read another person's caseload: those who balance the coaches' load.
CASELOAD_READER_ROLES = ADMIN_ROLES
# Who sets when nudges go out.
NUDGE_SETTERS = ADMIN_ROLES
# How far back the wins page looks: a year of an organisation's celebrations.
RECENT_WINS = timedelta(days=365)


def notification_list(*, user: User) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first."""
    return Notification.objects.filter(
        recipient=user, in_app=True, organisation_id__in=organisation_ids(user=user)
    ).order_by("-id")


def notification_unread_count(*, user: User) -> int:
    """How many of the user's in-app notifications are unread."""
    return notification_list(user=user).filter(read_at=None).count()


def preference_get(*, user: User) -> Preference:
    """The user's preferences; the defaults (unsaved) when they never set any."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def win_ids(*, user: User) -> QuerySet:
    """The recent celebrations of the user's organisations, each win once (every member
    of the team has a row of their own; the first names the win), newest first, as rows
    whose ``"first"`` is that row's id: page these, then read the page's rows with
    ``wins_by_ids``. Read through the celebrations' own index, however many other
    notifications there are. (The rows keep what they are grouped by, so that counting
    them is valid SQL on SQLite too.)"""
    since = timezone.now() - RECENT_WINS
    return (
        Notification.objects.filter(
            organisation_id__in=organisation_ids(user=user),
            kind__in=CELEBRATION_KINDS,
            created_at__gte=since,
        )
        .values("kind", "subject_type", "subject_id", "period")
        .annotate(first=Min("id"))
        .order_by("-first")
    )


def wins_by_ids(ids: list[int]) -> list[Notification]:
    """The celebrations ``ids`` names (the ``"first"`` of a page of ``win_ids``), in that
    order, with the project, its unit and the measure. One query."""
    found = Notification.objects.select_related("project__unit", "measure").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def win_get(*, user: User, pk: int) -> Notification:
    """One celebration row of the user's organisations (anyone's: it names a win), or 404."""
    return get_object_or_404(
        Notification.objects.filter(
            organisation_id__in=organisation_ids(user=user), kind__in=CELEBRATION_KINDS
        ).select_related("project__unit", "measure"),
        pk=pk,
    )


def thanks_by_win(*, wins: list[Notification]) -> dict[str, list[Thanks]]:
    """The thanks each win received, oldest first, by its key, in one query."""
    found: dict[str, list[Thanks]] = {win.win_key: [] for win in wins}
    rows = Thanks.objects.filter(win_key__in=list(found)).select_related("sender", "person")
    for thanks in rows.order_by("id"):
        found[thanks.win_key].append(thanks)
    return found


def nudge_settings_organisations(*, user: User) -> QuerySet[Organisation]:
    """The organisations whose nudge thresholds the user may set (QI team, admins)."""
    return Organisation.objects.filter(
        pk__in=organisation_ids(user=user, roles=NUDGE_SETTERS)
    ).order_by("name")


def nudge_settings_get(*, organisation: Organisation) -> NudgeSettings:
    """The organisation's thresholds; the defaults (unsaved) when none were ever set."""
    return NudgeSettings.objects.filter(organisation=organisation).first() or NudgeSettings(
        organisation=organisation
    )


@dataclass(frozen=True)
class CoachLoad:
    """How many open projects a coach has against what they can support."""

    projects: int
    capacity: int | None
    need_you: int

    @property
    def over_capacity(self) -> bool:
        return self.capacity is not None and self.projects > self.capacity


@dataclass(frozen=True)
class Caseload:
    coach: User
    organisation_ids: list[int]
    as_of: datetime
    load: CoachLoad
    entries: list[CaseloadEntry]


def caseload_get(
    *,
    user: User,
    coach_id: int | None = None,
    organisation_id: int | None = None,
    now: datetime | None = None,
) -> Caseload:
    """A coach's open projects, most in need first, and their load against capacity.

    Without ``coach_id`` (or with the user's own id) it is the user's own caseload, in
    every organisation they belong to: the projects they coach, empty for someone who
    coaches none. Another person's caseload is for the QI team and admins of an
    organisation that person belongs to: someone in none of the user's organisations is a
    404, one the user may see but not read the caseload of is a 403. ``organisation_id``
    narrows it to one of the user's organisations (another's is a 404). The capacity is
    the sum of the coach's ``caseload_capacity`` in those organisations (None when none
    is set). The order and reasons are the weekly digest's (``coach_caseloads``).
    """
    scope = organisation_ids(user=user)
    if organisation_id is not None:
        if organisation_id not in scope:
            raise Http404("No such organisation.")
        scope = [organisation_id]
    if coach_id is None or coach_id == user.pk:
        coach = user
        memberships = [user_memberships(user=user)[org] for org in scope]
    else:
        memberships = _readable_memberships(user=user, coach_id=coach_id, scope=scope)
        coach = memberships[0].user
    organisations = [membership.organisation_id for membership in memberships]
    now = now or timezone.now()
    caseloads = coach_caseloads(
        now=now,
        thresholds=thresholds_by_organisation(organisations),
        coach_ids=[coach.pk],
        organisation_ids=organisations,
    )
    entries = sorted((entry for rows in caseloads.values() for entry in rows), key=by_need)
    capacities = [m.caseload_capacity for m in memberships if m.caseload_capacity is not None]
    load = CoachLoad(
        projects=len(entries),
        capacity=sum(capacities) if capacities else None,
        need_you=sum(entry.needs_coach for entry in entries),
    )
    return Caseload(coach, organisations, now, load, entries)


def _readable_memberships(*, user: User, coach_id: int, scope: list[int]) -> list[Membership]:
    shared = list(
        Membership.objects.filter(user_id=coach_id, organisation_id__in=scope)
        .select_related("user")
        .order_by("organisation_id")
    )
    if not shared:
        raise Http404("No such coach in your organisation.")
    readable = [
        membership
        for membership in shared
        if has_role(
            user=user, organisation_id=membership.organisation_id, roles=CASELOAD_READER_ROLES
        )
    ]
    if not readable:
        forbid("Only the QI team and administrators may read another coach's caseload.")
    return readable


def project_attention_get(*, project: Project, now: datetime | None = None) -> CaseloadEntry:
    """What needs a coach on one project, exactly as its row in a caseload says it (the
    same rules, reasons and next action), by its organisation's thresholds. The caller
    has scoped ``project`` to the user (``projects.selectors.project_get``)."""
    return project_attention(
        project=project,
        now=now or timezone.now(),
        thresholds=thresholds_by_organisation([project.organisation_id]),
    )


def coach_list(*, user: User) -> QuerySet[Membership]:
    """The coaches of the organisations where the user may read another coach's
    caseload (the QI team's and admins'), by name; empty for everyone else."""
    readable = organisation_ids(user=user, roles=CASELOAD_READER_ROLES)
    return (
        Membership.objects.filter(organisation_id__in=readable, role=Membership.Role.COACH)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
