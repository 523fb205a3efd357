"""The portfolio by strategic aim, and the summary table of Making Data Count icons.

Both read many measures at once through their SPC summaries (cached per measure and
revision, misses analysed in one batch), in a fixed number of queries whatever the size
of the organisation. Spread is reached through the ORM's reverse relations
(``change_idea.spread_candidate``, ``candidate.adoptions``), so this module never imports
the spread app; without it installed, the portfolio's spread reach is None.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from django.apps import apps
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from backend.models import User
from backend.selectors import organisation_ids, user_memberships
from projects.chart_svg import ASSURANCE_BADGES, VARIATION_BADGES
from projects.filters import MeasureSummaryFilter, apply_filters
from projects.models import ChangeIdea, ImprovementDirection, Measure, Project, StrategicAim
from projects.selectors.access import PORTFOLIO_READER_ROLES
from projects.selectors.measures import FORMULA_STARTS
from projects.selectors.spc import measures_spc_summaries

IMPROVEMENT = "special_cause_improvement"
CONCERN = "special_cause_concern"
# What the SPC summary needs of a measure, and what a row shows: nothing else is read.
MEASURE_FIELDS = (
    "id",
    "organisation_id",
    "project_id",
    "aim_id",
    "name",
    "type",
    "unit",
    "improvement_direction",
    "chart_type",
    "frequency",
    "target",
    "fix_after_n_points",
    "revision",
    "created_at",
)
# Aims' measures before projects'.
OWNER_ORDER = Case(When(aim__isnull=False, then=Value(0)), default=Value(1))
TYPE_ORDER = Case(
    *(When(type=value, then=Value(index)) for index, value in enumerate(Measure.Type.values)),
    output_field=IntegerField(),
)
# Rows of the CSV read and analysed at a time: memory stays flat for any portfolio, and
# each batch stays within SQLite's limit on query parameters.
CSV_BATCH = 2000
CSV_COLUMNS = (
    "measure_id",
    "measure",
    "type",
    "organisation_id",
    "aim_id",
    "aim",
    "project_id",
    "project",
    "project_status",
    "linked_aims",
    "organisation_unit_id",
    "organisation_unit",
    "unit",
    "improvement_direction",
    "chart_type",
    "frequency",
    "points",
    "latest_period",
    "latest_value",
    "target",
    "meets_target",
    "variation_icon",
    "variation",
    "assurance_icon",
    "assurance",
    "signal",
    "reason",
    "chart_url",
    "chart_svg_url",
)
ADOPTED_UNITS = frozenset({"adopted", "adapted"})
TAKING_UP_UNITS = frozenset({"planned", "testing"})


# --- one measure's reading ------------------------------------------------------------


def meets_target(value: float | None, target: float | None, direction: str) -> bool | None:
    """Whether one value is on the right side of the target (None without a target or a
    direction). One point against a target is not assurance: that is the assurance icon."""
    if value is None or target is None or direction == ImprovementDirection.NEUTRAL:
        return None
    return value >= target if direction == ImprovementDirection.INCREASE else value <= target


def _chart_links(measure_id: int, origin: str) -> dict[str, str]:
    base = f"{origin}{reverse('measure-list')}{measure_id}"
    return {"chart": f"{base}/chart/", "chart_svg": f"{base}/chart.svg"}


def measure_reading(measure: Measure, summary: Mapping[str, Any], *, origin: str = "") -> dict:
    """A measure as the portfolio and the summary table show it: what it is, its latest
    value against the target, its icons (exactly the chart's) and links to the chart."""
    return {
        "id": measure.pk,
        "name": measure.name,
        "type": measure.type,
        "unit": measure.unit,
        "improvement_direction": measure.improvement_direction,
        "chart_type": measure.chart_type,
        "frequency": measure.frequency,
        "target": measure.target,
        "points": summary["points"],
        "latest_period": summary["latest_period"],
        "latest_value": summary["latest_value"],
        "meets_target": meets_target(
            summary["latest_value"], measure.target, measure.improvement_direction
        ),
        "point_type": summary["point_type"],
        "signal": summary["signal"],
        "variation_icon": summary["variation_icon"],
        "assurance_icon": summary["assurance_icon"],
        "reason": summary["reason"],
        "links": _chart_links(measure.pk, origin),
    }


# --- the summary table ----------------------------------------------------------------


def measure_summary_list(
    *, user: User, filters: Mapping[str, Any] | None = None
) -> QuerySet[Measure]:
    """Measures of the user's organisations for the summary table: every member reads
    them (as they read each chart). Aims' measures first, then projects', each owner's
    outcome, process and balancing measures in turn; ``filters`` takes the query
    parameters of ``MeasureSummaryFilter``. Two queries per page."""
    measures = (
        Measure.objects.filter(organisation_id__in=organisation_ids(user=user))
        .select_related("project__unit", "aim__unit")
        .only(
            *MEASURE_FIELDS,
            "project__id",
            "project__title",
            "project__status",
            "project__unit__id",
            "project__unit__name",
            "aim__id",
            "aim__title",
            "aim__unit__id",
            "aim__unit__name",
        )
        .prefetch_related(
            Prefetch("project__aims", queryset=StrategicAim.objects.only("id", "title"))
        )
        .order_by(
            "organisation_id",
            OWNER_ORDER,
            Coalesce("aim__title", "project__title"),
            "aim_id",
            "project_id",
            TYPE_ORDER,
            "name",
            "id",
        )
    )
    if filters is not None:
        measures = apply_filters(MeasureSummaryFilter(filters, queryset=measures, user=user))
    return measures


def _named(instance: Any, name: str = "title") -> dict[str, Any] | None:
    return None if instance is None else {"id": instance.pk, name: getattr(instance, name)}


def measure_summary_rows(measures: Sequence[Measure], *, origin: str = "") -> list[dict]:
    """One summary-table row per measure (from ``measure_summary_list``), with its SPC
    summary read in one batch."""
    summaries = measures_spc_summaries(measures)
    rows = []
    for measure in measures:
        project, aim = measure.project, measure.aim
        owner_unit = project.unit if project is not None else aim.unit
        linked = [aim] if aim is not None else list(project.aims.all())
        rows.append(
            {
                **measure_reading(measure, summaries[measure.pk], origin=origin),
                "organisation": measure.organisation_id,
                "aim": _named(aim),
                "project": None
                if project is None
                else {"id": project.pk, "title": project.title, "status": project.status},
                "linked_aims": [_named(linked_aim) for linked_aim in linked],
                "organisation_unit": _named(owner_unit, "name"),
            }
        )
    return rows


def _csv_text(value: Any) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell starting like a formula.
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_number(value: float | None) -> str:
    if value is None:
        return ""
    return repr(int(value)) if float(value).is_integer() else repr(value)


def _csv_record(row: Mapping[str, Any]) -> list[str]:
    variation = VARIATION_BADGES.get(row["variation_icon"] or "")
    assurance = ASSURANCE_BADGES.get(row["assurance_icon"] or "")
    aim, project, unit = row["aim"], row["project"], row["organisation_unit"]
    meets = row["meets_target"]
    return [
        str(row["id"]),
        _csv_text(row["name"]),
        row["type"],
        str(row["organisation"]),
        "" if aim is None else str(aim["id"]),
        "" if aim is None else _csv_text(aim["title"]),
        "" if project is None else str(project["id"]),
        "" if project is None else _csv_text(project["title"]),
        "" if project is None else project["status"],
        _csv_text("; ".join(linked["title"] for linked in row["linked_aims"])),
        "" if unit is None else str(unit["id"]),
        "" if unit is None else _csv_text(unit["name"]),
        _csv_text(row["unit"]),
        row["improvement_direction"],
        row["chart_type"],
        row["frequency"],
        str(row["points"]),
        row["latest_period"] or "",
        _csv_number(row["latest_value"]),
        _csv_number(row["target"]),
        "" if meets is None else ("yes" if meets else "no"),
        row["variation_icon"] or "",
        "" if variation is None else variation[2],
        row["assurance_icon"] or "",
        "" if assurance is None else assurance[2],
        row["signal"] or "",
        _csv_text(row["reason"]),
        row["links"]["chart"],
        row["links"]["chart_svg"],
    ]


def measure_summary_csv(measures: QuerySet[Measure], *, origin: str = "") -> Iterator[str]:
    """The summary table as CSV text, a header and then batches of rows, for every
    measure of ``measures`` (not a page): a stream, so a large trust's table starts
    arriving at once. Two queries and one SPC batch per 2,000 measures."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield out.getvalue()
    batch: list[Measure] = []
    for measure in measures.iterator(chunk_size=CSV_BATCH):
        batch.append(measure)
        if len(batch) == CSV_BATCH:
            yield _csv_batch(batch, origin)
            batch = []
    if batch:
        yield _csv_batch(batch, origin)


def _csv_batch(measures: list[Measure], origin: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(_csv_record(row) for row in measure_summary_rows(measures, origin=origin))
    return out.getvalue()


# --- the portfolio --------------------------------------------------------------------


class ProjectRow(NamedTuple):
    id: int
    title: str
    status: str
    unit_id: int
    unit_name: str


class _Facts:
    """Everything the portfolio counts, read once for all aims in a fixed number of queries."""

    def __init__(self, *, org_ids: list[int], aims: list[StrategicAim], origin: str) -> None:
        self.origin = origin
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
            measure.pk: measure_reading(measure, summaries[measure.pk], origin=self.origin)
            for measure in measures
        }
        self.measures_of_aim: dict[int, list[int]] = defaultdict(list)
        self.improving: dict[int, list[dict]] = defaultdict(list)
        self.concern: dict[int, list[dict]] = defaultdict(list)
        for measure in measures:
            if measure.aim_id is not None:
                self.measures_of_aim[measure.aim_id].append(measure.pk)
            elif measure.type == Measure.Type.OUTCOME:
                point_type = summaries[measure.pk]["point_type"]
                flagged = {IMPROVEMENT: self.improving, CONCERN: self.concern}.get(point_type)
                if flagged is not None:
                    flagged[measure.project_id].append(self._signal(measure.pk))
        self.measure_count = len(measures)

    def _signal(self, measure_id: int) -> dict[str, Any]:
        # Kept short: a large trust lists hundreds of these at each level of a cascade.
        reading = self.readings[measure_id]
        return {
            "id": measure_id,
            "name": reading["name"],
            "variation_icon": reading["variation_icon"],
            "signal": reading["signal"],
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
        self.adopted: dict[int, list[dict]] = defaultdict(list)
        self.candidates: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for row in ideas.order_by("title", "id").values(*fields):
            candidate_id = row.get("spread_candidate__id")
            if candidate_id is not None:
                self.candidates[row["project_id"]].append(
                    (candidate_id, row["spread_candidate__status"])
                )
            if row["status"] == ChangeIdea.Status.ADOPTED:
                self.adopted[row["project_id"]].append(self._adopted(row))
        self.adoptions: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        if self.spread_installed:
            taken_up = ChangeIdea.objects.filter(
                project__organisation_id__in=org_ids, spread_candidate__adoptions__isnull=False
            ).values_list(
                "project_id",
                "spread_candidate__id",
                "spread_candidate__adoptions__unit_id",
                "spread_candidate__adoptions__status",
            )
            for project_id, candidate_id, unit_id, status in taken_up:
                self.adoptions[project_id].append((candidate_id, unit_id, status))

    def _adopted(self, row: Mapping[str, Any]) -> dict[str, Any]:
        project = self.projects[row["project_id"]]
        adopted_at: datetime | None = row["status_changed_at"]
        return {
            "id": row["id"],
            "title": row["title"],
            "project": {"id": project.id, "title": project.title},
            "adopted_at": adopted_at.isoformat() if adopted_at else None,
            "spread_status": row.get("spread_candidate__status"),
        }


def _by_status(statuses: Counter) -> dict[str, Any]:
    return {
        "total": sum(statuses.values()),
        "by_status": {status: statuses.get(status, 0) for status in Project.Status.values},
    }


def _spread(facts: _Facts, project_ids: set[int]) -> dict[str, Any] | None:
    if not facts.spread_installed:
        return None
    candidates = Counter(
        status for pid in project_ids for _, status in facts.candidates.get(pid, [])
    )
    adoptions = [entry for pid in project_ids for entry in facts.adoptions.get(pid, [])]
    adopted_units = {unit for _, unit, status in adoptions if status in ADOPTED_UNITS}
    taking_up = {unit for _, unit, status in adoptions if status in TAKING_UP_UNITS}
    statuses = Counter(status for _, _, status in adoptions)
    return {
        "changes_put_forward": sum(candidates.values()),
        "changes_by_status": dict(sorted(candidates.items())),
        "adoptions_by_status": dict(sorted(statuses.items())),
        "units_adopted": len(adopted_units),
        "units_taking_up": len(taking_up - adopted_units),
    }


def _flagged(facts: _Facts, flagged: dict[int, list[dict]], project_ids: set[int]) -> list:
    found = [
        {
            "id": pid,
            "title": facts.projects[pid].title,
            "status": facts.projects[pid].status,
            "unit": {"id": facts.projects[pid].unit_id, "name": facts.projects[pid].unit_name},
            "measures": flagged[pid],
        }
        for pid in project_ids
        if pid in flagged
    ]
    return sorted(found, key=lambda project: (project["title"], project["id"]))


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.full_name or user.email}


def _aim_node(aim: StrategicAim, cascade: set[int], facts: _Facts) -> dict[str, Any]:
    """One aim with what its cascade carries: every figure but ``measures`` and ``goal``
    counts the projects linked to the aim or to any aim beneath it, each once."""
    projects = [facts.projects[pid] for pid in cascade]
    units = Counter((project.unit_id, project.unit_name) for project in projects)
    adopted = [idea for pid in cascade for idea in facts.adopted.get(pid, [])]
    goal = facts.readings.get(aim.goal_measure_id) if aim.goal_measure_id else None
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
        "goal": {
            "measure": goal,
            "baseline": aim.goal_baseline,
            "target": aim.goal_target,
            "date": aim.goal_date.isoformat() if aim.goal_date else None,
            "met_by_latest_value": None
            if goal is None
            else meets_target(goal["latest_value"], aim.goal_target, goal["improvement_direction"]),
        },
        "measures": [facts.readings[mid] for mid in facts.measures_of_aim.get(aim.pk, [])],
        "projects": {
            **_by_status(Counter(project.status for project in projects)),
            "linked_directly": len(facts.projects_of_aim.get(aim.pk, ())),
        },
        "units_covered": [
            {"id": unit_id, "name": name, "projects": count}
            for (unit_id, name), count in sorted(units.items(), key=lambda item: item[0][1])
        ],
        "improving_projects": _flagged(facts, facts.improving, cascade),
        "concern_projects": _flagged(facts, facts.concern, cascade),
        "adopted_changes": sorted(adopted, key=lambda idea: (idea["title"], idea["id"])),
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
    status, units covered, projects whose outcome measures' latest point is special-cause
    improvement (or concern), adopted change ideas and their spread reach. Also the
    projects linked to no aim. Ten queries or fewer, whatever the number of projects.
    """
    org_ids = portfolio_organisation_ids(user=user, organisation_id=organisation_id)
    memberships = user_memberships(user=user)
    aims_query = StrategicAim.objects.filter(organisation_id__in=org_ids)
    if is_active is not None:
        aims_query = aims_query.filter(is_active=is_active)
    aims = list(aims_query.select_related("unit", "owner").order_by("organisation_id", "title"))
    facts = _Facts(org_ids=org_ids, aims=aims, origin=origin)
    linked = set().union(*facts.projects_of_aim.values()) if facts.projects_of_aim else set()
    statuses = Counter(project.status for project in facts.projects.values())
    unlinked = Counter(
        project.status for pid, project in facts.projects.items() if pid not in linked
    )
    return {
        "generated_at": timezone.now().isoformat(),
        "organisations": [
            {"id": org_id, "name": memberships[org_id].organisation.name} for org_id in org_ids
        ],
        "projects": _by_status(statuses),
        "measures_read": facts.measure_count,
        "aims": _aim_tree(aims, facts),
        "not_linked_to_an_aim": _by_status(unlinked),
    }
