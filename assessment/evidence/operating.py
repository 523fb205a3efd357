"""Operating system: the work aimed at the priorities (O1), expertise focused on the aims
(O3), and coaching (O4)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count
from django.urls import reverse

from assessment.evidence import Evidence, evidence_for, figure, row, share
from assessment.evidence._portfolio import LIVE_WORDS, live_projects, project_url, where
from assessment.evidence.capability import skilled_on
from backend.models import Membership, Organisation
from backend.words import plural
from capability.models import Person
from projects.lifecycle import OPEN
from projects.models import Project, ProjectMember

Role = ProjectMember.Role


def _serving_an_aim(organisation: Organisation, project_ids: list[int]) -> set[int]:
    """The projects linked to at least one active aim (every aim cascades from a bold
    aim, so a linked project serves one)."""
    return set(
        Project.aims.through.objects.filter(
            project_id__in=project_ids, strategicaim__is_active=True
        ).values_list("project_id", flat=True)
    )


@evidence_for("O1")
def projects_serving_the_aims(organisation: Organisation, as_of: date) -> Evidence:
    projects = live_projects(organisation)
    serving = _serving_an_aim(organisation, [p.pk for p in projects])
    linked = len(serving)
    rows = [
        row(
            p.title,
            f"{where(p)} · {'serves an aim' if p.pk in serving else 'serves no aim'}",
            project_url(p.pk),
        )
        for p in sorted(projects, key=lambda p: (p.pk in serving, p.title))
    ]
    return Evidence(
        statement=(
            f"{linked} of {plural(len(projects), 'project')} under way "
            f"{'serves' if linked == 1 else 'serve'} one of our strategic aims "
            f"({share(linked, len(projects))}%)."
        ),
        figures=[
            figure("Projects under way", len(projects)),
            figure("Serving a strategic aim", linked),
            figure("Share serving an aim", share(linked, len(projects)), "%"),
        ],
        method=f"Of the {LIVE_WORDS}, those linked to an active strategic aim; every aim "
        "cascades from one of the bold aims.",
        source={"label": "The projects behind it", "url": ""},
        rows=rows,
    )


@evidence_for("O3")
def expertise_on_the_aims(organisation: Organisation, as_of: date) -> Evidence:
    projects = live_projects(organisation)
    ids = [p.pk for p in projects]
    serving = _serving_an_aim(organisation, ids)
    coached = set(
        ProjectMember.objects.filter(project_id__in=ids, role=Role.COACH).values_list(
            "project_id", flat=True
        )
    )
    skilled = list(
        Person.objects.filter(
            pk__in=list(skilled_on(organisation, as_of)), user__isnull=False
        ).values_list("user_id", flat=True)
    )
    on_aims = set(
        ProjectMember.objects.filter(
            project_id__in=serving, role__in=[Role.LEAD, Role.COACH], user_id__in=skilled
        ).values_list("user_id", flat=True)
    )
    coached_on_aims = len(coached & serving)
    return Evidence(
        statement=(
            f"{coached_on_aims} of the {plural(len(coached), 'coached project')} under way "
            f"serve a strategic aim; {len(on_aims)} of {plural(len(skilled), 'person', 'people')} "
            "trained to practitioner or above lead or coach a project that serves one."
        ),
        figures=[
            figure("Coached projects under way", len(coached)),
            figure("Coached projects serving an aim", coached_on_aims),
            figure("Practitioners and above on Ripple", len(skilled)),
            figure("Leading or coaching aim work", len(on_aims)),
            figure("Share of practitioners on aim work", share(len(on_aims), len(skilled)), "%"),
        ],
        method=f"Of the {LIVE_WORDS}: those with a coach, and of those, the ones linked to an "
        "active aim. People trained to practitioner or above who use Ripple, and which of them "
        "lead or coach such a project.",
        source={"label": "The skills directory", "url": reverse("directory-page")},
        rows=[
            row(
                p.title,
                f"{where(p)} · {'serves an aim' if p.pk in serving else 'serves no aim'}",
                project_url(p.pk),
            )
            for p in projects
            if p.pk in coached
        ],
    )


@evidence_for("O4")
def coaching(organisation: Organisation, as_of: date) -> Evidence:
    projects = live_projects(organisation)
    ids = [p.pk for p in projects]
    coached = set(
        ProjectMember.objects.filter(project_id__in=ids, role=Role.COACH).values_list(
            "project_id", flat=True
        )
    )
    caseloads = list(
        ProjectMember.objects.filter(
            project__organisation=organisation, project__status__in=OPEN, role=Role.COACH
        )
        .values("user_id", "user__full_name", "user__email")
        .annotate(projects=Count("project", distinct=True))
        .order_by("-projects", "user__full_name")
    )
    capacity = dict(
        Membership.objects.filter(
            organisation=organisation, user_id__in=[c["user_id"] for c in caseloads]
        ).values_list("user_id", "caseload_capacity")
    )
    over = [
        c
        for c in caseloads
        if capacity.get(c["user_id"]) and c["projects"] > capacity[c["user_id"]]
    ]
    rows = [
        row(
            c["user__full_name"] or c["user__email"],
            f"coaches {plural(c['projects'], 'open project')}"
            + (f" (capacity {capacity[c['user_id']]})" if capacity.get(c["user_id"]) else ""),
        )
        for c in caseloads
    ]
    rows += [
        row(p.title, f"{where(p)} · no coach", project_url(p.pk))
        for p in projects
        if p.pk not in coached
    ]
    return Evidence(
        statement=(
            f"{len(coached)} of {plural(len(projects), 'project')} under way "
            f"{'has' if len(coached) == 1 else 'have'} a coach "
            f"({share(len(coached), len(projects))}%); "
            f"{plural(len(caseloads), 'coach', 'coaches')} support the open projects"
            + (f", {len(over)} over their capacity." if over else ", none over capacity.")
        ),
        figures=[
            figure("Projects under way with a coach", len(coached)),
            figure("Share with a coach", share(len(coached), len(projects)), "%"),
            figure("Coaches", len(caseloads)),
            figure("Coaches over capacity", len(over)),
        ],
        method=f"Coaches named on the teams of the {LIVE_WORDS}; each coach's caseload is "
        "the open projects they coach, against the capacity on their membership.",
        source={"label": "The coaches and projects behind it", "url": ""},
        rows=rows,
    )
