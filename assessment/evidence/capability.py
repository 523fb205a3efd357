"""Capability: finding and connecting skilled people (C1), the method in use (C2), the
pyramid against the dosing target (C3), celebrating and spreading what works (C4), and
service users on the teams (C5)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.db.models import Count, Max
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse

from assessment.evidence import (
    Evidence,
    evidence_for,
    figure,
    row,
    share,
    year_before,
)
from assessment.evidence._portfolio import LIVE_WORDS, live_projects, project_url, where
from backend.models import Organisation
from backend.words import day, plural
from capability import levels, selectors
from capability.models import Person
from capability.tree import UnitTree
from notifications.models import CELEBRATION_KINDS, Notification
from pdsa.models import Cycle
from projects.lifecycle import OPEN
from projects.models import ChangeIdea, ProjectMember
from spread.models import Adoption

RECENT_DAYS = 90


def skilled_on(organisation: Organisation, as_of: date) -> dict[int, str]:
    """The people trained to practitioner or above on ``as_of``, and their level."""
    upper = set(levels.at_least(levels.Level.PRACTITIONER))
    return {
        person_id: level
        for person_id, (_, level) in selectors.levels_on(
            organisation=organisation, as_of=as_of
        ).items()
        if level in upper
    }


@evidence_for("C1")
def skills_found_and_connected(organisation: Organisation, as_of: date) -> Evidence:
    skilled = skilled_on(organisation, as_of)
    unlisted = set(
        Person.objects.filter(pk__in=list(skilled), listed=False).values_list("pk", flat=True)
    )
    by_level = Counter(level for pk, level in skilled.items() if pk not in unlisted)
    coaches = (
        ProjectMember.objects.filter(
            project__organisation=organisation,
            project__status__in=OPEN,
            role=ProjectMember.Role.COACH,
        )
        .values("user_id")
        .order_by()
        .distinct()
        .count()
    )
    listed = len(skilled) - len(unlisted)
    return Evidence(
        statement=(
            f"The skills directory lists {plural(listed, 'person', 'people')} trained to "
            f"practitioner or above, with what each has led, run and coached "
            f"({len(unlisted)} opted out); {plural(coaches, 'coach', 'coaches')} "
            "support the open projects."
        ),
        figures=[
            figure("Practitioners and above listed", listed),
            figure("Opted out", len(unlisted)),
            figure("Coaches on open projects", coaches),
        ],
        method="People trained to practitioner or above on the date (approved courses, or a "
        "level the QI team set) whom the skills directory lists; coaches named on the teams "
        "of projects not yet over.",
        source={"label": "The skills directory", "url": reverse("directory-page")},
        rows=[
            row(levels.label(level), plural(by_level[level], "person listed", "people listed"))
            for level in levels.at_least(levels.Level.PRACTITIONER)
        ],
    )


def _cycle_day():
    # The day a cycle ran: when it started, else when it was planned to, else logged.
    return Coalesce("started_on", "planned_start", TruncDate("created_at"))


@evidence_for("C2")
def method_in_use(organisation: Organisation, as_of: date) -> Evidence:
    projects = live_projects(organisation)
    last_cycle = dict(
        Cycle.objects.filter(project__in=projects)
        .annotate(day=_cycle_day())
        .filter(day__lte=as_of)
        .values("project_id")
        .annotate(last=Max("day"))
        .values_list("project_id", "last")
    )
    recent_from = as_of - timedelta(days=RECENT_DAYS)
    recent = {pk for pk, day in last_cycle.items() if day and day >= recent_from}
    year_start = as_of - timedelta(days=365)
    in_year = list(
        Cycle.objects.filter(project__organisation=organisation)
        .annotate(day=_cycle_day())
        .filter(day__gt=year_start, day__lte=as_of)
        .values("project__unit_id")
        .annotate(cycles=Count("pk"))
    )
    tree = UnitTree(organisation)
    by_division: Counter = Counter()
    for item in in_year:
        division = tree.division_of(item["project__unit_id"])
        by_division[tree.places[division].name if division else "No division"] += item["cycles"]
    total = sum(by_division.values())
    rows = [
        row(name, f"{plural(count, 'cycle')} in 12 months, {count / 12:.1f} a month")
        for name, count in sorted(by_division.items())
    ]
    rows += [
        row(
            p.title,
            f"{where(p)} · last cycle "
            + (day(last_cycle[p.pk]) if p.pk in last_cycle else "never"),
            project_url(p.pk),
        )
        for p in sorted(projects, key=lambda p: (p.pk in recent, p.title))
    ]
    return Evidence(
        statement=(
            f"{len(recent)} of {plural(len(projects), 'project')} under way ran a PDSA cycle in "
            f"the last {RECENT_DAYS} days ({share(len(recent), len(projects))}%); "
            f"{plural(total, 'cycle')} in the last 12 months, {total / 12:.1f} a month."
        ),
        figures=[
            figure(f"Projects with a cycle in {RECENT_DAYS} days", len(recent)),
            figure("Share of projects under way", share(len(recent), len(projects)), "%"),
            figure("PDSA cycles in 12 months", total),
            *[
                figure(f"Cycles a month: {name}", round(count / 12, 1))
                for name, count in sorted(by_division.items())
            ],
        ],
        method=f"PDSA cycles by the day they ran (started, else planned, else logged). Of the "
        f"{LIVE_WORDS}, those whose latest cycle ran in the {RECENT_DAYS} days to the date; "
        "cycles a month by the division of each project's unit.",
        source={"label": "The projects and divisions behind it", "url": ""},
        rows=rows,
    )


@evidence_for("C3")
def pyramid_against_target(organisation: Organisation, as_of: date) -> Evidence:
    data = selectors.pyramid(organisation=organisation, as_of=as_of)
    whole = data["whole"]
    ratios = ", ".join(f"{t.label.lower()} {t.percent_text}%" for t in whole.tiers)
    return Evidence(
        statement=f"{whole.words} Targets from our dosing ratios ({ratios}) and a headcount "
        f"of {whole.headcount:,}.",
        figures=[
            figure("Headcount", whole.headcount),
            *[figure(f"{t.label}: trained", t.trained) for t in whole.tiers],
            *[figure(f"{t.label}: target", t.target) for t in whole.tiers],
        ],
        method="People trained to at least each level of the skills escalator (from approved "
        "training records, or a level the QI team set with a reason) against the dosing "
        "ratios applied to the headcount.",
        source={"label": "The capability pyramid", "url": reverse("capability-page")},
        rows=[row(scope.name, scope.words) for scope in [*data["divisions"], data["support"]]],
    )


@evidence_for("C4")
def celebrated_and_spread(organisation: Organisation, as_of: date) -> Evidence:
    start, end = year_before(as_of)
    celebrations = list(
        Notification.objects.filter(
            organisation=organisation,
            kind__in=CELEBRATION_KINDS,
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("kind", "subject_type", "subject_id", "period", "project__title", "project_id")
        .order_by()
        .distinct()
    )
    adopted = list(
        ChangeIdea.objects.filter(
            project__organisation=organisation,
            status=ChangeIdea.Status.ADOPTED,
            status_changed_at__gte=start,
            status_changed_at__lt=end,
        ).select_related("project", "project__unit")
    )
    spread = Adoption.objects.filter(
        candidate__organisation=organisation,
        status__in=[Adoption.Status.ADOPTED, Adoption.Status.ADAPTED],
        status_changed_at__gte=start,
        status_changed_at__lt=end,
    ).count()
    celebrated_projects = {c["project_id"] for c in celebrations if c["project_id"]}
    rows = [
        row(
            idea.title,
            f"adopted by {idea.project.title} ({idea.project.unit.name})",
            project_url(idea.project_id),
        )
        for idea in adopted
    ]
    return Evidence(
        statement=(
            f"In the 12 months to the date: {plural(len(celebrations), 'win')} celebrated "
            f"across {plural(len(celebrated_projects), 'project')}, "
            f"{plural(len(adopted), 'change')} adopted by the teams that tested them, and "
            f"{spread} taken up by other units."
        ),
        figures=[
            figure("Wins celebrated", len(celebrations)),
            figure("Projects celebrated", len(celebrated_projects)),
            figure("Changes adopted", len(adopted)),
            figure("Changes taken up elsewhere", spread),
        ],
        method="Celebrations Ripple sent (an SPC signal of improvement, an aim met, a change "
        "adopted or spread), each win counted once however many people it went to; change "
        "ideas adopted, and spread adoptions (adopted or adapted), in the 12 months.",
        source={"label": "The changes behind it", "url": ""},
        rows=rows,
    )


@evidence_for("C5")
def partners_on_teams(organisation: Organisation, as_of: date) -> Evidence:
    involvement = selectors.partner_involvement(organisation=organisation)
    whole = involvement["whole"]
    return Evidence(
        statement=whole.words,
        figures=[
            figure("Projects under way", whole.projects),
            figure("With a lived-experience partner", whole.with_partner),
            figure("Share with a partner", whole.percent, "%"),
            *[
                figure(f"Share with a partner: {s.name}", s.percent, "%")
                for s in involvement["divisions"]
            ],
        ],
        method=f"Of the {LIVE_WORDS}, those with a lived-experience partner named on the team.",
        source={"label": "Lived-experience partners", "url": reverse("partners-page")},
        rows=[row(s.name[:1].upper() + s.name[1:], s.words) for s in involvement["divisions"]],
    )
