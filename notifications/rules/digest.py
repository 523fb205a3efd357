"""Each coach's weekly digest: their caseload, ranked by what needs them first.

The caseload and its order of need are ``caseload.coach_caseloads``, the same that the
caseload endpoint shows: a stalled project, overdue cycles, special-cause concern on a
measure, missing data or a study waiting, then wins to celebrate; a project with none of
these is on track. One digest per coach (per organisation they coach in) per ISO week, on
the coach's chosen weekday or the first scan after it, so a missed day is made up later in
the week.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.utils import timezone

from backend.words import plural
from notifications import links
from notifications.models import Kind, Preference
from notifications.rules.caseload import CaseloadEntry, coach_caseloads
from notifications.rules.drafts import Draft
from notifications.rules.team import Role
from notifications.rules.thresholds import ThresholdBook
from projects.lifecycle import OPEN
from projects.models import ProjectMember

DEFAULT_DIGEST_WEEKDAY = Preference._meta.get_field("digest_weekday").default


def iso_week(now: datetime) -> str:
    year, week, _ = timezone.localdate(now).isocalendar()
    return f"{year}-W{week:02d}"


def weekly_digests(
    *, now: datetime, thresholds: ThresholdBook, organisation_ids: Collection[int] | None = None
) -> list[Draft]:
    """A digest for each coach whose digest weekday has come this ISO week (for their
    caseloads in ``organisation_ids`` only, when given)."""
    today = timezone.localdate(now)
    coaching = ProjectMember.objects.filter(
        role=Role.COACH, project__status__in=OPEN, user__is_active=True
    )
    if organisation_ids is not None:
        coaching = coaching.filter(project__organisation_id__in=list(organisation_ids))
    coach_ids = set(coaching.values_list("user_id", flat=True))
    weekdays = dict(
        Preference.objects.filter(user_id__in=coach_ids).values_list("user_id", "digest_weekday")
    )
    due = {c for c in coach_ids if today.weekday() >= weekdays.get(c, DEFAULT_DIGEST_WEEKDAY)}
    if not due:
        return []
    week = iso_week(now)
    caseloads = coach_caseloads(
        now=now, thresholds=thresholds, coach_ids=due, organisation_ids=organisation_ids
    )
    return [
        digest_draft(coach_id=coach_id, organisation_id=org_id, week=week, caseload=caseload)
        for (coach_id, org_id), caseload in caseloads.items()
    ]


def digest_draft(
    *, coach_id: int, organisation_id: int, week: str, caseload: list[CaseloadEntry]
) -> Draft:
    """The digest message: a headline and the caseload, most in need first."""
    in_need = sum(entry.needs_coach for entry in caseload)
    wins = sum(bool(entry.wins_not_celebrated) for entry in caseload)
    total = plural(len(caseload), "project")
    headline = (
        f"{in_need} of your {total} need you this week"
        if in_need
        else f"All {total} of your caseload are on track"
    )
    if wins:
        headline += f"; {plural(wins, 'win')} to celebrate"
    lines = [
        f"{position}. {entry.title}: {'; '.join(entry.reasons())}"
        for position, entry in enumerate(caseload, start=1)
    ]
    return Draft(
        recipient_id=coach_id,
        organisation_id=organisation_id,
        kind=Kind.DIGEST,
        subject_type="organisation",
        subject_id=organisation_id,
        period=week,
        title=f"Your week ({week}): {headline}",
        body="Your caseload, most in need first:\n" + "\n".join(lines),
        link=links.home_link(),
        evidence={
            "week": week,
            "caseload": [
                {
                    "project_id": entry.project_id,
                    "title": entry.title,
                    "needs_coach": entry.needs_coach,
                    "reasons": entry.reasons(),
                }
                for entry in caseload
            ],
        },
    )
