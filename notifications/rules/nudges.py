"""Nudges: work that has stalled, is overdue, lacks data or waits to be studied.

A draft's period is the start of its condition (the stall's last activity, the planned end,
the first missing period, the day the cycle entered Study), so a condition is nudged once,
and again only if it ends and comes back.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.utils import timezone

from backend.words import day, plural
from notifications import links
from notifications.models import Kind
from notifications.rules import attention
from notifications.rules.drafts import Draft, drafts_for_recipients
from notifications.rules.team import Role, team_by_project
from notifications.rules.thresholds import ThresholdBook
from notifications.rules.words import periods


def stalled_projects(
    *, now: datetime, thresholds: ThresholdBook, organisation_ids: Collection[int] | None = None
) -> list[Draft]:
    """An active project with no cycle, data or update for [21] days: its coaches and lead,
    once per stall."""
    stalls = attention.find_stalls(
        now=now, thresholds=thresholds, organisation_ids=organisation_ids
    )
    team = team_by_project([s.project_id for s in stalls], roles=[Role.COACH, Role.LEAD])
    drafts: list[Draft] = []
    for stall in stalls:
        since = timezone.localdate(stall.since)
        roles = team[stall.project_id]
        drafts += drafts_for_recipients(
            roles[Role.COACH] + roles[Role.LEAD],
            organisation_id=stall.organisation_id,
            kind=Kind.STALLED,
            subject_type="project",
            subject_id=stall.project_id,
            project_id=stall.project_id,
            period=since.isoformat(),
            title=f"{stall.project_title} has stalled",
            body=(
                f"{stall.project_title} has had no new cycle, data or update for "
                f"{plural(stall.days, 'day')} (since {day(since)}). Projects that drift "
                "quietly stop; a short check-in with the team now can get the next test going."
            ),
            link=links.project_link(stall.project_id),
            evidence={
                "stalled_since": stall.since.isoformat(),
                "days": stall.days,
                "threshold_days": stall.threshold,
            },
        )
    return drafts


def overdue_cycles(
    *, now: datetime, thresholds: ThresholdBook, organisation_ids: Collection[int] | None = None
) -> list[Draft]:
    """A cycle still in Do [7] days past its planned end: its owner (or the lead) and the
    project's coaches, once per planned end."""
    late = attention.find_overdue_cycles(
        now=now, thresholds=thresholds, organisation_ids=organisation_ids
    )
    team = team_by_project([c.project_id for c in late], roles=[Role.COACH, Role.LEAD])
    drafts: list[Draft] = []
    for cycle in late:
        roles = team[cycle.project_id]
        owners = [cycle.owner_id] if cycle.owner_id else roles[Role.LEAD]
        drafts += drafts_for_recipients(
            owners + roles[Role.COACH],
            organisation_id=cycle.organisation_id,
            kind=Kind.OVERDUE,
            subject_type="cycle",
            subject_id=cycle.cycle_id,
            project_id=cycle.project_id,
            cycle_id=cycle.cycle_id,
            period=cycle.since.isoformat(),
            title=f"Cycle {cycle.number} of {cycle.project_title} is overdue",
            body=(
                f'Cycle {cycle.number} "{cycle.title}" of {cycle.project_title} was planned '
                f"to end on {day(cycle.since)} and is still in Do, "
                f"{plural(cycle.days, 'day')} later. Record what happened and move it to "
                "Study, or set a new planned end."
            ),
            link=links.cycle_link(cycle.cycle_id),
            evidence={
                "planned_end": cycle.since.isoformat(),
                "days_late": cycle.days,
                "threshold_days": cycle.threshold,
            },
        )
    return drafts


def missing_data(
    *, now: datetime, thresholds: ThresholdBook, organisation_ids: Collection[int] | None = None
) -> list[Draft]:
    """A measure with a frequency and no data point for [2] of its periods: the project lead
    (or its coaches when it has no lead), once per gap."""
    gaps = attention.find_data_gaps(
        now=now, thresholds=thresholds, organisation_ids=organisation_ids
    )
    team = team_by_project([g.project_id for g in gaps], roles=[Role.LEAD, Role.COACH])
    drafts: list[Draft] = []
    for gap in gaps:
        roles = team[gap.project_id]
        since = f"since {day(gap.last_period)}" if gap.last_period else "since it was set up"
        of_project = "" if gap.name == gap.project_title else f" ({gap.project_title})"
        drafts += drafts_for_recipients(
            roles[Role.LEAD] or roles[Role.COACH],
            organisation_id=gap.organisation_id,
            kind=Kind.MISSING_DATA,
            subject_type="measure",
            subject_id=gap.measure_id,
            project_id=gap.project_id,
            measure_id=gap.measure_id,
            period=gap.first_missing.isoformat(),
            title=f"{gap.name} needs data",
            body=(
                f"{gap.name}{of_project} has no data {since}: "
                f"{periods(gap.missing, gap.frequency)} missing. A chart with gaps cannot "
                "show whether the changes are working; add the latest points."
            ),
            link=links.measure_link(gap.project_id, gap.measure_id),
            evidence={
                "last_period": gap.last_period.isoformat() if gap.last_period else None,
                "first_missing_period": gap.first_missing.isoformat(),
                "missing_periods": gap.missing,
                "frequency": gap.frequency,
                "threshold_periods": gap.threshold,
            },
        )
    return drafts


def study_pending(
    *, now: datetime, thresholds: ThresholdBook, organisation_ids: Collection[int] | None = None
) -> list[Draft]:
    """A cycle whose Do finished (it entered Study) [7] days ago with no learning written:
    its owner, or the lead; once per time it entered Study."""
    pending = attention.find_studies_pending(
        now=now, thresholds=thresholds, organisation_ids=organisation_ids
    )
    team = team_by_project([c.project_id for c in pending], roles=[Role.LEAD])
    drafts: list[Draft] = []
    for cycle in pending:
        drafts += drafts_for_recipients(
            [cycle.owner_id] if cycle.owner_id else team[cycle.project_id][Role.LEAD],
            organisation_id=cycle.organisation_id,
            kind=Kind.STUDY_PENDING,
            subject_type="cycle",
            subject_id=cycle.cycle_id,
            project_id=cycle.project_id,
            cycle_id=cycle.cycle_id,
            period=timezone.localdate(cycle.since).isoformat(),
            title=f"Cycle {cycle.number} of {cycle.project_title} is waiting to be studied",
            body=(
                f'Cycle {cycle.number} "{cycle.title}" finished its Do stage '
                f"{plural(cycle.days, 'day')} ago and nothing is written in Study yet. "
                "Compare the results with the predictions while they are fresh: what did "
                "you learn?"
            ),
            link=links.cycle_link(cycle.cycle_id),
            evidence={
                "study_since": cycle.since.isoformat(),
                "days": cycle.days,
                "threshold_days": cycle.threshold,
            },
        )
    return drafts


NUDGE_RULES = (stalled_projects, overdue_cycles, missing_data, study_pending)


def all_nudges(
    *, now: datetime, thresholds: ThresholdBook, organisation_ids: Collection[int] | None = None
) -> list[Draft]:
    """Every nudge the current state calls for (in some organisations only)."""
    return [
        draft
        for rule in NUDGE_RULES
        for draft in rule(now=now, thresholds=thresholds, organisation_ids=organisation_ids)
    ]
