"""Each coach's weekly digest: their caseload, ranked by what needs them first.

Need, in order: a stalled project, overdue cycles, special-cause concern on a measure,
missing data or a study waiting, then wins to celebrate; a project with none of these is on
track. One digest per coach (per organisation they coach in) per ISO week, on the coach's
chosen weekday or the first scan after it, so a missed day is made up later in the week.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from notifications import links
from notifications.models import Kind, Preference
from notifications.rules import attention
from notifications.rules import evidence as ev
from notifications.rules.drafts import Draft
from notifications.rules.team import LIVE_STATUSES, Role, chunked
from notifications.rules.thresholds import ThresholdBook
from notifications.rules.words import periods, plural
from projects.models import Measure, Project, ProjectMember

OPEN_STATUSES = (*LIVE_STATUSES, Project.Status.PROPOSED, Project.Status.ON_HOLD)
STRENGTH_WORDS = {
    ev.SUSTAINED: "sustained improvement",
    ev.EARLY: "an early sign of improvement",
    ev.UNUSUAL: "an unusually good result",
}
DEFAULT_DIGEST_WEEKDAY = Preference._meta.get_field("digest_weekday").default


@dataclass
class CaseloadEntry:
    """One project in a coach's caseload, with what needs attention."""

    project_id: int
    organisation_id: int
    title: str
    status: str
    stall: attention.Stall | None = None
    overdue: list[attention.LateCycle] = field(default_factory=list)
    studies: list[attention.LateCycle] = field(default_factory=list)
    gaps: list[attention.DataGap] = field(default_factory=list)
    concerns: list[str] = field(default_factory=list)
    wins: list[tuple[str, str]] = field(default_factory=list)

    @property
    def need(self) -> tuple[int, int, int, int, int]:
        """Larger is more urgent; compared in the order a coach should act."""
        return (
            int(self.stall is not None),
            len(self.overdue),
            len(self.concerns),
            len(self.gaps) + len(self.studies),
            len(self.wins),
        )

    @property
    def needs_coach(self) -> bool:
        return any(self.need[:4])

    def reasons(self) -> list[str]:
        words = []
        if self.stall:
            words.append(f"stalled: no activity for {plural(self.stall.days, 'day')}")
        words += [f"cycle {c.number} overdue by {plural(c.days, 'day')}" for c in self.overdue]
        words += [f"special-cause concern on {name}" for name in self.concerns]
        words += [f"no data for {g.name} ({periods(g.missing, g.frequency)})" for g in self.gaps]
        words += [f"cycle {c.number} waiting to be studied" for c in self.studies]
        words += [f"to celebrate: {STRENGTH_WORDS[s]} in {name}" for name, s in self.wins]
        return words or ["on track"]


def coach_caseloads(
    *, now: datetime, thresholds: ThresholdBook, coach_ids: Collection[int] | None = None
) -> dict[tuple[int, int], list[CaseloadEntry]]:
    """Each coach's open projects by (coach id, organisation id), most in need first."""
    assignments = ProjectMember.objects.filter(
        role=Role.COACH, project__status__in=OPEN_STATUSES, user__is_active=True
    )
    if coach_ids is not None:
        assignments = assignments.filter(user_id__in=list(coach_ids))
    rows = list(
        assignments.values_list(
            "user_id", "project_id", "project__organisation_id", "project__title", "project__status"
        )
    )
    entries = {
        project_id: CaseloadEntry(project_id, org_id, title, status)
        for _, project_id, org_id, title, status in rows
    }
    _gather_attention(entries, now=now, thresholds=thresholds)
    caseloads: dict[tuple[int, int], list[CaseloadEntry]] = defaultdict(list)
    for coach_id, project_id, org_id, *_ in rows:
        caseloads[(coach_id, org_id)].append(entries[project_id])
    for caseload in caseloads.values():
        caseload.sort(key=lambda entry: (tuple(-n for n in entry.need), entry.title))
    return caseloads


def _gather_attention(
    entries: dict[int, CaseloadEntry], *, now: datetime, thresholds: ThresholdBook
) -> None:
    ids = list(entries)
    for stall in attention.find_stalls(now=now, thresholds=thresholds, project_ids=ids):
        entries[stall.project_id].stall = stall
    for cycle in attention.find_overdue_cycles(now=now, thresholds=thresholds, project_ids=ids):
        entries[cycle.project_id].overdue.append(cycle)
    for cycle in attention.find_studies_pending(now=now, thresholds=thresholds, project_ids=ids):
        entries[cycle.project_id].studies.append(cycle)
    for gap in attention.find_data_gaps(now=now, thresholds=thresholds, project_ids=ids):
        entries[gap.project_id].gaps.append(gap)
    measures = []
    for batch in chunked(ids):
        measures += list(
            Measure.objects.filter(project_id__in=batch).only(
                "id",
                "name",
                "project_id",
                "chart_type",
                "improvement_direction",
                "target",
                "fix_after_n_points",
                "revision",
                "created_at",
            )
        )
    results = ev.spc_by_measure(measures)
    for measure in measures:
        result = results.get(measure.pk)
        if result is None:
            continue
        if ev.shows_concern(result):
            entries[measure.project_id].concerns.append(measure.name)
        reading = ev.improvement_reading(result)
        if reading is not None:
            entries[measure.project_id].wins.append((measure.name, reading.strength))


def iso_week(now: datetime) -> str:
    year, week, _ = timezone.localdate(now).isocalendar()
    return f"{year}-W{week:02d}"


def weekly_digests(*, now: datetime, thresholds: ThresholdBook) -> list[Draft]:
    """A digest for each coach whose digest weekday has come this ISO week."""
    today = timezone.localdate(now)
    coach_ids = set(
        ProjectMember.objects.filter(
            role=Role.COACH, project__status__in=OPEN_STATUSES, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    weekdays = dict(
        Preference.objects.filter(user_id__in=coach_ids).values_list("user_id", "digest_weekday")
    )
    due = {c for c in coach_ids if today.weekday() >= weekdays.get(c, DEFAULT_DIGEST_WEEKDAY)}
    if not due:
        return []
    week = iso_week(now)
    caseloads = coach_caseloads(now=now, thresholds=thresholds, coach_ids=due)
    return [
        digest_draft(coach_id=coach_id, organisation_id=org_id, week=week, caseload=caseload)
        for (coach_id, org_id), caseload in caseloads.items()
    ]


def digest_draft(
    *, coach_id: int, organisation_id: int, week: str, caseload: list[CaseloadEntry]
) -> Draft:
    """The digest message: a headline and the caseload, most in need first."""
    in_need = sum(entry.needs_coach for entry in caseload)
    wins = sum(bool(entry.wins) for entry in caseload)
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
