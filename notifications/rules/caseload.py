"""A coach's caseload: the projects they coach and what needs them on each, ranked by need.

One answer for two readers: the weekly digest and the caseload endpoint both call
``coach_caseloads``, so the order and the reasons a coach reads in the e-mail are the ones
the app shows.

Which projects: those where the person is on the team as coach and the project is open
(proposed, active, on hold, sustaining, spreading). Proposed projects are there because a
coach helps a team shape its aim before the first cycle; on-hold ones because they come
back to the same coach. Both take a coach's time, so both count towards the load. Completed
and abandoned projects have left the caseload.

The order of need, most first, compared field by field (``CaseloadEntry.need``):

1. stalled: an active project with no cycle, data or update for its organisation's
   ``stall_days`` (a project on hold is paused on purpose, so it never stalls);
2. more overdue cycles (in Do ``overdue_days`` past their planned end);
3. more measures whose latest point is special-cause concern;
4. more data gaps and studies waiting, together;
5. more wins: measures whose latest point is special-cause improvement;

then by title (ignoring case) and id, so the order never depends on how the database
returned the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Exists, Min, OuterRef

from backend.batches import chunked
from backend.models import Membership
from backend.words import plural
from notifications import links
from notifications.models import Kind, Notification
from notifications.rules import attention
from notifications.rules import evidence as ev
from notifications.rules.team import Role
from notifications.rules.thresholds import ThresholdBook
from notifications.rules.words import periods
from projects.lifecycle import OPEN
from projects.models import Measure, MeasureReading, Project, ProjectMember
from projects.selectors import READING_SUMMARY_FIELDS

STRENGTH_WORDS = {
    ev.SUSTAINED: "sustained improvement",
    ev.EARLY: "an early sign of improvement",
    ev.UNUSUAL: "an unusually good result",
}
STRONGEST_FIRST = (ev.SUSTAINED, ev.EARLY, ev.UNUSUAL)
# What a caseload row shows of its project; the rest of the row (aim, problem) is long text
# that a digest over thousands of projects should not drag along.
PROJECT_FIELDS = (
    "id",
    "organisation_id",
    "unit__id",
    "unit__name",
    "title",
    "status",
    "last_activity_at",
    "updated_at",
    "created_at",
    "progress_score",
    "progress_reason",
    "progress_override",
    "progress_override_reason",
)
MEASURE_FIELDS = (
    "id",
    "name",
    "type",
    "project_id",
    "chart_type",
    "improvement_direction",
    "target",
    "fix_after_n_points",
    "revision",
    "created_at",
    *READING_SUMMARY_FIELDS,
    "reading__win",
)


@dataclass(frozen=True)
class MeasureOnChart:
    """A measure of a caseload project and its stored reading (None without a chart yet:
    fewer than two points)."""

    measure_id: int
    name: str
    type: str
    target: float | None
    reading: MeasureReading | None

    @property
    def variation_icon(self) -> str | None:
        return self.reading.variation_icon if self.reading else None

    @property
    def assurance_icon(self) -> str | None:
        return (self.reading.assurance_icon or None) if self.reading else None

    @property
    def latest_point(self) -> dict[str, Any] | None:
        """The latest point's period and plotted value."""
        if self.reading is None:
            return None
        return {"x": self.reading.latest_period.isoformat(), "value": self.reading.latest_value}


@dataclass(frozen=True)
class Win:
    """Special-cause improvement on a measure's latest point, and when the team was first
    told of it (None: no celebration of this claim exists yet)."""

    measure_id: int
    name: str
    reading: ev.Reading
    celebrated_at: datetime | None = None

    @property
    def celebration_period(self) -> str:
        return self.reading.celebration_period


@dataclass(frozen=True)
class NextAction:
    """What the coach should do first for a project, in words, with where to do it."""

    kind: str
    text: str
    link: str


@dataclass
class CaseloadEntry:
    """One project in a coach's caseload, with what needs attention."""

    project: Project
    stall: attention.Stall | None = None
    overdue: list[attention.LateCycle] = field(default_factory=list)
    studies: list[attention.LateCycle] = field(default_factory=list)
    gaps: list[attention.DataGap] = field(default_factory=list)
    concerns: list[MeasureOnChart] = field(default_factory=list)
    wins: list[Win] = field(default_factory=list)
    measures: list[MeasureOnChart] = field(default_factory=list)

    @property
    def project_id(self) -> int:
        return self.project.pk

    @property
    def organisation_id(self) -> int:
        return self.project.organisation_id

    @property
    def title(self) -> str:
        return self.project.title

    @property
    def status(self) -> str:
        return self.project.status

    @property
    def last_activity_at(self) -> datetime:
        """What the stall rule reads: the last cycle, data or update."""
        project = self.project
        return project.last_activity_at or project.updated_at or project.created_at

    @property
    def outcome_measures(self) -> list[MeasureOnChart]:
        return [m for m in self.measures if m.type == Measure.Type.OUTCOME]

    @property
    def oldest_overdue(self) -> attention.LateCycle | None:
        return max(self.overdue, key=lambda cycle: (cycle.days, -cycle.number), default=None)

    @property
    def wins_not_celebrated(self) -> list[Win]:
        return [win for win in self.wins if win.celebrated_at is None]

    @property
    def need(self) -> tuple[int, int, int, int, int]:
        """Larger is more urgent; compared in the order a coach should act."""
        return (
            int(self.stall is not None),
            len(self.overdue),
            len(self.concerns),
            len(self.gaps) + len(self.studies),
            len(self.wins_not_celebrated),
        )

    @property
    def needs_coach(self) -> bool:
        return any(self.need[:4])

    def reasons(self) -> list[str]:
        words = []
        if self.stall:
            words.append(f"stalled: no activity for {plural(self.stall.days, 'day')}")
        words += [f"cycle {c.number} overdue by {plural(c.days, 'day')}" for c in self.overdue]
        words += [f"special-cause concern on {m.name}" for m in self.concerns]
        words += [f"no data for {g.name} ({periods(g.missing, g.frequency)})" for g in self.gaps]
        words += [f"cycle {c.number} waiting to be studied" for c in self.studies]
        # A win the celebration job has told the team of is named as celebrated, so the
        # reasons agree with the count of wins still to celebrate beside them.
        words += [
            f"{'celebrated' if w.celebrated_at else 'to celebrate'}: "
            f"{STRENGTH_WORDS[w.reading.strength]} in {w.name}"
            for w in self.wins
        ]
        return words or ["on track"]

    def next_action(self) -> NextAction:
        """The first thing to do, following the order of need."""
        project_link = links.project_link(self.project_id)
        if self.stall:
            days = plural(self.stall.days, "day")
            return NextAction(
                "visit", f"Visit the team: nothing has happened for {days}", project_link
            )
        if self.overdue:
            return _chase_overdue(self.oldest_overdue, more=len(self.overdue) - 1)
        if self.concerns:
            concern = self.concerns[0]
            return NextAction(
                "review_concern",
                f"Review the concern signal on {concern.name}",
                links.measure_link(self.project_id, concern.measure_id),
            )
        if self.gaps:
            gap = max(self.gaps, key=lambda g: g.missing)
            return NextAction(
                "chase_data",
                f"Ask for the missing data on {gap.name} "
                f"({periods(gap.missing, gap.frequency)} without a point)",
                links.measure_link(self.project_id, gap.measure_id),
            )
        if self.studies:
            cycle = max(self.studies, key=lambda c: c.days)
            return NextAction(
                "study",
                f"Help the team study cycle {cycle.number} '{cycle.title}' "
                f"(in Study for {plural(cycle.days, 'day')} with no learning written)",
                links.cycle_link(cycle.cycle_id),
            )
        if to_celebrate := self.wins_not_celebrated:
            win = min(to_celebrate, key=lambda w: STRONGEST_FIRST.index(w.reading.strength))
            return NextAction(
                "celebrate",
                _celebrate_words(win),
                links.measure_link(self.project_id, win.measure_id),
            )
        if self.status == Project.Status.PROPOSED:
            return NextAction(
                "start", "Help the team shape its aim and plan a first PDSA cycle", project_link
            )
        if self.status == Project.Status.ON_HOLD:
            return NextAction(
                "check_in", "On hold: agree with the team when it restarts", project_link
            )
        return NextAction("keep_going", "Keep going", project_link)


def _chase_overdue(cycle: attention.LateCycle, *, more: int) -> NextAction:
    text = (
        f"Chase the overdue cycle '{cycle.title}' "
        f"({plural(cycle.days, 'day')} past its planned end)"
    )
    if more:
        text += f"; {more} more overdue"
    return NextAction("chase_cycle", text, links.cycle_link(cycle.cycle_id))


def _celebrate_words(win: Win) -> str:
    # The words claim what the rule supports, as the celebrations do: only a shift or a
    # trend is a sustained change; fewer points are encouraging, not yet a win to bank.
    strength = win.reading.strength
    if strength == ev.SUSTAINED:
        return f"Celebrate: {win.name} shows sustained improvement"
    if strength == ev.EARLY:
        return f"Encourage the team: {win.name} shows an early sign of improvement (keep watching)"
    return f"Encourage the team: {win.name} had an unusually good result (keep watching)"


def by_need(entry: CaseloadEntry) -> tuple:
    """Sort key: most in need first, then by title (ignoring case) and id."""
    return (tuple(-n for n in entry.need), entry.title.casefold(), entry.project_id)


def coach_caseloads(
    *,
    now: datetime,
    thresholds: ThresholdBook,
    coach_ids: Collection[int] | None = None,
    organisation_ids: Collection[int] | None = None,
) -> dict[tuple[int, int], list[CaseloadEntry]]:
    """Each coach's open projects by (coach id, organisation id), most in need first.

    A constant number of queries however many projects: the assignments with their
    projects, one per kind of attention, then (per 2,000 projects) the measures with
    their stored SPC readings and which wins were celebrated.
    """
    # A coach who left the project's organisation has left its caseload too, as they are
    # no longer nudged about it.
    still_a_member = Membership.objects.filter(
        user=OuterRef("user"), organisation=OuterRef("project__organisation")
    )
    assignments = ProjectMember.objects.filter(
        Exists(still_a_member),
        role=Role.COACH,
        project__status__in=OPEN,
        user__is_active=True,
    )
    if coach_ids is not None:
        assignments = assignments.filter(user_id__in=list(coach_ids))
    if organisation_ids is not None:
        assignments = assignments.filter(project__organisation_id__in=list(organisation_ids))
    rows = list(
        assignments.select_related("project__unit")
        .only("user_id", *(f"project__{name}" for name in PROJECT_FIELDS))
        .order_by("id")
    )
    entries: dict[int, CaseloadEntry] = {}
    for row in rows:
        entries.setdefault(row.project_id, CaseloadEntry(row.project))
    _gather_attention(entries, now=now, thresholds=thresholds)
    caseloads: dict[tuple[int, int], list[CaseloadEntry]] = defaultdict(list)
    for row in rows:
        caseloads[(row.user_id, row.project.organisation_id)].append(entries[row.project_id])
    for caseload in caseloads.values():
        caseload.sort(key=by_need)
    return caseloads


def project_attention(
    *, project: Project, now: datetime, thresholds: ThresholdBook
) -> CaseloadEntry:
    """One project as a caseload shows it (what needs a coach there, the reasons and the
    next action), whoever coaches it: the project review reads the caseload's answer."""
    entries = {project.pk: CaseloadEntry(project)}
    _gather_attention(entries, now=now, thresholds=thresholds)
    return entries[project.pk]


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
    _gather_signals(entries)


def _gather_signals(entries: dict[int, CaseloadEntry]) -> None:
    measures: list[Measure] = []
    for batch in chunked(list(entries)):
        measures += list(
            Measure.objects.filter(project_id__in=batch)
            .select_related("reading")
            .only(*MEASURE_FIELDS)
            .order_by("project_id", "name", "id")
        )
    readings = ev.readings_by_measure(measures)
    wins = []
    for measure in measures:
        entry = entries[measure.project_id]
        stored = readings.get(measure.pk)
        on_chart = MeasureOnChart(measure.pk, measure.name, measure.type, measure.target, stored)
        entry.measures.append(on_chart)
        if stored is None:
            continue
        if ev.shows_concern(stored):
            entry.concerns.append(on_chart)
        reading = ev.improvement_reading(stored)
        if reading is not None:
            wins.append((entry, Win(measure.pk, measure.name, reading)))
    told = celebrated_at(win for _, win in wins)
    for entry, win in wins:
        entry.wins.append(
            Win(
                win.measure_id,
                win.name,
                win.reading,
                told.get((win.measure_id, win.celebration_period)),
            )
        )


def celebrated_at(wins: Iterable[Win]) -> dict[tuple[int, str], datetime]:
    """When each win was first celebrated, by (measure id, celebration period): the same
    occurrence the celebration's dedupe key names, so a stronger claim after a weaker one
    is a new, uncelebrated win until the celebration job tells the team."""
    wanted = {(win.measure_id, win.celebration_period) for win in wins}
    told: dict[tuple[int, str], datetime] = {}
    measure_ids = sorted({measure_id for measure_id, _ in wanted})
    for batch in chunked(measure_ids):
        # Grouped in the database: a measure's team hears each claim once per person.
        rows = (
            Notification.objects.filter(kind=Kind.SIGNAL, measure_id__in=batch)
            .order_by()
            .values_list("measure_id", "period")
            .annotate(first=Min("created_at"))
        )
        told.update({(m, p): first for m, p, first in rows if (m, p) in wanted})
    return told
