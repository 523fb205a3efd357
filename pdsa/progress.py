"""The IHI progress score (0.5 to 5.0), read from what a project has recorded.

Licensed platforms make teams set this score by hand, and it goes stale. Here it is
computed from the evidence, with the reason in words, and stored on the project by
``pdsa.services.project_progress_refresh`` whenever a cycle or a measure's data changes.
A team may still override it (``project_progress_override``), saying why.

Each level of the IHI scale, and the evidence in the record that reaches it (the score is
the highest level whose evidence holds):

====  ===============================  =====================================================
0.5   Intent to participate            the project exists
1.0   Charter and team                 an aim statement and at least one team member
1.5   Planning has begun               a measure, a change idea or a cycle is recorded
2.0   Activity, but no changes         a cycle has reached Do, or a measure has data
2.5   Changes tested, no improvement   a cycle has been studied (reached Act or Done)
3.0   Modest improvement               a change is adopted (a change idea adopted, or an
                                       adopted cycle with no change idea)
3.5   Improvement                      a change is adopted and a measure shows special-
                                       cause improvement since testing began
4.0   Significant improvement          ... and an outcome measure shows it
4.5   Sustainable improvement          ... and that outcome measure is sustained at target
                                       (SPC assurance "consistent pass", or its last six
                                       points meet the target / the project's aim target)
5.0   Outstanding sustainable results  every outcome measure improved and is sustained,
                                       and the team holds the gains or spreads them (status
                                       sustaining, spreading or completed)
====  ===============================  =====================================================

"Special-cause improvement since testing began" is the one rule of what counts as a win
since a change, defined in ``projects/selectors/evidence.py``
(``projects.selectors.improvement_since``): the very one spread needs before it calls a
change proven and the celebrations use, read on the measure's stored reading
(``projects.selectors.measure_readings``).

"Testing began" is the day the first adopted change started being tested. Each adopted
change (a change idea adopted, or an adopted cycle with no change idea) is dated as spread
dates it (``pdsa.selectors.change_started_on``): the earliest ``started_on``, else
``planned_start``, of the project's cycles that tested it; a change none of whose cycles
is dated, from the day its first cycle was logged; an idea marked adopted with no cycle,
from the day it was recorded. The earliest of these is the start. So improvement that
came before the adopted changes were tested (say, while a change later abandoned was) is
not credited to them, and whenever spread would prove one of the adopted changes on one of
these measures, the score is 3.5 or more. Without an adopted change the score stops at
2.5; improvement since the first cycle started (over the whole chart if no cycle is
dated) is named in the reason, by the same rule, instead of over-claiming.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from pdsa.models import Cycle
from pdsa.selectors import testing_started_on
from projects.models import ChangeIdea, Measure, MeasureReading, Project
from projects.selectors import improvement_since, measure_readings

Stage = Cycle.Stage
SUSTAINED_POINTS = 6  # "over several months" of monthly data
# A project in these states has handed the change over to the ward, or is spreading it.
HOLDING_GAINS = frozenset(
    {Project.Status.SUSTAINING, Project.Status.SPREADING, Project.Status.COMPLETED}
)
# A change adopted at a cycle's Act without a change idea: the cycle is the change.
ADOPTED_WITHOUT_IDEA = Q(stage=Stage.DONE, decision=Cycle.Decision.ADOPT, change_idea=None)


@dataclass(frozen=True)
class MeasureEvidence:
    """What SPC says about one of the project's measures."""

    name: str
    is_outcome: bool
    improved: bool
    sustained: bool


@dataclass(frozen=True)
class Evidence:
    """Everything the score is read from."""

    aim_set: bool
    team_size: int
    change_ideas: int
    cycles: int
    cycles_started: int
    cycles_studied: int
    cycles_done: int
    adopted: list[str] = field(default_factory=list)
    measures: list[MeasureEvidence] = field(default_factory=list)
    data_points: int = 0
    holding_gains: bool = False


@dataclass(frozen=True)
class Progress:
    score: Decimal
    reason: str


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _names(measures: list[MeasureEvidence]) -> str:
    return ", ".join(f"“{m.name}”" for m in measures)


def _meets(value: float, target: float, direction: str) -> bool:
    return value >= target if direction == "increase" else value <= target


def measure_evidence(
    *,
    measure: Measure,
    reading: MeasureReading | None,
    testing_since: date | None,
    aim_target: float | None,
) -> MeasureEvidence:
    """Whether ``measure`` shows special-cause improvement since ``testing_since`` (None:
    over the whole chart) and is sustained at its target, from its stored SPC reading
    (None, or one without a chart: not chartable)."""
    is_outcome = measure.type == Measure.Type.OUTCOME
    if reading is None or not reading.charted or measure.improvement_direction == "neutral":
        return MeasureEvidence(measure.name, is_outcome, improved=False, sustained=False)
    improved = improvement_since(measure=measure, reading=reading, since=testing_since) is not None
    target = measure.target if measure.target is not None else (aim_target if is_outcome else None)
    recent = reading.evidence["recent"][-SUSTAINED_POINTS:]
    sustained = reading.assurance_icon == "consistent_pass" or (
        target is not None
        and len(recent) == SUSTAINED_POINTS
        and all(_meets(v, target, measure.improvement_direction) for v in recent)
    )
    return MeasureEvidence(measure.name, is_outcome, improved=improved, sustained=sustained)


def adopted_changes_started_on(
    *, project: Project, adopted_ideas: Mapping[int, datetime]
) -> date | None:
    """The day testing of the project's first adopted change began (see the module
    docstring); ``adopted_ideas`` maps each adopted change idea to when it was recorded.
    One query; None when nothing is adopted."""
    tested = Cycle.objects.filter(project=project).filter(
        Q(change_idea_id__in=list(adopted_ideas)) | ADOPTED_WITHOUT_IDEA
    )
    changes: dict[int | tuple[str, int], list[Cycle]] = {pk: [] for pk in adopted_ideas}
    for cycle in tested.only("change_idea_id", "started_on", "planned_start", "created_at"):
        # A cycle adopted without an idea is a change of its own.
        changes.setdefault(cycle.change_idea_id or ("cycle", cycle.pk), []).append(cycle)
    return min(
        (
            testing_started_on(cycles) or timezone.localdate(adopted_ideas[change])
            for change, cycles in changes.items()
        ),
        default=None,
    )


def progress_evidence(*, project: Project) -> Evidence:
    """Read what the score needs from the record, in a fixed number of queries."""
    started = [Stage.DO, Stage.STUDY, Stage.ACT, Stage.DONE]
    studied = [Stage.ACT, Stage.DONE]
    cycles = Cycle.objects.filter(project=project).aggregate(
        total=Count("id"),
        started=Count("id", filter=Q(stage__in=started)),
        studied=Count("id", filter=Q(stage__in=studied)),
        done=Count("id", filter=Q(stage=Stage.DONE)),
        adopted_no_idea=Count("id", filter=ADOPTED_WITHOUT_IDEA),
        first_started=Min(Coalesce("started_on", "planned_start")),
    )
    ideas = list(
        ChangeIdea.objects.filter(project=project).values_list(
            "pk", "title", "status", "created_at"
        )
    )
    adopted_ideas = {pk: at for pk, _, status, at in ideas if status == ChangeIdea.Status.ADOPTED}
    adopted = [title for pk, title, *_ in ideas if pk in adopted_ideas]
    adopted += ["an adopted cycle"] * cycles["adopted_no_idea"]
    testing_since = (
        adopted_changes_started_on(project=project, adopted_ideas=adopted_ideas)
        if adopted
        else cycles["first_started"]
    )
    measures = list(
        Measure.objects.filter(project=project).annotate(data_point_count=Count("data_points"))
    )
    # The projects app's stored SPC readings, at each measure's revision.
    readings = measure_readings(measures)
    return Evidence(
        aim_set=bool(project.aim_statement.strip() or project.aim_what.strip()),
        team_size=project.members.count(),
        change_ideas=len(ideas),
        cycles=cycles["total"],
        cycles_started=cycles["started"],
        cycles_studied=cycles["studied"],
        cycles_done=cycles["done"],
        adopted=adopted,
        measures=[
            measure_evidence(
                measure=m,
                reading=readings.get(m.pk),
                testing_since=testing_since,
                aim_target=project.aim_target,
            )
            for m in measures
        ],
        data_points=sum(m.data_point_count for m in measures),
        holding_gains=project.status in HOLDING_GAINS,
    )


def _improvement_levels(e: Evidence, changes: str) -> Progress | None:
    improved = [m for m in e.measures if m.improved]
    if not improved:
        return None
    outcomes = [m for m in e.measures if m.is_outcome]
    improved_outcomes = [m for m in improved if m.is_outcome]
    sustained = [m for m in improved_outcomes if m.sustained]
    if outcomes and len(sustained) == len(outcomes) and e.holding_gains:
        return Progress(
            Decimal("5.0"),
            f"5.0: outstanding sustainable results: every outcome measure ({_names(sustained)}) "
            f"improved and is sustained at target; {changes}",
        )
    if sustained:
        return Progress(
            Decimal("4.5"),
            f"4.5: sustainable improvement: {_names(sustained)} improved and is sustained at "
            f"target; {changes}; "
            + (
                "not every outcome measure is there yet"
                if len(sustained) < len(outcomes)
                else "5.0 when the gains are held and spread (sustaining or spreading)"
            ),
        )
    if improved_outcomes:
        return Progress(
            Decimal("4.0"),
            f"4.0: significant improvement: outcome measure {_names(improved_outcomes)} shows "
            f"special-cause improvement since testing began; {changes}; "
            "not yet sustained at target",
        )
    return Progress(
        Decimal("3.5"),
        f"3.5: improvement: {_names(improved)} shows special-cause improvement since testing "
        f"began; {changes}; no outcome measure shows it yet",
    )


def progress_from_evidence(evidence: Evidence) -> Progress:
    """Map the evidence to the IHI scale (see the table above), with the reason in words."""
    e = evidence
    if e.adopted:
        changes = f"{_plural(len(e.adopted), 'change')} adopted ({', '.join(e.adopted)})"
        return _improvement_levels(e, changes) or Progress(
            Decimal("3.0"),
            f"3.0: modest improvement: {changes}; no measure shows special-cause improvement "
            "since testing began yet",
        )
    improved = [m for m in e.measures if m.improved]
    unexplained = (
        f"; {_names(improved)} shows special-cause improvement, but no change is adopted "
        "to explain it yet"
        if improved
        else ""
    )
    if e.cycles_studied:
        tested = f"{e.cycles_done} done" if e.cycles_done else f"{e.cycles_studied} studied"
        return Progress(
            Decimal("2.5"),
            f"2.5: cycles are being tested ({tested}); no change adopted yet{unexplained}",
        )
    if e.cycles_started or e.data_points:
        activity = []
        if e.cycles_started:
            activity.append(f"{_plural(e.cycles_started, 'cycle')} started")
        if e.data_points:
            activity.append(f"{_plural(e.data_points, 'data point')}")
        return Progress(
            Decimal("2.0"),
            f"2.0: activity but no changes tested yet ({', '.join(activity)}); "
            f"no cycle studied yet{unexplained}",
        )
    planning = []
    if e.change_ideas:
        planning.append(_plural(e.change_ideas, "change idea"))
    if e.measures:
        planning.append(_plural(len(e.measures), "measure"))
    if e.cycles:
        planning.append(f"{_plural(e.cycles, 'cycle')} planned")
    if planning:
        return Progress(
            Decimal("1.5"),
            f"1.5: planning has begun ({', '.join(planning)}); no cycle started and no data yet",
        )
    if e.aim_set and e.team_size:
        return Progress(
            Decimal("1.0"),
            f"1.0: aim and team set ({_plural(e.team_size, 'member')}); no measure, change "
            "idea or cycle yet",
        )
    gaps = [
        text for ok, text in ((e.aim_set, "no aim yet"), (e.team_size, "no team yet")) if not ok
    ]
    return Progress(Decimal("0.5"), f"0.5: intent to participate; {' and '.join(gaps)}")


def progress_evaluate(*, project: Project) -> Progress:
    """The project's IHI progress score and its reason, computed from its record now."""
    return progress_from_evidence(progress_evidence(project=project))
