"""Celebrations: real wins, worded by the strength of their evidence (see `evidence`).

Who hears: the whole project team. Which occurrence (the period of the dedupe key):
- an improvement signal: "sustained" and "early" once per measure per rebase group (a team
  rebases after a sustained change, which opens the next one); "unusual" once per point;
- an aim met: once per measure per rebase group;
- a change adopted: once per cycle; adopted elsewhere: once per adoption.
So a stronger claim (a single good point, then a shift) is celebrated again, the same
claim is not, and a weaker one never repeats a stronger one within a group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from backend.words import day, plural
from notifications import links
from notifications.models import Kind
from notifications.rules import evidence as ev
from notifications.rules.drafts import Draft, drafts_for_recipients
from notifications.rules.team import everyone, team_by_project
from notifications.rules.words import number
from pdsa.models import Cycle
from pdsa.selectors import cycles_change_started_on
from projects.lifecycle import LIVE
from projects.models import ImprovementDirection, Measure, MeasureReading, Project
from projects.selectors import ImprovementSignal, improvement_since

BETTER = {ImprovementDirection.INCREASE: "above", ImprovementDirection.DECREASE: "below"}
ADOPTION_RULE_WORDS = {
    "shift": "a shift",
    "trend": "a trend",
    "two_in_three": "two of three points near the limit",
}


def signal_wording(measure: Measure, reading: ev.Reading) -> tuple[str, str]:
    """The title and body for an improvement signal, claiming what the rule supports."""
    name, chart = measure.name, measure.chart_type
    side = BETTER.get(measure.improvement_direction, "away from")
    centre = number(reading.centre, chart)
    limit = number(reading.upper if side == "above" else reading.lower, chart)
    if reading.strength == ev.SUSTAINED and reading.rule == "shift":
        return (
            f"Sustained improvement in {name}",
            f"The last {plural(reading.run_length, 'point')} of {name} are all {side} the "
            f"average of {centre}: a shift. By the SPC rules that is a sustained improvement, "
            "not chance. Well done: this is the evidence that the changes are working.",
        )
    if reading.strength == ev.SUSTAINED:
        return (
            f"Sustained improvement in {name}",
            f"{name} has improved {plural(reading.run_length, 'point')} in a row: a trend. "
            "By the SPC rules that is a sustained improvement, not chance. Well done: this "
            "is the evidence that the changes are working.",
        )
    if reading.strength == ev.EARLY:
        return (
            f"An early sign of improvement in {name}: keep watching",
            f"Two of the last three points of {name} are close to or beyond the better "
            f"process limit ({limit}). That is unlikely to be chance, but it is not yet a "
            "sustained change: keep collecting data to see whether it holds.",
        )
    return (
        f"An unusually good result for {name}: keep watching",
        f"The latest point of {name} ({number(reading.value, chart)} for {reading.x}) is "
        f"beyond the process limit of {limit}. One point is not a sustained change: keep "
        "watching whether the next ones hold.",
    )


def aim_met_wording(measure: Measure, project_title: str, reading: ev.Reading) -> tuple[str, str]:
    """The title and body for an aim met, saying which SPC evidence shows it."""
    chart = measure.chart_type
    target = number(measure.target, chart)
    if reading.strength == ev.CONSISTENT_PASS:
        limits = f"{number(reading.lower, chart)} to {number(reading.upper, chart)}"
        return (
            f"Aim met: {measure.name} consistently meets its target",
            f"{project_title}: the process limits of {measure.name} ({limits}) lie wholly on "
            f"the better side of the target of {target}, so the process will meet it "
            "consistently if nothing changes. Time to plan how to sustain it, and who else "
            "could use it.",
        )
    return (
        f"Aim met: {measure.name} has shifted beyond its target",
        f"{project_title}: the last {plural(reading.run_length, 'point')} of {measure.name} "
        f"form a sustained {reading.rule}, and the latest {ev.SHIFT_POINTS} all meet the "
        f"target of {target}. Time to plan how to sustain it, and who else could use it.",
    )


def measure_wins(
    measures: Sequence[Measure], readings: Mapping[int, MeasureReading]
) -> list[Draft]:
    """Improvement signals and aims met on these (project) measures' latest points, from
    their stored readings (``evidence.readings_by_measure``)."""
    found: list[tuple[Measure, str, str, str, str, ev.Reading, MeasureReading]] = []
    for measure in measures:
        stored = readings.get(measure.pk)
        if measure.project_id is None or stored is None:
            continue
        if measure.project.status not in LIVE:
            continue
        reading = ev.improvement_reading(stored)
        if reading is not None:
            title, body = signal_wording(measure, reading)
            found.append(
                (measure, Kind.SIGNAL, reading.celebration_period, title, body, reading, stored)
            )
        if measure.type == Measure.Type.OUTCOME:
            met = ev.aim_met_reading(stored)
            if met is not None:
                title, body = aim_met_wording(measure, measure.project.title, met)
                period = f"measure:{measure.pk}:group:{met.group_start}"
                found.append((measure, Kind.AIM_MET, period, title, body, met, stored))
    team = team_by_project([measure.project_id for measure, *_ in found])
    drafts: list[Draft] = []
    for measure, kind, period, title, body, reading, stored in found:
        subject = (
            ("project", measure.project_id) if kind == Kind.AIM_MET else ("measure", measure.pk)
        )
        drafts += drafts_for_recipients(
            everyone(team[measure.project_id]),
            organisation_id=measure.organisation_id,
            kind=kind,
            subject_type=subject[0],
            subject_id=subject[1],
            project_id=measure.project_id,
            measure_id=measure.pk,
            period=period,
            title=title,
            body=body,
            link=links.measure_link(measure.project_id, measure.pk),
            evidence={**reading.as_evidence(stored, measure), "measure": measure.name},
        )
    return drafts


def adopted_changes(cycles: Iterable[Cycle]) -> list[Draft]:
    """A change adopted at a cycle's Act: the team, with the data's evidence if it has any.

    "Evidence behind the change" is improvement since the change started (its ramp's first
    cycle) by the one rule defined in ``projects/selectors/evidence.py``: a shift or trend
    reads as a sustained improvement, two-in-three alone as an early sign. Without it the
    change is adopted on the team's judgement (the measure's own celebration still says
    what its latest point shows).
    """
    cycles = [cycle for cycle in cycles if cycle.decision == Cycle.Decision.ADOPT]
    measures = [m for cycle in cycles for m in cycle.measures.all()]
    readings = ev.readings_by_measure(list({m.pk: m for m in measures}.values()))
    started = cycles_change_started_on(cycles)
    team = team_by_project([cycle.project_id for cycle in cycles])
    drafts: list[Draft] = []
    for cycle in cycles:
        change = cycle.change_idea.title if cycle.change_idea_id else cycle.title
        since = started[cycle.pk]
        signal = _strongest_since(cycle.measures.all(), readings, since)
        title = f"Change adopted: {change}"
        if signal is None:
            body = (
                f'{cycle.project.title} adopted "{change}" after cycle {cycle.number}, on the '
                "team's judgement from its tests. The linked measures show no special-cause "
                "improvement yet; keep the data coming to see whether it shows."
            )
            evidence: dict[str, Any] = {"strength": None, "change_started": since.isoformat()}
        else:
            measure = signal.measure
            strength = _strength_since(signal)
            claim = {
                ev.SUSTAINED: "shows a sustained improvement",
                ev.EARLY: "shows an early sign of improvement",
            }[strength]
            body = (
                f'{cycle.project.title} adopted "{change}" after cycle {cycle.number}, and '
                f"{measure.name} {claim} since the change started on {day(since)} "
                f"({ADOPTION_RULE_WORDS[signal.rule]} from {signal.started:%b %Y}). Well "
                "done: a tested change with evidence behind it."
            )
            stored = readings[measure.pk]
            evidence = {
                "strength": strength,
                "rule": signal.rule,
                "rules": list(signal.rules),
                "point_type": signal.point_type,
                "signal_started": signal.started.isoformat(),
                "change_started": since.isoformat(),
                "chart": measure.chart_type,
                "variation_icon": stored.variation_icon or None,
                "assurance_icon": stored.assurance_icon or None,
                "target": measure.target,
                "revision": measure.revision,
                "measure": measure.name,
            }
        drafts += drafts_for_recipients(
            everyone(team[cycle.project_id]),
            organisation_id=cycle.project.organisation_id,
            kind=Kind.CHANGE_ADOPTED,
            subject_type="cycle",
            subject_id=cycle.pk,
            project_id=cycle.project_id,
            cycle_id=cycle.pk,
            measure_id=signal.measure.pk if signal else None,
            period="",
            title=title,
            body=body,
            link=links.cycle_link(cycle.pk),
            evidence={
                **evidence,
                "decided_at": cycle.decided_at.isoformat() if cycle.decided_at else None,
            },
        )
    return drafts


def _strength_since(signal: ImprovementSignal) -> str:
    return ev.SUSTAINED if signal.rule in ("shift", "trend") else ev.EARLY


def _strongest_since(
    measures: Iterable[Measure], readings: Mapping[int, MeasureReading], since: date
) -> ImprovementSignal | None:
    """The linked measure whose improvement since ``since`` is strongest (sustained before
    early, then the earliest to start), or None."""
    signals = [
        signal
        for measure in measures
        if (
            signal := improvement_since(
                measure=measure, reading=readings.get(measure.pk), since=since
            )
        )
    ]
    order = [ev.SUSTAINED, ev.EARLY]
    signals.sort(key=lambda signal: (order.index(_strength_since(signal)), signal.started))
    return signals[0] if signals else None


def adopted_elsewhere(
    *,
    adoption_id: int,
    origin_project: Project,
    adopting_unit_name: str,
    change_title: str,
    adopted_on: date | None,
    candidate_id: int | None,
    evidence: Mapping[str, Any] | None,
) -> list[Draft]:
    """Another unit adopted a team's change: the origin team, once per adoption."""
    team = team_by_project([origin_project.pk])
    when = f" on {day(adopted_on)}" if adopted_on else ""
    # Spread's own reading of the evidence ("proven" or "early promise"), quoted as it is:
    # the words claim no more than the candidate does.
    cited = (evidence or {}).get("origin_signal") or (evidence or {}).get("summary") or ""
    return drafts_for_recipients(
        everyone(team[origin_project.pk]),
        organisation_id=origin_project.organisation_id,
        kind=Kind.CHANGE_SPREAD,
        subject_type="spread.adoption",
        subject_id=adoption_id,
        project_id=origin_project.pk,
        period="",
        title=f"{adopting_unit_name} has adopted your change: {change_title}",
        body=(
            f'{adopting_unit_name} adopted "{change_title}"{when}, the change '
            f"{origin_project.title} tested: your learning is helping beyond your own unit."
            + (f" The evidence behind it: {cited}" if cited else "")
        ),
        link=links.project_link(origin_project.pk),
        evidence={
            **dict(evidence or {}),
            "candidate_id": candidate_id,
            "adopting_unit": adopting_unit_name,
            "adopted_on": adopted_on.isoformat() if adopted_on else None,
        },
    )
