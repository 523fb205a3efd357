"""Spreading a change: the QI team's targets, and units taking the change up.

Taking a change up gives the unit a project of its own, pre-filled from the one where it
worked: the aim statement (the origin unit's name swapped for this one's), the strategic
aims, the driver(s) the idea served, the change idea, measures from the same library
definitions (new measures, so each unit's chart is its own and stays comparable), and a
first PDSA cycle "Adapt to our context". Everything is made through the projects and
pdsa services, so their rules, history and activity tracking apply.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from backend.errors import ApplicationError, forbid
from backend.history import save_with_history
from backend.models import Unit, User
from pdsa import services as pdsa_services
from pdsa.models import Cycle
from projects import services as project_services
from projects.models import ChangeIdea, Driver, Measure, Project, ProjectMember, StrategicAim
from spread.models import Adoption, SpreadCandidate, SpreadTarget
from spread.selectors import can_take_up, can_update_adoption
from spread.services.common import ensure_reviewer, lock_candidate
from spread.signals import change_adopted

Status = Adoption.Status
STARTING_STATUSES = frozenset({Status.PLANNED, Status.TESTING, Status.DECLINED})
NEXT_STATUSES: dict[str, frozenset[str]] = {
    Status.PLANNED: frozenset(
        {Status.TESTING, Status.ADOPTED, Status.ADAPTED, Status.ABANDONED, Status.DECLINED}
    ),
    Status.TESTING: frozenset({Status.ADOPTED, Status.ADAPTED, Status.ABANDONED}),
    Status.ADOPTED: frozenset({Status.ADAPTED, Status.ABANDONED}),
    Status.ADAPTED: frozenset({Status.ADOPTED, Status.ABANDONED}),
    Status.ABANDONED: frozenset({Status.TESTING}),
    Status.DECLINED: frozenset(),
}
FIRST_CYCLE_TITLE = "Adapt to our context"


def _check_unit(*, candidate: SpreadCandidate, unit: Unit) -> None:
    if unit.organisation_id != candidate.organisation_id:
        raise ApplicationError("The unit belongs to another organisation.", field="unit")
    if unit.pk == candidate.origin_unit_id:
        raise ApplicationError(
            "This is the unit the change came from; choose another unit.", field="unit"
        )


@transaction.atomic
def target_add(
    *, by: User, candidate: SpreadCandidate, unit: Unit, note: str = ""
) -> tuple[SpreadTarget, bool]:
    """The QI team targets a unit for an approved change; returns (target, created)."""
    ensure_reviewer(by=by, candidate=candidate, action="target units for spread")
    _check_unit(candidate=candidate, unit=unit)
    if candidate.status != SpreadCandidate.Status.APPROVED:
        raise ApplicationError(
            "Approve the change before targeting units for it.", field="candidate"
        )
    target, created = SpreadTarget.objects.get_or_create(
        candidate=candidate, unit=unit, defaults={"targeted_by": by, "note": note}
    )
    return target, created


@transaction.atomic
def target_remove(*, by: User, target: SpreadTarget) -> None:
    """The QI team stops targeting a unit (an adoption under way carries on)."""
    ensure_reviewer(by=by, candidate=target.candidate, action="change spread targets")
    target._history_user = by
    target.delete()


def _adapted(text: str, origin: Unit, unit: Unit) -> str:
    return text.replace(origin.name, unit.name) if origin.name else text


def _aims_for(origin_project: Project) -> list[StrategicAim]:
    """The origin's aims; an aim owned by the origin unit gives way to the aim above it."""
    aims = []
    for aim in origin_project.aims.select_related("parent"):
        if aim.unit_id == origin_project.unit_id:
            aim = aim.parent
        if aim is not None and aim not in aims:
            aims.append(aim)
    return aims


def _copy_drivers(*, by: User, idea: ChangeIdea, project: Project) -> list[Driver]:
    """The idea's place in the driver diagram, copied: its drivers and their primaries."""
    primaries: dict[int, Driver] = {}
    copied = []
    for driver in idea.drivers.select_related("parent").order_by("position", "id"):
        primary = driver.parent if driver.kind == Driver.Kind.SECONDARY else driver
        if primary.pk not in primaries:
            primaries[primary.pk] = project_services.driver_create(
                by=by,
                project=project,
                kind=Driver.Kind.PRIMARY,
                title=primary.title,
                description=primary.description,
            )
        if driver.kind == Driver.Kind.SECONDARY:
            copied.append(
                project_services.driver_create(
                    by=by,
                    project=project,
                    kind=Driver.Kind.SECONDARY,
                    title=driver.title,
                    description=driver.description,
                    parent=primaries[primary.pk],
                )
            )
    return copied or list(primaries.values())


def _copy_measures(*, by: User, candidate: SpreadCandidate, project: Project) -> list[Measure]:
    """Measures of the same library definitions as the origin's (and the evidence measure),
    each a new measure of this project with the origin's target as a starting point."""
    origin = list(
        Measure.objects.filter(project_id=candidate.origin_project_id)
        .select_related("definition")
        .order_by("id")
    )
    wanted = [m for m in origin if m.definition_id or m.pk == candidate.evidence_measure_id]
    made, seen = [], set()
    for measure in wanted:
        if measure.definition_id in seen:
            continue
        seen.add(measure.definition_id)
        fields = {"type": measure.type, "target": measure.target}
        if measure.definition is None:
            fields.update(
                name=measure.name,
                operational_definition=measure.operational_definition,
                unit=measure.unit,
                improvement_direction=measure.improvement_direction,
                chart_type=measure.chart_type,
                frequency=measure.frequency,
            )
        made.append(
            project_services.measure_create(
                by=by, project=project, definition=measure.definition, **fields
            )
        )
    return made


def _first_cycle(
    *,
    by: User,
    candidate: SpreadCandidate,
    project: Project,
    idea: ChangeIdea,
    measures: Iterable[Measure],
) -> Cycle:
    origin = candidate.origin_unit
    questions = [
        {
            "question": f"What do we need to change for this to work on {project.unit.name}?",
            "prediction": "",
        }
    ]
    questions.extend(
        {
            "question": f"Will {measure.name} improve here as it did on {origin.name}?",
            "prediction": "",
        }
        for measure in measures
        if measure.type == Measure.Type.OUTCOME
    )
    cycle, _ = pdsa_services.cycle_create(
        by=by,
        project=project,
        title=FIRST_CYCLE_TITLE,
        change_idea=idea,
        purpose=Cycle.Purpose.DEVELOP_CHANGE,
        objective=(
            f'Adapt "{idea.title}" from {origin.name} to how {project.unit.name} works, '
            "and try it on a small scale."
        ),
        planned_start=timezone.localdate(),
        questions=questions,
        measures=list(measures),
    )
    return cycle


def _adoption_project(
    *, by: User, candidate: SpreadCandidate, unit: Unit, status: str, lead: User | None
) -> Project:
    origin_project, origin_unit = candidate.origin_project, candidate.origin_unit
    origin_idea = candidate.change_idea
    package = getattr(candidate, "package", None)
    summary = candidate.evidence.get("summary", "")
    project = project_services.project_create(
        by=by,
        unit=unit,
        title=f"{origin_idea.title}: {unit.name}"[:200],
        aims=_aims_for(origin_project),
        status=Project.Status.ACTIVE if status == Status.TESTING else Project.Status.PROPOSED,
        aim_statement=_adapted(origin_project.aim_statement, origin_unit, unit),
        aim_what=_adapted(origin_project.aim_what, origin_unit, unit),
        aim_how_much=origin_project.aim_how_much,
        aim_target=origin_project.aim_target,
        problem=_adapted(origin_project.problem, origin_unit, unit),
        background=(
            f'Taking up a change that worked on {origin_unit.name} ("{origin_project.title}"). '
            f"{summary}".strip()
        ),
    )
    if lead is not None and lead.pk != by.pk:
        project_services.project_member_add(
            by=by, project=project, user=lead, role=ProjectMember.Role.LEAD
        )
    idea = project_services.change_idea_create(
        by=by,
        project=project,
        title=origin_idea.title,
        description=(package.summary if package and package.summary else origin_idea.description),
        drivers=_copy_drivers(by=by, idea=origin_idea, project=project),
    )
    measures = _copy_measures(by=by, candidate=candidate, project=project)
    _first_cycle(by=by, candidate=candidate, project=project, idea=idea, measures=measures)
    return project


@transaction.atomic
def adoption_create(
    *,
    by: User,
    candidate: SpreadCandidate,
    unit: Unit,
    status: str = Status.PLANNED,
    note: str = "",
    lead: User | None = None,
) -> Adoption:
    """A unit takes up an approved change (planned or testing), with a pre-filled project
    of its own; or says no to it (declined, with a reason: no project is made).

    A unit that said no may take the change up later; a unit already on its way is
    refused (a retried request is answered by the idempotency key, not here).
    """
    if not can_take_up(user=by, unit=unit):
        forbid("Only the unit's team, its coach and the QI team can take a change up for it.")
    _check_unit(candidate=candidate, unit=unit)
    if status not in STARTING_STATUSES:
        raise ApplicationError("A unit starts as planned or testing, or declines.", field="status")
    candidate = lock_candidate(candidate)
    if candidate.status != SpreadCandidate.Status.APPROVED:
        raise ApplicationError(
            "Only an approved change can be taken up.", field="candidate", code="not_approved"
        )
    if status == Status.DECLINED and not note.strip():
        raise ApplicationError("Say why the unit declines the change.", field="note")
    adoption = Adoption.objects.filter(candidate=candidate, unit=unit).first()
    if adoption is not None and adoption.status != Status.DECLINED:
        raise ApplicationError(
            f"{unit.name} is already taking this change up "
            f"({adoption.get_status_display().lower()}).",
            field="unit",
            code="duplicate",
            extra={"adoption": adoption.pk},
        )
    if adoption is not None and status == Status.DECLINED:
        return adoption
    adoption = adoption or Adoption(candidate=candidate, unit=unit, started_by=by)
    adoption.status = status
    adoption.status_changed_at = timezone.now()
    adoption.note = note.strip()
    if status != Status.DECLINED:
        adoption.project = _adoption_project(
            by=by, candidate=candidate, unit=unit, status=status, lead=lead
        )
    save_with_history(adoption, by=by)
    return adoption


@transaction.atomic
def adoption_update(
    *, by: User, adoption: Adoption, status: str | None = None, note: str | None = None
) -> Adoption:
    """Move an adoption on (planned, testing, adopted, adapted, abandoned), or write its
    note; a unit that has not started may still decline, saying why."""
    if not can_update_adoption(user=by, adoption=adoption):
        forbid("Only the unit's team, its coach and the QI team can update this adoption.")
    adoption = (
        Adoption.objects.select_for_update(of=("self",))
        .select_related("candidate__origin_project", "candidate__change_idea", "unit")
        .get(pk=adoption.pk)
    )
    was_adopted = adoption.counts_as_adopted
    if note is not None:
        adoption.note = note.strip()
    if status is not None and status != adoption.status:
        if status not in Status.values:
            raise ApplicationError(f"Unknown adoption status {status!r}.", field="status")
        if status not in NEXT_STATUSES[adoption.status]:
            raise ApplicationError(
                f"An adoption that is {adoption.get_status_display().lower()} cannot become "
                f"{Status(status).label.lower()}.",
                field="status",
                code="invalid_transition",
            )
        adoption.status = status
        adoption.status_changed_at = timezone.now()
    if adoption.status == Status.DECLINED and not adoption.note:
        raise ApplicationError("Say why the unit declines the change.", field="note")
    save_with_history(adoption, by=by)
    if adoption.counts_as_adopted and not was_adopted:
        # Notifications tell the origin team, in this transaction (once per adoption).
        change_adopted.send(sender=Adoption, adoption=adoption, by=by)
    return adoption
