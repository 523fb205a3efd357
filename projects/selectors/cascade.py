"""What each strategic aim's cascade carries, counted in the database.

An aim's cascade is the aim and every aim beneath it; a project linked to several aims of
one cascade counts once. The portfolio asks the same questions of every aim at once
(projects by status, units covered, projects whose outcome measures show improvement or
concern, adopted changes, spread reach), so each aim's cascade is given to the database
as rows (aim, aim beneath it), and each question is one ``GROUP BY`` over the projects
they cover, all in one statement: a few hundred rows come back whatever the size of the
organisation, instead of every project, link and measure.

The SQL is standard (common table expressions, window functions), so PostgreSQL and
SQLite run
the same text; table and column names come from the models, and every value is a query
parameter: nothing from a request is ever formatted into the text (so ruff's S608 is
silenced for this module in pyproject.toml). Spread's tables are named
through the ORM's reverse relations (``ChangeIdea.spread_candidate``), never by
importing the spread app.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection

from projects.models import (
    ChangeIdea,
    Measure,
    MeasureReading,
    Project,
    StrategicAim,
)
from projects.spc_summary import CONCERN, ENGINE_VERSION, IMPROVEMENT

SIGNALS = {IMPROVEMENT: "improving", CONCERN: "concern"}
# Adoption statuses (spread's): the change is part of how the unit works, or on its way.
ADOPTED_BY_UNIT = ("adopted", "adapted")
TAKING_UP = ("planned", "testing")


@dataclass
class AimCounts:
    """What one aim's cascade carries; ``top_*`` hold the first few, most recent first."""

    statuses: Counter = field(default_factory=Counter)
    linked_directly: int = 0
    units: int = 0
    top_units: list[dict[str, Any]] = field(default_factory=list)
    signalled: dict[str, int] = field(default_factory=lambda: {"improving": 0, "concern": 0})
    top_signalled: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {"improving": [], "concern": []}
    )
    adopted: int = 0
    top_adopted: list[int] = field(default_factory=list)
    candidates: Counter = field(default_factory=Counter)
    adoptions: Counter = field(default_factory=Counter)
    units_adopted: int = 0
    units_taking_up: int = 0


@dataclass
class Cascades:
    """Every shown aim's counts, and the organisations' projects by status."""

    aims: dict[int, AimCounts]
    projects: Counter
    not_linked: Counter
    # Every project linked to a shown aim, as one cascade: its signals and adoptions.
    overall: AimCounts


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# The columns of every part of the union after (section, aim), with their types.
COLUMNS = {
    "item": "BIGINT",
    "key": "TEXT",
    "label": "TEXT",
    "n": "BIGINT",
    "total": "BIGINT",
    "unit_id": "BIGINT",
    "unit_name": "TEXT",
    "day": "TEXT",
    "place": "BIGINT",
}


def _select(section: str, top: str, source: str, **columns: str) -> str:
    """One part of the union: every part has the same columns, cast to the same types
    (PostgreSQL will not guess the type of a bare NULL in a union)."""
    values = ", ".join(
        f"CAST({columns.get(name, 'NULL')} AS {kind})" for name, kind in COLUMNS.items()
    )
    return f"SELECT '{section}', CAST({top} AS BIGINT), {values} {source}"


class _Query:
    """The cascade of the shown aims as SQL, and every question asked of it in one
    statement, so the cascade is worked out once."""

    def __init__(
        self,
        *,
        org_ids: Sequence[int],
        cascades: Sequence[tuple[int, int]],
        whole: bool,
        top: int,
        top_overall: int,
    ) -> None:
        orgs = ", ".join(["%s"] * len(org_ids))
        project, links = _table(Project), _table(Project.aims.through)
        self.unit = _table(Project.unit.field.related_model)
        # The (aim, aim beneath it) pairs are worked out from the aims in hand and given
        # as rows: the planner then knows how few there are and reads links, measures and
        # changes through their indexes (a recursive expression's guessed size made it
        # read every trust's rows instead).
        pairs = list(cascades) or [(-1, -1)]
        # "covered": each aim and the projects of its cascade; "overall": every project
        # linked to any shown aim, counted as aim 0.
        self.prefix = f"""WITH cascade_aims (top_id, aim_id) AS (
                VALUES {", ".join(["(%s, %s)"] * len(pairs))}
            ), pairs AS (
                SELECT DISTINCT c.top_id, l.project_id
                FROM cascade_aims c JOIN {links} l ON l.strategicaim_id = c.aim_id
            ), covered AS (
                SELECT pairs.top_id, p.id AS project_id, p.status, p.unit_id, p.title
                FROM pairs JOIN {project} p ON p.id = pairs.project_id
                WHERE p.organisation_id IN ({orgs})
            ), overall AS (
                SELECT DISTINCT 0 AS top_id, project_id, status, unit_id, title FROM covered
            )"""
        self.params: list[Any] = [*(value for pair in pairs for value in pair), *org_ids]
        self.selects: list[str] = []
        self._add(
            _select(
                "status",
                "top_id",
                "FROM covered GROUP BY top_id, status",
                key="status",
                n="COUNT(*)",
            )
        )
        self._add(
            _select(
                "direct",
                "l.strategicaim_id",
                f"""FROM {links} l JOIN {project} p ON p.id = l.project_id
                WHERE l.strategicaim_id IN (SELECT aim_id FROM cascade_aims WHERE aim_id = top_id)
                AND p.organisation_id IN ({orgs}) GROUP BY l.strategicaim_id""",
                n="COUNT(*)",
            ),
            *org_ids,
        )
        self._units(top)
        self._signalled("covered", top)
        self._adopted("covered", top)
        if apps.is_installed("spread"):
            self._spread()
        if whole:  # the whole portfolio: its projects, and its own top few
            self._signalled("overall", top_overall)
            self._adopted("overall", top_overall)
            self._add(
                _select(
                    "all",
                    "0",
                    f"FROM {project} WHERE organisation_id IN ({orgs}) GROUP BY status",
                    key="status",
                    n="COUNT(*)",
                ),
                *org_ids,
            )
            self._add(
                _select(
                    "unlinked",
                    "0",
                    f"""FROM {project} WHERE organisation_id IN ({orgs})
                    AND id NOT IN (SELECT project_id FROM covered) GROUP BY status""",
                    key="status",
                    n="COUNT(*)",
                ),
                *org_ids,
            )

    def _add(self, select: str, *params: Any) -> None:
        self.selects.append(select)
        self.params += params

    def _units(self, top: int) -> None:
        if not top:  # the count alone: no ranking
            self._add(
                _select(
                    "unit",
                    "top_id",
                    "FROM covered GROUP BY top_id",
                    total="COUNT(DISTINCT unit_id)",
                )
            )
            return
        self._add(
            _select(
                "unit",
                "top_id",
                f"""FROM (
                    SELECT cv.top_id, cv.unit_id, u.name, COUNT(*) AS projects,
                        ROW_NUMBER() OVER (
                            PARTITION BY cv.top_id ORDER BY COUNT(*) DESC, u.name, cv.unit_id
                        ) AS place,
                        COUNT(*) OVER (PARTITION BY cv.top_id) AS units
                    FROM covered cv JOIN {self.unit} u ON u.id = cv.unit_id
                    GROUP BY cv.top_id, cv.unit_id, u.name
                ) ranked WHERE place <= %s""",
                item="unit_id",
                label="name",
                n="projects",
                total="units",
                place="place",
            ),
            top,
        )

    def _signalled(self, source: str, top: int) -> None:
        # Each project's outcome measures whose current reading's latest point signals.
        outcomes = f"""FROM {source} cv
            JOIN {_table(Measure)} m ON m.project_id = cv.project_id AND m.type = %s
            JOIN {_table(MeasureReading)} r ON r.measure_id = m.id
                AND r.revision = m.revision AND r.engine_version = %s"""
        signalling = "r.point_type IN (%s, %s)"
        if not top:  # the counts alone: no ranking
            self._add(
                _select(
                    "signal",
                    "cv.top_id",
                    f"{outcomes} WHERE {signalling} GROUP BY cv.top_id, r.point_type",
                    key="r.point_type",
                    total="COUNT(DISTINCT cv.project_id)",
                ),
                Measure.Type.OUTCOME,
                ENGINE_VERSION,
                IMPROVEMENT,
                CONCERN,
            )
            return
        self._add(
            _select(
                "signal",
                "top_id",
                f"""FROM (
                    SELECT cv.top_id, r.point_type, cv.project_id, cv.title, cv.unit_id,
                        u.name, MAX(r.latest_period) AS latest,
                        ROW_NUMBER() OVER (
                            PARTITION BY cv.top_id, r.point_type
                            ORDER BY MAX(r.latest_period) DESC, cv.title, cv.project_id
                        ) AS place,
                        COUNT(*) OVER (PARTITION BY cv.top_id, r.point_type) AS projects
                    {outcomes}
                    JOIN {self.unit} u ON u.id = cv.unit_id
                    WHERE {signalling}
                    GROUP BY cv.top_id, r.point_type, cv.project_id, cv.title, cv.unit_id,
                        u.name
                ) ranked WHERE place <= %s""",
                item="project_id",
                key="point_type",
                label="title",
                total="projects",
                unit_id="unit_id",
                unit_name="name",
                day="latest",
                place="place",
            ),
            Measure.Type.OUTCOME,
            ENGINE_VERSION,
            IMPROVEMENT,
            CONCERN,
            top,
        )

    def _adopted(self, source: str, top: int) -> None:
        if not top:  # the count alone: no ranking
            self._add(
                _select(
                    "adopted",
                    "cv.top_id",
                    f"""FROM {source} cv
                    JOIN {_table(ChangeIdea)} ci ON ci.project_id = cv.project_id
                    WHERE ci.status = %s GROUP BY cv.top_id""",
                    total="COUNT(*)",
                ),
                ChangeIdea.Status.ADOPTED,
            )
            return
        self._add(
            _select(
                "adopted",
                "top_id",
                f"""FROM (
                    SELECT cv.top_id, ci.id,
                        ROW_NUMBER() OVER (
                            PARTITION BY cv.top_id
                            ORDER BY (ci.status_changed_at IS NULL), ci.status_changed_at DESC,
                                ci.title, ci.id
                        ) AS place,
                        COUNT(*) OVER (PARTITION BY cv.top_id) AS changes
                    FROM {source} cv
                    JOIN {_table(ChangeIdea)} ci ON ci.project_id = cv.project_id
                    WHERE ci.status = %s
                ) ranked WHERE place <= %s""",
                item="id",
                total="changes",
                place="place",
            ),
            ChangeIdea.Status.ADOPTED,
            top,
        )

    def _spread(self) -> None:
        candidate = ChangeIdea._meta.get_field("spread_candidate").related_model
        adoption = candidate._meta.get_field("adoptions").related_model
        ideas = f"""FROM covered cv
            JOIN {_table(ChangeIdea)} ci ON ci.project_id = cv.project_id
            JOIN {_table(candidate)} cand ON cand.change_idea_id = ci.id"""
        adopted = f"{ideas} JOIN {_table(adoption)} ad ON ad.candidate_id = cand.id"
        marks = ", ".join(["%s"] * len(ADOPTED_BY_UNIT))
        taking = ", ".join(["%s"] * len(TAKING_UP))
        self._add(
            _select(
                "candidates",
                "cv.top_id",
                f"{ideas} GROUP BY cv.top_id, cand.status",
                key="cand.status",
                n="COUNT(*)",
            )
        )
        self._add(
            _select(
                "adoptions",
                "cv.top_id",
                f"{adopted} GROUP BY cv.top_id, ad.status",
                key="ad.status",
                n="COUNT(*)",
            )
        )
        # A unit counts as adopting if any of its adoptions is adopted or adapted, and as
        # taking up only if none is.
        self._add(
            _select(
                "units",
                "top_id",
                f"""FROM (
                    SELECT cv.top_id, ad.unit_id,
                        MAX(CASE WHEN ad.status IN ({marks}) THEN 1 ELSE 0 END) AS adopted,
                        MAX(CASE WHEN ad.status IN ({taking}) THEN 1 ELSE 0 END) AS taking
                    {adopted} GROUP BY cv.top_id, ad.unit_id
                ) units GROUP BY top_id""",
                n="SUM(adopted)",
                total="SUM(taking * (1 - adopted))",
            ),
            *ADOPTED_BY_UNIT,
            *TAKING_UP,
        )

    def rows(self) -> list[tuple]:
        # Ranked parts come back best first within each aim (and kind).
        sql = f"{self.prefix} {' UNION ALL '.join(self.selects)} ORDER BY 1, 2, 4, 11"
        with connection.cursor() as cursor:
            cursor.execute(sql, self.params)
            return cursor.fetchall()


def cascade_pairs(
    aims: Sequence[StrategicAim], tops: Collection[int] | None = None
) -> list[tuple[int, int]]:
    """(aim, aim in its cascade) for every aim of ``aims`` (or only those of ``tops``):
    the aim itself and every aim beneath it among ``aims``. An aim beneath one not in
    ``aims`` heads a cascade of its own."""
    children: dict[int, list[int]] = defaultdict(list)
    shown = {aim.pk for aim in aims}
    for aim in aims:
        if aim.parent_id in shown:
            children[aim.parent_id].append(aim.pk)
    pairs = []
    for aim in aims:
        if tops is not None and aim.pk not in tops:
            continue
        seen, todo = {aim.pk}, [aim.pk]
        while todo:  # the services refuse loops; ``seen`` makes sure anyway
            current = todo.pop()
            pairs.append((aim.pk, current))
            for child in children[current]:
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
    return pairs


def cascade_counts(
    *,
    org_ids: Sequence[int],
    aims: Sequence[StrategicAim],
    top: int,
    top_overall: int = 0,
    whole: bool = True,
    tops: Collection[int] | None = None,
) -> Cascades:
    """What the cascade of every aim of ``aims`` (the shown aims of ``org_ids``; only
    those of ``tops`` when given, the other aims of ``aims`` still belonging to them)
    carries, with the first ``top`` of each kind: one query, returning rows per aim (a
    few for each), not per project. With the ``whole`` portfolio come the organisations'
    projects by status, those linked to no aim, and over all linked projects the
    signalled ones and adopted changes (the first ``top_overall``).

    Projects showing improvement or concern are read from their outcome measures'
    current stored readings; the caller renews missing readings first.
    """
    query = _Query(
        org_ids=org_ids,
        cascades=cascade_pairs(aims, tops),
        whole=whole,
        top=top,
        top_overall=top_overall,
    )
    found: dict[int, AimCounts] = defaultdict(AimCounts)
    projects, not_linked = Counter(), Counter()
    for section, aim, item, key, label, n, total, unit_id, unit_name, day, _ in query.rows():
        counts = found[aim]
        match section:
            case "status":
                counts.statuses[key] = n
            case "direct":
                counts.linked_directly = n
            case "all":
                projects[key] = n
            case "unlinked":
                not_linked[key] = n
            case "unit":
                counts.units = total
                if item is not None:  # a ranked row, not the count alone
                    counts.top_units.append({"id": item, "name": label, "projects": n})
            case "signal":
                kind = SIGNALS[key]
                counts.signalled[kind] = total
                if item is not None:
                    counts.top_signalled[kind].append(
                        {
                            "id": item,
                            "title": label,
                            "unit": {"id": unit_id, "name": unit_name},
                            "latest_signal": day,
                        }
                    )
            case "adopted":
                counts.adopted = total
                if item is not None:
                    counts.top_adopted.append(item)
            case "candidates":
                counts.candidates[key] = n
            case "adoptions":
                counts.adoptions[key] = n
            case "units":
                counts.units_adopted, counts.units_taking_up = int(n), int(total)
    overall = found.pop(0, AimCounts())
    found.pop(-1, None)
    return Cascades(aims=dict(found), projects=projects, not_linked=not_linked, overall=overall)
