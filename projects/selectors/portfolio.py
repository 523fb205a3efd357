"""The portfolio by strategic aim: are we on track against our few bold aims?

Read for all aims at once in a fixed number of queries whatever the size of the
organisation; measures through their SPC summaries (cached per measure and revision,
misses analysed in one batch). Spread is reached through the ORM's reverse relations
(``change_idea.spread_candidate``, ``candidate.adoptions``), so this module never imports
the spread app; without it installed, the portfolio's spread reach is None.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from backend.models import User
from backend.selectors import organisation_ids, user_memberships
from projects.models import ChangeIdea, Measure, Project, StrategicAim
from projects.selectors.access import PORTFOLIO_READER_ROLES
from projects.selectors.measure_table import (
    MEASURE_FIELDS,
    TYPE_ORDER,
    charts_url,
    measure_reading,
    meets_target,
)
from projects.selectors.spc import measures_spc_summaries

IMPROVEMENT = "special_cause_improvement"
CONCERN = "special_cause_concern"
# Adoption statuses (spread's): the change is part of how the unit works, or on its way.
ADOPTED_BY_UNIT = frozenset({"adopted", "adapted"})
TAKING_UP = frozenset({"planned", "testing"})


class ProjectRow(NamedTuple):
    id: int
    title: str
    status: str
    unit_id: int
    unit_name: str


class _Facts:
    """Everything the portfolio counts, read once for all its aims."""

    def __init__(self, *, org_ids: list[int], aims: list[StrategicAim], origin: str) -> None:
        self.charts_at = charts_url(origin)
        self.projects = {
            row[0]: ProjectRow(*row)
            for row in Project.objects.filter(organisation_id__in=org_ids).values_list(
                "id", "title", "status", "unit_id", "unit__name"
            )
        }
        links = Project.aims.through.objects.filter(strategicaim_id__in=[aim.pk for aim in aims])
        self.projects_of_aim: dict[int, set[int]] = defaultdict(set)
        for aim_id, project_id in links.values_list("strategicaim_id", "project_id"):
            if project_id in self.projects:
                self.projects_of_aim[aim_id].add(project_id)
        self._read_measures(org_ids, aims, links)
        self._read_changes(org_ids)

    def _read_measures(self, org_ids: list[int], aims: list[StrategicAim], links: QuerySet) -> None:
        """The aims' own measures and goals, and the outcome measures of their projects."""
        goals = [aim.goal_measure_id for aim in aims if aim.goal_measure_id is not None]
        measures = list(
            Measure.objects.filter(organisation_id__in=org_ids)
            .filter(
                Q(aim_id__in=[aim.pk for aim in aims])
                | Q(type=Measure.Type.OUTCOME, project_id__in=links.values("project_id"))
                | Q(pk__in=goals)
            )
            .only(*MEASURE_FIELDS)
            .order_by(TYPE_ORDER, "name", "id")
        )
        summaries = measures_spc_summaries(measures)
        self.readings = {
            measure.pk: measure_reading(measure, summaries[measure.pk], charts_at=self.charts_at)
            for measure in measures
        }
        self.measures_of_aim: dict[int, list[int]] = defaultdict(list)
        self.signals: dict[int, dict[str, list]] = defaultdict(
            lambda: {"improving": [], "concern": []}
        )
        for measure in measures:
            if measure.aim_id is not None:
                self.measures_of_aim[measure.aim_id].append(measure.pk)
            elif measure.type == Measure.Type.OUTCOME:
                kind = {IMPROVEMENT: "improving", CONCERN: "concern"}.get(
                    summaries[measure.pk]["point_type"]
                )
                if kind is not None:
                    self.signals[measure.project_id][kind].append(self._signal(measure.pk))
        self.measure_count = len(measures)

    def _signal(self, measure_id: int) -> dict[str, Any]:
        reading = self.readings[measure_id]
        return {
            "id": measure_id,
            "name": reading["name"],
            "variation_icon": reading["variation_icon"],
            "signal": reading["signal"],
            "latest_period": reading["latest_period"],
            "links": reading["links"],
        }

    def _read_changes(self, org_ids: list[int]) -> None:
        """Adopted change ideas, and where spread is installed, the changes put forward
        for spread and the units taking them up."""
        self.spread_installed = apps.is_installed("spread")
        wanted = Q(status=ChangeIdea.Status.ADOPTED)
        fields = ["id", "title", "project_id", "status", "status_changed_at"]
        if self.spread_installed:
            wanted |= Q(spread_candidate__isnull=False)
            fields += ["spread_candidate__id", "spread_candidate__status"]
        ideas = ChangeIdea.objects.filter(project__organisation_id__in=org_ids).filter(wanted)
        self.adopted: dict[int, list[int]] = defaultdict(list)
        self.changes: dict[int, dict[str, Any]] = {}
        self.candidates: dict[int, list[str]] = defaultdict(list)
        for row in ideas.order_by("title", "id").values(*fields):
            if row.get("spread_candidate__id") is not None:
                self.candidates[row["project_id"]].append(row["spread_candidate__status"])
            if row["status"] == ChangeIdea.Status.ADOPTED:
                self.adopted[row["project_id"]].append(row["id"])
                self.changes[row["id"]] = self._change(row)
        self.adoptions: dict[int, list[tuple[int, str]]] = defaultdict(list)
        if self.spread_installed:
            taken_up = ChangeIdea.objects.filter(
                project__organisation_id__in=org_ids, spread_candidate__adoptions__isnull=False
            ).values_list(
                "project_id",
                "spread_candidate__adoptions__unit_id",
                "spread_candidate__adoptions__status",
            )
            for project_id, unit_id, status in taken_up:
                self.adoptions[project_id].append((unit_id, status))

    def _change(self, row: Mapping[str, Any]) -> dict[str, Any]:
        project = self.projects[row["project_id"]]
        adopted_at: datetime | None = row["status_changed_at"]
        return {
            "id": row["id"],
            "title": row["title"],
            "project": {"id": project.id, "title": project.title},
            "adopted_at": adopted_at.isoformat() if adopted_at else None,
            "spread_status": row.get("spread_candidate__status"),
        }

    def signalled_ids(self, projects: list[ProjectRow], kind: str) -> list[int]:
        """The ids of ``projects`` showing ``kind`` ("improving" or "concern")."""
        return [p.id for p in projects if p.id in self.signals and self.signals[p.id][kind]]

    def signalled_project(self, project_id: int) -> dict[str, Any]:
        project = self.projects[project_id]
        return {
            "id": project.id,
            "title": project.title,
            "status": project.status,
            "unit": {"id": project.unit_id, "name": project.unit_name},
            **self.signals[project_id],
        }


def _by_status(statuses: Counter) -> dict[str, Any]:
    return {
        "total": sum(statuses.values()),
        "by_status": {status: statuses.get(status, 0) for status in Project.Status.values},
    }


def _spread(facts: _Facts, project_ids: set[int]) -> dict[str, Any] | None:
    if not facts.spread_installed:
        return None
    candidates = Counter(status for pid in project_ids for status in facts.candidates.get(pid, []))
    adoptions = [entry for pid in project_ids for entry in facts.adoptions.get(pid, [])]
    adopted_units = {unit for unit, status in adoptions if status in ADOPTED_BY_UNIT}
    taking_up = {unit for unit, status in adoptions if status in TAKING_UP}
    return {
        "changes_put_forward": sum(candidates.values()),
        "changes_by_status": dict(sorted(candidates.items())),
        "adoptions_by_status": dict(sorted(Counter(status for _, status in adoptions).items())),
        "units_adopted": len(adopted_units),
        "units_taking_up": len(taking_up - adopted_units),
    }


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.full_name or user.email}


def _goal(aim: StrategicAim, facts: _Facts) -> dict[str, Any]:
    goal = facts.readings.get(aim.goal_measure_id) if aim.goal_measure_id else None
    return {
        "measure": goal,
        "baseline": aim.goal_baseline,
        "target": aim.goal_target,
        "date": aim.goal_date.isoformat() if aim.goal_date else None,
        "met_by_latest_value": None
        if goal is None
        else meets_target(goal["latest_value"], aim.goal_target, goal["improvement_direction"]),
    }


def _aim_node(aim: StrategicAim, cascade: set[int], facts: _Facts) -> dict[str, Any]:
    """One aim with what its cascade carries: every figure but ``measures`` and ``goal``
    counts the projects linked to the aim or to any aim beneath it, each once."""
    projects = sorted((facts.projects[pid] for pid in cascade), key=lambda p: (p.title, p.id))
    units = Counter((project.unit_name, project.unit_id) for project in projects)
    adopted = [facts.changes[idea] for p in projects for idea in facts.adopted.get(p.id, [])]
    return {
        "id": aim.pk,
        "organisation": aim.organisation_id,
        "parent": aim.parent_id,
        "title": aim.title,
        "statement": aim.statement,
        "quality_dimensions": aim.quality_dimensions,
        "unit": None if aim.unit is None else {"id": aim.unit_id, "name": aim.unit.name},
        "owner": _person(aim.owner),
        "starts_on": aim.starts_on.isoformat() if aim.starts_on else None,
        "ends_on": aim.ends_on.isoformat() if aim.ends_on else None,
        "is_active": aim.is_active,
        "goal": _goal(aim, facts),
        "measures": [facts.readings[mid] for mid in facts.measures_of_aim.get(aim.pk, [])],
        "projects": {
            **_by_status(Counter(project.status for project in projects)),
            "linked_directly": len(facts.projects_of_aim.get(aim.pk, ())),
        },
        "units_covered": [
            {"id": unit_id, "name": name, "projects": count}
            for (name, unit_id), count in sorted(units.items())
        ],
        "improving_projects": facts.signalled_ids(projects, "improving"),
        "concern_projects": facts.signalled_ids(projects, "concern"),
        "adopted_changes": [
            change["id"] for change in sorted(adopted, key=lambda c: (c["title"], c["id"]))
        ],
        "spread": _spread(facts, cascade),
        "children": [],
    }


def _aim_tree(aims: list[StrategicAim], facts: _Facts) -> list[dict[str, Any]]:
    shown = {aim.pk for aim in aims}
    children: dict[int, list[StrategicAim]] = defaultdict(list)
    roots = []
    for aim in aims:
        if aim.parent_id in shown:
            children[aim.parent_id].append(aim)
        else:  # the top of a cascade, or beneath an aim that is not shown
            roots.append(aim)

    def build(aim: StrategicAim, seen: frozenset[int]) -> tuple[dict[str, Any], set[int]]:
        cascade = set(facts.projects_of_aim.get(aim.pk, ()))
        nodes = []
        for child in children[aim.pk]:
            if child.pk in seen:  # the services refuse loops; never recurse forever
                continue
            node, below = build(child, seen | {child.pk})
            nodes.append(node)
            cascade |= below
        node = _aim_node(aim, cascade, facts)
        node["children"] = nodes
        return node, cascade

    return [build(root, frozenset({root.pk}))[0] for root in roots]


def portfolio_organisation_ids(*, user: User, organisation_id: int | None = None) -> list[int]:
    """The organisations whose portfolio the user reads: those where they are a leader,
    in the QI team or an admin (only ``organisation_id`` when given)."""
    return [
        org_id
        for org_id in organisation_ids(user=user, roles=PORTFOLIO_READER_ROLES)
        if organisation_id is None or org_id == organisation_id
    ]


def portfolio(
    *,
    user: User,
    organisation_id: int | None = None,
    is_active: bool | None = None,
    origin: str = "",
) -> dict[str, Any]:
    """The portfolio against the strategic aims of the organisations the user leads.

    Each aim, nested in its cascade, with its owner, goal and own measures (latest value
    against target, variation and assurance icons), and over its cascade: projects by
    status, units covered, the projects whose outcome measures' latest point is
    special-cause improvement (or concern), adopted change ideas and their spread reach.
    Projects and changes are listed by id in the aims and described once, in
    ``signalled_projects`` and ``adopted_changes``, since a project counts at every level
    of its cascade. Also the projects linked to no aim. Ten queries or fewer at any size.
    """
    org_ids = portfolio_organisation_ids(user=user, organisation_id=organisation_id)
    memberships = user_memberships(user=user)
    aims_query = StrategicAim.objects.filter(organisation_id__in=org_ids)
    if is_active is not None:
        aims_query = aims_query.filter(is_active=is_active)
    aims = list(aims_query.select_related("unit", "owner").order_by("organisation_id", "title"))
    facts = _Facts(org_ids=org_ids, aims=aims, origin=origin)
    linked = set().union(*facts.projects_of_aim.values())
    unlinked = Counter(p.status for pid, p in facts.projects.items() if pid not in linked)
    shown = sorted((facts.projects[pid] for pid in linked), key=lambda p: (p.title, p.id))
    return {
        "generated_at": timezone.now().isoformat(),
        "organisations": [
            {"id": org_id, "name": memberships[org_id].organisation.name} for org_id in org_ids
        ],
        "projects": _by_status(Counter(p.status for p in facts.projects.values())),
        "not_linked_to_an_aim": _by_status(unlinked),
        "measures_read": facts.measure_count,
        "aims": _aim_tree(aims, facts),
        "signalled_projects": [
            facts.signalled_project(p.id) for p in shown if p.id in facts.signals
        ],
        "adopted_changes": [
            facts.changes[idea] for p in shown for idea in facts.adopted.get(p.id, [])
        ],
    }
