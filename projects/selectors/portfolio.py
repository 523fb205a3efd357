"""The portfolio by strategic aim: are we on track against our few bold aims?

Summarised: each aim, in its cascade, with counts over the projects beneath it and the
first few of each kind (projects showing improvement or concern, adopted changes, the
units covered), and links to drill in (``portfolio_aim_projects``, paged by the API).
The counts are aggregated in the database over each aim's cascade
(``projects.selectors.cascade``) and the measures read through their stored SPC
readings, so a request reads a few hundred rows and analyses nothing, whatever the size
of the organisation. Spread is reached through the ORM's reverse relations
(``change_idea.spread_candidate``, ``candidate.adoptions``), never by importing the
spread app; without it installed, the portfolio's spread reach is None.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from django.apps import apps
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from backend.models import User
from backend.selectors import organisation_ids, user_memberships
from projects.models import ChangeIdea, Measure, Project, StrategicAim
from projects.selectors.access import PORTFOLIO_READER_ROLES
from projects.selectors.cascade import SIGNALS, AimCounts, cascade_counts, cascade_pairs
from projects.selectors.measure_table import (
    MEASURE_FIELDS,
    TYPE_ORDER,
    charts_url,
    measure_reading,
    meets_target,
)
from projects.selectors.readings import (
    READING_SUMMARY_FIELDS,
    measures_spc_summaries,
    reading_current,
    readings_renew_missing,
)

# How many of each kind an aim shows inline; the rest are a drill-in away.
TOP = 3
# How many the portfolio shows over all its aims (a board's wins and concerns).
TOP_OVERALL = 10
# What the drill-in lists: every project of the cascade, or those of one kind.
SHOW = ("all", "improving", "concern", "adopted")


def _by_status(statuses: Counter) -> dict[str, Any]:
    return {
        "total": sum(statuses.values()),
        "by_status": {status: statuses.get(status, 0) for status in Project.Status.values},
    }


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.full_name or user.email}


def _changes(ideas: QuerySet[ChangeIdea]) -> list[dict[str, Any]]:
    """Change ideas as the portfolio lists them, in the queryset's order (one query)."""
    fields = ["id", "title", "project_id", "project__title", "status_changed_at"]
    if apps.is_installed("spread"):
        fields.append("spread_candidate__status")
    found = []
    for row in ideas.values(*fields):
        adopted_at = row["status_changed_at"]
        found.append(
            {
                "id": row["id"],
                "title": row["title"],
                "project": {"id": row["project_id"], "title": row["project__title"]},
                "adopted_at": adopted_at.isoformat() if adopted_at else None,
                "spread_status": row.get("spread_candidate__status"),
            }
        )
    return found


class _Portfolio:
    """The shown aims of some organisations, with their cascades' counts and own
    measures, read once."""

    def __init__(
        self,
        *,
        org_ids: list[int],
        aims: list[StrategicAim],
        is_active: bool | None,
        origin: str,
        aim_id: int | None = None,
        whole: bool | None = None,
        tops: set[int] | None = None,
        top: int = TOP,
        top_overall: int = TOP_OVERALL,
    ) -> None:
        self.aims = aims
        self.charts_at = charts_url(origin)
        self.portfolio_at = reverse("portfolio")
        readings_renew_missing(
            Measure.objects.filter(
                organisation_id__in=org_ids, type=Measure.Type.OUTCOME, project__isnull=False
            )
        )
        self.cascades = cascade_counts(
            org_ids=org_ids,
            aims=aims,
            top=top,
            top_overall=top_overall,
            # One aim drilled into is counted alone; so is a part of the portfolio.
            whole=aim_id is None if whole is None else whole,
            tops={aim_id} if aim_id is not None else tops,
        )
        shown_ideas = [
            idea
            for counts in [*self.cascades.aims.values(), self.cascades.overall]
            for idea in counts.top_adopted
        ]
        self.changes = {
            change["id"]: change
            for change in _changes(ChangeIdea.objects.filter(pk__in=shown_ideas).order_by())
        }
        self._read_aim_measures(
            org_ids, aims if aim_id is None else [a for a in aims if a.pk == aim_id]
        )
        self.children: dict[int, list[StrategicAim]] = defaultdict(list)
        shown = {aim.pk for aim in aims}
        self.roots = []
        for aim in aims:
            if aim.parent_id in shown:
                self.children[aim.parent_id].append(aim)
            else:  # the top of a cascade, or beneath an aim that is not shown
                self.roots.append(aim)

    def _read_aim_measures(self, org_ids: list[int], aims: list[StrategicAim]) -> None:
        """The aims' own measures and goals, with their stored readings."""
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

    def _goal(self, aim: StrategicAim) -> dict[str, Any]:
        goal = self.readings.get(aim.goal_measure_id) if aim.goal_measure_id else None
        return {
            "measure": goal,
            "baseline": aim.goal_baseline,
            "target": aim.goal_target,
            "date": aim.goal_date.isoformat() if aim.goal_date else None,
            "met_by_latest_value": None
            if goal is None
            else meets_target(goal["latest_value"], aim.goal_target, goal["improvement_direction"]),
        }

    def _spread(self, counts: AimCounts) -> dict[str, Any] | None:
        if not apps.is_installed("spread"):
            return None
        return {
            "changes_put_forward": sum(counts.candidates.values()),
            "changes_by_status": dict(sorted(counts.candidates.items())),
            "adoptions_by_status": dict(sorted(counts.adoptions.items())),
            "units_adopted": counts.units_adopted,
            "units_taking_up": counts.units_taking_up,
        }

    def node(self, aim: StrategicAim) -> dict[str, Any]:
        """One aim with what its cascade carries: every figure but ``measures`` and
        ``goal`` counts the projects linked to the aim or to any aim beneath it, once."""
        counts = self.cascades.aims.get(aim.pk, AimCounts())
        drill = f"{self.portfolio_at}?aim={aim.pk}"
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
            "goal": self._goal(aim),
            "measures": [self.readings[mid] for mid in self.measures_of_aim.get(aim.pk, [])],
            "projects": {
                **_by_status(counts.statuses),
                "linked_directly": counts.linked_directly,
            },
            "units_covered": {"count": counts.units, "top": counts.top_units},
            **self.signals_and_changes(counts),
            "spread": self._spread(counts),
            "links": {show: drill if show == "all" else f"{drill}&show={show}" for show in SHOW},
            "children": [],
        }

    def signals_and_changes(self, counts: AimCounts) -> dict[str, Any]:
        """Projects showing improvement and concern, and adopted changes: a count and the
        first few of each."""
        return {
            **{
                kind: {"count": counts.signalled[kind], "top": counts.top_signalled[kind]}
                for kind in SIGNALS.values()
            },
            "adopted_changes": {
                "count": counts.adopted,
                "top": [self.changes[idea] for idea in counts.top_adopted],
            },
        }

    def tree(self) -> list[dict[str, Any]]:
        def build(aim: StrategicAim, seen: frozenset[int]) -> dict[str, Any]:
            node = self.node(aim)
            node["children"] = [
                build(child, seen | {child.pk})
                for child in self.children[aim.pk]
                if child.pk not in seen  # the services refuse loops; never recurse forever
            ]
            return node

        return [build(root, frozenset({root.pk})) for root in self.roots]

    def cascade_aim_ids(self, aim: StrategicAim) -> set[int]:
        found, todo = {aim.pk}, [aim.pk]
        while todo:
            for child in self.children[todo.pop()]:
                if child.pk not in found:
                    found.add(child.pk)
                    todo.append(child.pk)
        return found


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
    top: int = TOP,
    top_overall: int = TOP_OVERALL,
) -> dict[str, Any]:
    """The portfolio against the strategic aims of the organisations the user leads.

    Each aim, nested in its cascade, with its owner, goal and own measures (latest value
    against target, variation and assurance icons), and over its cascade: projects by
    status, the units covered, the projects whose outcome measures' latest point is
    special-cause improvement (or concern) and the adopted changes (each a count and
    the first ``TOP``, most recent first), and spread reach, with links to drill in
    (``portfolio_aim_projects``). Also the projects linked to no aim, and over every
    linked project the same counts with the first ``TOP_OVERALL`` (a board's wins and
    concerns). A fixed number of queries at any size, none returning a row per project.
    A page that shows the counts alone asks for no first few (``top=0``,
    ``top_overall=0``), which spares the database ranking them.
    """
    org_ids = portfolio_organisation_ids(user=user, organisation_id=organisation_id)
    memberships = user_memberships(user=user)
    found = _Portfolio(
        org_ids=org_ids,
        aims=_aims(org_ids, is_active),
        is_active=is_active,
        origin=origin,
        top=top,
        top_overall=top_overall,
    )
    return {
        "generated_at": timezone.now().isoformat(),
        "organisations": [
            {"id": org_id, "name": memberships[org_id].organisation.name} for org_id in org_ids
        ],
        "projects": _by_status(found.cascades.projects),
        "not_linked_to_an_aim": _by_status(found.cascades.not_linked),
        **found.signals_and_changes(found.cascades.overall),
        "aims": found.tree(),
    }


def portfolio_board(*, user: User) -> dict[str, Any]:
    """What a board reads of the portfolio of the organisations the user leads: each
    bold aim (the top of an active cascade) with its goal, own measures and its
    cascade's counts, as ``portfolio`` gives them but with no aims nested; every active
    aim's own measures, bold aims' first and each aim's beneath it (``aim_measures``,
    each naming its ``aim``); and over every linked project the signalled ones and
    adopted changes. Only the bold aims' cascades are counted, a fraction of the
    portfolio's work, and only their counts (no first few of each aim)."""
    org_ids = portfolio_organisation_ids(user=user)
    memberships = user_memberships(user=user)
    aims = _aims(org_ids, True)
    shown = {aim.pk for aim in aims}
    roots = [aim for aim in aims if aim.parent_id not in shown]
    found = _Portfolio(
        org_ids=org_ids,
        aims=aims,
        is_active=True,
        origin="",
        tops={aim.pk for aim in roots},
        top=0,  # a board reads each bold aim's counts, and the trust's first few
    )
    aim_measures = []

    def add_measures(aim: StrategicAim, seen: frozenset[int]) -> None:
        aim_measures.extend(
            {**found.readings[mid], "aim": aim.title} for mid in found.measures_of_aim[aim.pk]
        )
        for child in found.children[aim.pk]:
            if child.pk not in seen:  # the services refuse loops; never recurse forever
                add_measures(child, seen | {child.pk})

    for root in roots:
        add_measures(root, frozenset({root.pk}))
    return {
        "organisations": [
            {"id": org_id, "name": memberships[org_id].organisation.name} for org_id in org_ids
        ],
        **found.signals_and_changes(found.cascades.overall),
        "bold_aims": [found.node(root) for root in roots],
        "aim_measures": aim_measures,
    }


def portfolio_aim_tree(*, user: User, aim: StrategicAim, top: int = TOP) -> dict[str, Any]:
    """One aim as the portfolio tree shows it: the aim and the aims beneath it, nested,
    each with its goal, own measures and its cascade's counts (see ``portfolio``). Only
    that cascade is counted, not the whole organisation's portfolio, so an aim's page
    reads what its cascade holds (``top=0``: the counts alone). The caller has checked
    that the user reads the aim's organisation's portfolio."""
    org_ids = portfolio_organisation_ids(user=user, organisation_id=aim.organisation_id)
    aims = _aims(org_ids, None)
    beneath = {pk for _, pk in cascade_pairs(aims, {aim.pk})}
    found = _Portfolio(
        org_ids=org_ids,
        aims=[shown for shown in aims if shown.pk in beneath],
        is_active=None,
        origin="",
        whole=False,
        top=top,
    )
    return found.tree()[0]


class AimProjects(NamedTuple):
    """One aim of the portfolio, the projects of its cascade to page through, and how to
    describe a page of them."""

    aim: dict[str, Any]
    projects: QuerySet[Project]
    describe: Callable[[Sequence[Project]], list[dict[str, Any]]]


def _signalling(kind: str) -> QuerySet[Measure]:
    point_type = next(point_type for point_type, name in SIGNALS.items() if name == kind)
    return Measure.objects.filter(
        reading_current(),
        project_id=OuterRef("pk"),
        type=Measure.Type.OUTCOME,
        reading__point_type=point_type,
    )


def _cascade_projects(org_id: int, aim_ids: set[int], show: str) -> QuerySet[Project]:
    """The projects of a cascade for the drill-in, in its order (see ``SHOW``)."""
    projects = Project.objects.filter(
        organisation_id=org_id,
        pk__in=Project.aims.through.objects.filter(strategicaim_id__in=aim_ids).values(
            "project_id"
        ),
    ).select_related("unit")
    if show in ("improving", "concern"):
        signalling = _signalling(show)
        latest = (
            signalling.order_by()
            .values("project_id")
            .annotate(latest=Max("reading__latest_period"))
        )
        return (
            projects.filter(Exists(signalling))
            .annotate(latest=Subquery(latest.values("latest")))
            .order_by("-latest", "title", "id")
        )
    if show == "adopted":
        adopted = ChangeIdea.objects.filter(
            project_id=OuterRef("pk"), status=ChangeIdea.Status.ADOPTED
        )
        latest = adopted.order_by().values("project_id").annotate(latest=Max("status_changed_at"))
        return (
            projects.filter(Exists(adopted))
            .annotate(latest=Subquery(latest.values("latest")))
            .order_by("-latest", "title", "id")
        )
    return projects.order_by("title", "id")


def _describe(projects: Sequence[Project], show: str, charts_at: str) -> list[dict[str, Any]]:
    """A page of the drill-in: each project with its outcome measures showing special
    cause and its adopted changes (those ``show`` asks for). Two queries."""
    ids = [project.pk for project in projects]
    signals: dict[int, dict[str, list]] = defaultdict(lambda: {"improving": [], "concern": []})
    rows = (
        Measure.objects.filter(
            reading_current(),
            project_id__in=ids,
            type=Measure.Type.OUTCOME,
            reading__point_type__in=list(SIGNALS),
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
    for measure_id, project_id, name, point_type, signal, period, icon in rows:
        signals[project_id][SIGNALS[point_type]].append(
            {
                "id": measure_id,
                "name": name,
                "variation_icon": icon,
                "signal": signal,
                "latest_period": period.isoformat(),
                "links": {
                    "chart": f"{charts_at}{measure_id}/chart/",
                    "chart_svg": f"{charts_at}{measure_id}/chart.svg",
                },
            }
        )
    adopted = ChangeIdea.objects.filter(project_id__in=ids, status=ChangeIdea.Status.ADOPTED)
    changes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for change in _changes(adopted.order_by("-status_changed_at", "title", "id")):
        changes[change["project"]["id"]].append(change)
    items = []
    for project in projects:
        item: dict[str, Any] = {
            "id": project.pk,
            "title": project.title,
            "status": project.status,
            "unit": {"id": project.unit_id, "name": project.unit.name},
        }
        for kind in ("improving", "concern"):
            if show in ("all", kind):
                item[kind] = signals[project.pk][kind]
        if show in ("all", "adopted"):
            item["adopted_changes"] = changes[project.pk]
        items.append(item)
    return items


def portfolio_aim_projects(
    *, user: User, aim_id: int, show: str = "all", origin: str = ""
) -> AimProjects:
    """Drill into one aim of the portfolio: the aim as the portfolio shows it (its
    children named, not nested) and the projects of its cascade (``show``: all of them by
    title, or those showing improvement or concern, latest signal first, or with adopted
    changes, latest first), to page through; each described with its signalled outcome
    measures and adopted changes. An aim of an organisation whose portfolio the user does
    not read is a 404."""
    org_ids = portfolio_organisation_ids(user=user)
    chosen = StrategicAim.objects.filter(pk=aim_id, organisation_id__in=org_ids).first()
    if chosen is None:
        raise Http404("No such aim in a portfolio you read.")
    org_id = chosen.organisation_id
    found = _Portfolio(
        org_ids=[org_id], aims=_aims([org_id], None), is_active=None, origin=origin, aim_id=aim_id
    )
    aim = next(aim for aim in found.aims if aim.pk == aim_id)
    node = found.node(aim)
    node["children"] = [{"id": child.pk, "title": child.title} for child in found.children[aim.pk]]
    return AimProjects(
        aim=node,
        projects=_cascade_projects(org_id, found.cascade_aim_ids(aim), show),
        describe=lambda page: _describe(page, show, found.charts_at),
    )
