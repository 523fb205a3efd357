"""Lived-experience partners on project teams, and leaders' first-hand engagement with
the improvement work."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet

from backend.models import Organisation, User
from backend.selectors import organisation_ids
from capability.models import Engagement
from capability.selectors.access import PYRAMID_READER_ROLES
from capability.tree import UnitTree
from projects.lifecycle import LIVE
from projects.models import Project, ProjectMember

PARTNER = ProjectMember.Role.LIVED_EXPERIENCE_PARTNER


@dataclass(frozen=True)
class Share:
    """Of ``projects`` under way in a part of the organisation, how many have a partner."""

    name: str
    projects: int
    with_partner: int

    @property
    def percent(self) -> int:
        return round(100 * self.with_partner / self.projects) if self.projects else 0

    @property
    def words(self) -> str:
        if not self.projects:
            return f"{self.name} has no projects under way."
        noun = "project" if self.projects == 1 else "projects"
        verb = "has" if 1 in (self.with_partner, self.projects) else "have"
        return (
            f"{self.with_partner} of {self.projects} {noun} under way in {self.name} {verb} a "
            f"lived-experience partner on the team ({self.percent}%)."
        )


def partner_involvement(*, organisation: Organisation, tree: UnitTree | None = None) -> dict:
    """The share of projects under way (active, sustaining or spreading) with a
    lived-experience partner on the team, for the organisation and by division: one
    grouped query by unit (and one for the units, unless the caller has their ``tree``).

    For the portfolio and the board page: ``{% include
    "capability/includes/partner_involvement.html" with involvement=... %}``.
    """
    tree = tree or UnitTree(organisation)
    partnered = ProjectMember.objects.filter(project=OuterRef("pk"), role=PARTNER)
    by_unit = (
        Project.objects.filter(organisation=organisation, status__in=LIVE)
        .order_by()
        .values_list("unit_id")
        .annotate(projects=Count("*"), with_partner=Count("pk", filter=Exists(partnered)))
    )
    totals: Counter = Counter()
    with_partner: Counter = Counter()
    for unit_id, projects, partners in by_unit:
        division = tree.division_of(unit_id)
        totals[division] += projects
        with_partner[division] += partners
    divisions = [
        Share(name=place.name, projects=totals[place.id], with_partner=with_partner[place.id])
        for place in tree.divisions()
    ]
    if totals[None]:
        divisions.append(
            Share(name="no division", projects=totals[None], with_partner=with_partner[None])
        )
    return {
        "organisation": organisation,
        "whole": Share(
            name=organisation.name,
            projects=sum(totals.values()),
            with_partner=sum(with_partner.values()),
        ),
        "divisions": divisions,
    }


def partner_places(*, user: User, partner: User) -> QuerySet[ProjectMember]:
    """The team places ``partner`` holds as a lived-experience partner, newest activity
    first: all of them for the partner, and for anyone else those in the organisations
    where they steer the work."""
    readable = (
        organisation_ids(user=user)
        if user.pk == partner.pk
        else organisation_ids(user=user, roles=PYRAMID_READER_ROLES)
    )
    return (
        ProjectMember.objects.filter(
            user=partner, role=PARTNER, project__organisation_id__in=readable
        )
        .select_related("project", "project__unit")
        .order_by("-project__last_activity_at", "project__title")
    )


def partner_list(*, organisation: Organisation) -> list[dict]:
    """Every lived-experience partner on a team in the organisation, with the number of
    projects they are part of and how many are under way (two queries)."""
    places = ProjectMember.objects.filter(
        project__organisation=organisation, role=PARTNER
    ).values_list("user_id", "project__status")
    counts: dict[int, Counter] = {}
    for user_id, status in places:
        counts.setdefault(user_id, Counter())["all"] += 1
        counts[user_id]["live"] += status in LIVE
    people = User.objects.filter(pk__in=list(counts)).order_by("full_name", "email")
    return [
        {"user": person, "projects": counts[person.pk]["all"], "live": counts[person.pk]["live"]}
        for person in people
    ]


def engagement_list(*, user: User) -> QuerySet[Engagement]:
    """Leaders' visits and stories in the organisations where the user steers the work
    (the QI team, leaders, coaches and administrators read them all)."""
    readable = organisation_ids(user=user, roles=PYRAMID_READER_ROLES)
    return Engagement.objects.filter(organisation_id__in=readable).select_related(
        "leader", "project", "project__unit", "organisation"
    )
