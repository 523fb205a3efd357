"""The portfolio by strategic aim: are we on track against our few bold aims?

Summarised: each aim, in its cascade, with counts over the projects beneath it and the
top few of each kind (projects showing improvement or concern, adopted changes), and a
link to drill in (``portfolio_aim_projects``, paginated by the API). Read for all aims at
once in a fixed number of queries whatever the size of the organisation; measures
through their stored SPC readings, so nothing is analysed on request. Spread is reached
through the ORM's reverse relations (``change_idea.spread_candidate``,
``candidate.adoptions``), so this module never imports the spread app; without it
installed, the portfolio's spread reach is None.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from django.apps import apps
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
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
from projects.selectors.readings import (
    READING_SUMMARY_FIELDS,
    current,
    measures_spc_summaries,
    readings_renew_missing,
)
from projects.spc_summary import CONCERN, IMPROVEMENT

# How many of each kind an aim shows inline; the rest are a drill-in away.
TOP = 3
SIGNAL_KINDS = {IMPROVEMENT: "improving", CONCERN: "concern"}
# What the drill-in lists: every project of the cascade, or those of one kind.
SHOW = ("all", "improving", "concern", "adopted")
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
        self.portfolio_at = reverse("portfolio")
        self.projects = {
            row[0]: ProjectRow(*row)
            for row in Project.objects.filter(organisation_id__in=org_ids)
            .order_by()
            .values_list("id", "title", "status", "unit_id", "unit__name")
        }
        links = Project.aims.through.objects.filter(
            strategicaim_id__in=[aim.pk for aim in aims]
        ).values_list("strategicaim_id", "project_id")
        self.projects_of_aim: dict[int, set[int]] = defaultdict(set)
        for aim_id, project_id in links:
            if project_id in self.projects:
                self.projects_of_aim[aim_id].add(project_id)
        self.linked = set().union(*self.projects_of_aim.values())
        self._read_aim_measures(org_ids, aims)
        self._read_signals(org_ids)
        self._read_changes(org_ids)

    def _read_aim_measures(self, org_ids: list[int], aims: list[StrategicAim]) -> None:
        """The aims' own measures and goals, with their readings."""
        goals = [aim.goal_measure_id for aim in aims if aim.goal_measure_id is not None]
        measures = list(
            Measure.objects.filter(organisation_id__in=org_ids)
            .filter(Q(aim_id__in=[aim.pk for aim in aims]) | Q(pk__in=goals))
            .select_related("reading")
            .only(*MEASURE_FIELDS, *READING_SUMMARY_FIELDS)
            .order_by(TYPE_ORDER, "name", "id")
        )
        summaries = measures_spc_summaries(measures)
        self.readings = {
            measure.pk: measure_reading(measure, summaries[measure.pk], charts_at=self.charts_at)
            for measure in measures
        }
        self.measures_of_aim: dict[int, list[int]] = defaultdict(list)
        for measure in measures:
            if measure.aim_id is not None:
                self.measures_of_aim[measure.aim_id].append(measure.pk)

    def _read_signals(self, org_ids: list[int]) -> None:
        """The outcome measures of linked projects whose latest point is special cause,
        read from their current readings in SQL (renewing any missing first)."""
        outcomes = Measure.objects.filter(
            organisation_id__in=org_ids,
            type=Measure.Type.OUTCOME,
            project__aims__in=list(self.projects_of_aim),
        )
        readings_renew_missing(outcomes.distinct())
        rows = (
            Measure.objects.filter(
                current(),
                organisation_id__in=org_ids,
                type=Measure.Type.OUTCOME,
                reading__point_type__in=list(SIGNAL_KINDS),
            )
            .order_by("name", "id")
            .values_list(
                "id",
                "project_id",
                "name",
                "reading__point_type",
                "reading__signal",
                "reading__latest_period",
                "reading__variation_icon",
            )
        )
        self.signals: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(
            lambda: {"improving": [], "concern": []}
        )
        self.latest_signal: dict[tuple[str, int], str] = {}
        for measure_id, project_id, name, point_type, signal, period, icon in rows:
            if project_id not in self.linked:
                continue
            kind = SIGNAL_KINDS[point_type]
            latest = period.isoformat()
            self.signals[project_id][kind].append(
                {
                    "id": measure_id,
                    "name": name,
                    "variation_icon": icon,
                    "signal": signal,
                    "latest_period": latest,
                    "links": {
                        "chart": f"{self.charts_at}{measure_id}/chart/",
                        "chart_svg": f"{self.charts_at}{measure_id}/chart.svg",
                    },
                }
            )
            key = (kind, project_id)
            self.latest_signal[key] = max(self.latest_signal.get(key, ""), latest)

    def _read_changes(self, org_ids: list[int]) -> None:
        """Adopted change ideas, and where spread is installed, the changes put forward
        for spread and the units taking them up."""
        self.spread_installed = apps.is_installed("spread")
        wanted = Q(status=ChangeIdea.Status.ADOPTED)
        fields = ["id", "title", "project_id", "status", "status_changed_at"]
        if self.spread_installed:
            wanted |= Q(spread_candidate__isnull=False)
            fields += ["spread_candidate__status"]
        ideas = ChangeIdea.objects.filter(project__organisation_id__in=org_ids).filter(wanted)
        self.adopted: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.candidates: dict[int, list[str]] = defaultdict(list)
        for row in ideas.order_by().values(*fields):
            if row.get("spread_candidate__status") is not None:
                self.candidates[row["project_id"]].append(row["spread_candidate__status"])
            if row["status"] == ChangeIdea.Status.ADOPTED:
                self.adopted[row["project_id"]].append(self._change(row))
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

    def cascade_of(self, aim_id: int, children: Mapping[int, list[StrategicAim]]) -> set[int]:
        """The projects linked to the aim or to any aim beneath it, each once."""
        cascade, seen, todo = set(), {aim_id}, [aim_id]
        while todo:
            current_id = todo.pop()
            cascade |= self.projects_of_aim.get(current_id, set())
            for child in children.get(current_id, []):
                if child.pk not in seen:  # the services refuse loops; never loop forever
                    seen.add(child.pk)
                    todo.append(child.pk)
        return cascade

    def project_item(self, project_id: int, kind: str | None = None) -> dict[str, Any]:
        """A project as an aim lists it: with its signalled outcome measures (of ``kind``,
        or both) and its adopted changes when listing everything."""
        project = self.projects[project_id]
        signals = self.signals.get(project_id, {"improving": [], "concern": []})
        item: dict[str, Any] = {
            "id": project.id,
            "title": project.title,
            "status": project.status,
            "unit": {"id": project.unit_id, "name": project.unit_name},
        }
        for name in ("improving", "concern"):
            if kind in (None, name):
                item[name] = signals[name]
        if kind in (None, "adopted"):
            item["adopted_changes"] = self.adopted.get(project_id, [])
        return item

    def ordered(self, project_ids: Iterable[int], show: str) -> list[int]:
        """The projects of ``show``: signalled ones latest signal first, adopted ones
        latest adoption first, all of them by title; then by title and id."""
        by_title = sorted(project_ids, key=lambda pid: (self.projects[pid].title, pid))
        if show in ("improving", "concern"):
            chosen = [pid for pid in by_title if (show, pid) in self.latest_signal]
            return sorted(chosen, key=lambda pid: self.latest_signal[(show, pid)], reverse=True)
        if show == "adopted":
            chosen = [pid for pid in by_title if self.adopted.get(pid)]
            return sorted(
                chosen,
                key=lambda pid: max(change["adopted_at"] or "" for change in self.adopted[pid]),
                reverse=True,
            )
        return by_title


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


def _counted(facts: _Facts, cascade: set[int], show: str) -> dict[str, Any]:
    ordered = facts.ordered(cascade, show)
    if show == "adopted":
        changes = sorted(
            (change for pid in ordered for change in facts.adopted[pid]),
            key=lambda change: change["adopted_at"] or "",
            reverse=True,
        )
        return {"count": len(changes), "top": changes[:TOP]}
    return {
        "count": len(ordered),
        "top": [facts.project_item(pid, show) for pid in ordered[:TOP]],
    }


def _aim_node(aim: StrategicAim, cascade: set[int], facts: _Facts) -> dict[str, Any]:
    """One aim with what its cascade carries: every figure but ``measures`` and ``goal``
    counts the projects linked to the aim or to any aim beneath it, each once."""
    units = Counter((facts.projects[pid].unit_id, facts.projects[pid].unit_name) for pid in cascade)
    drill = f"{facts.portfolio_at}?aim={aim.pk}"
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
            **_by_status(Counter(facts.projects[pid].status for pid in cascade)),
            "linked_directly": len(facts.projects_of_aim.get(aim.pk, ())),
        },
        "units_covered": {
            "count": len(units),
            "top": [
                {"id": unit_id, "name": name, "projects": count}
                for (unit_id, name), count in sorted(
                    units.items(), key=lambda item: (-item[1], item[0][1], item[0][0])
                )[:TOP]
            ],
        },
        "improving": _counted(facts, cascade, "improving"),
        "concern": _counted(facts, cascade, "concern"),
        "adopted_changes": _counted(facts, cascade, "adopted"),
        "spread": _spread(facts, cascade),
        "links": {show: drill if show == "all" else f"{drill}&show={show}" for show in SHOW},
        "children": [],
    }


def _children(aims: list[StrategicAim]) -> tuple[list[StrategicAim], dict[int, list]]:
    shown = {aim.pk for aim in aims}
    children: dict[int, list[StrategicAim]] = defaultdict(list)
    roots = []
    for aim in aims:
        if aim.parent_id in shown:
            children[aim.parent_id].append(aim)
        else:  # the top of a cascade, or beneath an aim that is not shown
            roots.append(aim)
    return roots, children


def _aim_tree(aims: list[StrategicAim], facts: _Facts) -> list[dict[str, Any]]:
    roots, children = _children(aims)

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


def _aims(org_ids: list[int], is_active: bool | None) -> list[StrategicAim]:
    aims_query = StrategicAim.objects.filter(organisation_id__in=org_ids)
    if is_active is not None:
        aims_query = aims_query.filter(is_active=is_active)
    return list(aims_query.select_related("unit", "owner").order_by("organisation_id", "title"))


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
    status, the units covered, the projects whose outcome measures' latest point is
    special-cause improvement (or concern), the adopted changes (each a count and the top
    ``TOP``, most recent first) and their spread reach, with links to drill in
    (``portfolio_aim_projects``). Also the projects linked to no aim. A fixed number of
    queries at any size, reading stored SPC readings.
    """
    org_ids = portfolio_organisation_ids(user=user, organisation_id=organisation_id)
    memberships = user_memberships(user=user)
    aims = _aims(org_ids, is_active)
    facts = _Facts(org_ids=org_ids, aims=aims, origin=origin)
    unlinked = Counter(p.status for pid, p in facts.projects.items() if pid not in facts.linked)
    return {
        "generated_at": timezone.now().isoformat(),
        "organisations": [
            {"id": org_id, "name": memberships[org_id].organisation.name} for org_id in org_ids
        ],
        "projects": _by_status(Counter(p.status for p in facts.projects.values())),
        "not_linked_to_an_aim": _by_status(unlinked),
        "aims": _aim_tree(aims, facts),
    }


class AimProjects(NamedTuple):
    """One aim of the portfolio and the projects of its cascade, ready to be paged."""

    aim: dict[str, Any]
    project_ids: list[int]
    describe: Any  # (page of project ids) -> list of project items


def portfolio_aim_projects(
    *, user: User, aim_id: int, show: str = "all", origin: str = ""
) -> AimProjects:
    """Drill into one aim of the portfolio: the aim as the portfolio shows it (without
    its children) and the projects of its cascade (``show``: all of them by title, or
    those showing improvement, concern, or with adopted changes, most recent first),
    each with its signalled outcome measures and adopted changes. An aim of an
    organisation whose portfolio the user does not read is a 404."""
    org_ids = portfolio_organisation_ids(user=user)
    aims = _aims(org_ids, None)
    chosen = next((aim for aim in aims if aim.pk == aim_id), None)
    if chosen is None:
        raise Http404("No such aim in a portfolio you read.")
    aims = [aim for aim in aims if aim.organisation_id == chosen.organisation_id]
    facts = _Facts(org_ids=[chosen.organisation_id], aims=aims, origin=origin)
    _, children = _children(aims)
    cascade = facts.cascade_of(chosen.pk, children)
    node = _aim_node(chosen, cascade, facts)
    node["children"] = [{"id": child.pk, "title": child.title} for child in children[chosen.pk]]
    kind = None if show == "all" else show
    return AimProjects(
        aim=node,
        project_ids=facts.ordered(cascade, show),
        describe=lambda ids: [facts.project_item(pid, kind) for pid in ids],
    )
