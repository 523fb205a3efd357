"""Leadership: how the board engages with the improvement work first-hand (L2)."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse

from assessment.evidence import Evidence, evidence_for, figure, row
from assessment.evidence._portfolio import live_projects, project_url, where
from backend.models import Membership, Organisation
from backend.words import day, plural
from capability.models import Engagement
from projects.models import ProjectMember


@evidence_for("L2")
def board_engagement(organisation: Organisation, as_of: date) -> Evidence:
    records = list(
        Engagement.objects.filter(
            organisation=organisation,
            happened_on__gt=as_of - timedelta(days=365),
            happened_on__lte=as_of,
        ).select_related("leader", "project")
    )
    leaders = {record.leader_id for record in records}
    visited = {record.project_id for record in records if record.project_id}
    visits = sum(record.kind == Engagement.Kind.VISIT for record in records)
    stories = sum(record.kind == Engagement.Kind.STORY for record in records)
    board = Membership.objects.filter(organisation=organisation, role=Membership.Role.LEADER)
    projects = live_projects(organisation)
    sponsored = list(
        ProjectMember.objects.filter(
            project__in=projects,
            role=ProjectMember.Role.SPONSOR,
            user_id__in=board.values("user_id"),
        )
        .values_list("project_id", flat=True)
        .order_by()
        .distinct()
    )
    titles = {project.pk: project for project in projects}
    return Evidence(
        statement=(
            f"In the 12 months to the date, {plural(len(leaders), 'leader')} recorded "
            f"{plural(visits, 'visit')} to projects and {plural(stories, 'story', 'stories')} "
            f"heard at the board ({len(records)} in all), covering "
            f"{plural(len(visited), 'project')}; leaders sponsor "
            f"{plural(len(sponsored), 'project')} under way."
        ),
        figures=[
            figure("Visits and stories recorded", len(records)),
            figure("Visits to projects", visits),
            figure("Stories heard at the board", stories),
            figure("Leaders taking part", len(leaders)),
            figure("Projects under way sponsored by a leader", len(sponsored)),
        ],
        method="Visits, stories and learning events leaders recorded in Ripple in the 12 "
        "months to the date; projects under way with a leader named as sponsor.",
        source={"label": "Visits and stories", "url": reverse("engagement-page")},
        rows=[
            row(
                f"{day(record.happened_on)}: {record.leader}",
                f"{record.get_kind_display()}"
                + (f": {record.project.title}" if record.project else "")
                + f". {record.learned}",
                project_url(record.project_id) if record.project_id else None,
            )
            for record in records
        ]
        + [
            row(titles[pk].title, f"{where(titles[pk])} · sponsored by a leader", project_url(pk))
            for pk in sponsored
        ],
    )
