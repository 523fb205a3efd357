"""Demo PDSA cycles: ramps on the projects demo's projects, in every stage.

Runs after ``projects.demo`` and finds its projects, ideas, measures and people by name,
skipping whatever is not there. Cycles are made and moved through the services (so the
change ideas, the history and the other apps' listeners see what a team would have
done), then put back in time. Each cycle has a fixed uuid, so a second run finds it and
changes nothing. Ends by storing every demo project's progress score.

What other apps may rely on: on "Falls huddle at handover" (Ward 7), the adopted cycle
"Falls huddle at every handover for a month" is linked to the falls measure, whose chart
shows special-cause improvement from the month that cycle started; "Bay tagging at
night" is in Do more than 7 days past its planned end; "Huddle sheet for agency staff"
entered Study more than 7 days ago with nothing written yet; nurse@demo.example owns
cycles in Do and in Study.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django.db.models import Max, Q
from django.utils import timezone

from backend import words
from backend.models import Organisation, User
from pdsa import services
from pdsa.demo.ramps import CycleSpec, ProjectCycles, other_projects, ward7_falls
from pdsa.models import Cycle
from projects.demo import latest_month, months_back
from projects.demo.series import CHANGE_AT, MONTHS
from projects.models import ChangeIdea, Measure, Project

Stage = Cycle.Stage
ORDER = [Stage.PLAN, Stage.DO, Stage.STUDY, Stage.ACT, Stage.DONE]
NAMESPACE = uuid.UUID("6f1d3c0e-7a4b-4d3e-9a51-2c7e0f5b8d21")


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def decision_dated(cycle: Cycle, decided: date) -> None:
    """Date a decided cycle as the story has it: its decision, and the entry the decision
    wrote on the change idea's learning ("Cycle 3 (adapt, 5 Dec 2026)"), both stamped
    today by the services."""
    Cycle.objects.filter(pk=cycle.pk).update(decided_at=_moment(decided))
    cycle.refresh_from_db(fields=["decision", "change_idea"])
    if cycle.change_idea_id is None:
        return
    idea = cycle.change_idea
    decision = f"Cycle {cycle.number} ({cycle.get_decision_display().lower()}, "
    ChangeIdea.objects.filter(pk=idea.pk).update(
        learning=idea.learning.replace(
            f"{decision}{words.day(timezone.localdate())})", f"{decision}{words.day(decided)})"
        ),
        status_changed_at=_moment(decided),
    )


class _ProjectSeeder:
    def __init__(self, project: Project, people: dict[str, User]) -> None:
        self.project = project
        self.people = people
        self.made: dict[str, Cycle] = {}

    def _uuid(self, key: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"{self.project.organisation_id}/{self.project.title}/{key}")

    def _idea(self, title: str | None) -> ChangeIdea | None:
        if title is None:
            return None
        return ChangeIdea.objects.filter(project=self.project, title=title).first()

    def _measures(self, names: tuple[str, ...]) -> list[Measure]:
        return list(
            Measure.objects.filter(project=self.project).filter(
                Q(name__in=names) | Q(definition__name__in=names)
            )
        )

    def seed(self, spec: CycleSpec) -> bool:
        """Make the cycle and walk it to its stage; False when it was already there."""
        owner = self.people.get(spec.owner)
        if owner is None:
            return False
        existing = Cycle.objects.filter(uuid=self._uuid(spec.key)).first()
        if existing is not None:
            self.made[spec.key] = existing
            return False
        cycle = self._create(spec, owner)
        self.made[spec.key] = cycle
        self._walk(cycle, spec, owner)
        self._put_in_time(cycle, spec)
        return True

    def _create(self, spec: CycleSpec, owner: User) -> Cycle:
        parent = self.made.get(spec.parent) if spec.parent else None
        planned = {"planned_start": spec.start, "planned_end": spec.start + timedelta(spec.days)}
        if parent is not None and not spec.objective:
            # The follow-on the adapt decision offered, pre-filled from its parent.
            cycle, _ = services.cycle_create_next(cycle=parent, by=owner, uuid=self._uuid(spec.key))
            return services.cycle_update(cycle=cycle, by=owner, title=spec.title, **planned)
        cycle, _ = services.cycle_create(
            by=owner,
            project=self.project,
            uuid=self._uuid(spec.key),
            title=spec.title,
            purpose=spec.purpose,
            objective=spec.objective,
            change_idea=self._idea(spec.idea),
            parent=parent,
            measures=self._measures(spec.measures),
            questions=[
                {"question": q.question, "prediction": q.prediction} for q in spec.questions
            ],
            tasks=[{"what": what, "who": who} for what, who in spec.tasks],
            **planned,
        )
        return cycle

    def _walk(self, cycle: Cycle, spec: CycleSpec, by: User) -> None:
        reached = ORDER.index(spec.stage)
        end = spec.start + timedelta(spec.days)
        if reached >= ORDER.index(Stage.DO):
            cycle = services.cycle_update(cycle=cycle, by=by, started_on=spec.start)
            cycle = services.cycle_advance(cycle=cycle, by=by, to=Stage.DO)
        if spec.observations or spec.problems:
            cycle = services.cycle_update(
                cycle=cycle, by=by, observations=spec.observations, problems=spec.problems
            )
        if reached >= ORDER.index(Stage.STUDY):
            cycle = services.cycle_update(cycle=cycle, by=by, ended_on=end)
            cycle = services.cycle_advance(cycle=cycle, by=by, to=Stage.STUDY)
        results = [
            {"id": question.pk, "result": spec_question.result}
            for question, spec_question in zip(cycle.questions.all(), spec.questions, strict=False)
            if spec_question.result
        ]
        if results or spec.learning:
            cycle = services.cycle_update(
                cycle=cycle, by=by, questions=results, learning=spec.learning
            )
        if reached >= ORDER.index(Stage.ACT):
            cycle = services.cycle_advance(cycle=cycle, by=by, to=Stage.ACT)
        if reached == ORDER.index(Stage.ACT) and spec.decision:
            services.cycle_update(cycle=cycle, by=by, decision=spec.decision)  # a draft
        if reached == ORDER.index(Stage.DONE):
            services.cycle_advance(
                cycle=cycle,
                by=by,
                to=Stage.DONE,
                decision=spec.decision,
                next_steps=spec.next_steps,
                spread_note=spec.spread_note,
            )

    def _put_in_time(self, cycle: Cycle, spec: CycleSpec) -> None:
        """The services stamped today; the story happened earlier."""
        end = spec.start + timedelta(spec.days)
        moved = {
            Stage.PLAN: spec.start - timedelta(days=3),
            Stage.DO: spec.start,
            Stage.STUDY: end + timedelta(days=1),
            Stage.ACT: end + timedelta(days=4),
            Stage.DONE: end + timedelta(days=7),
        }
        # A cycle planned to start soon was logged a couple of days ago.
        created = min(moved[Stage.PLAN], timezone.localdate() - timedelta(days=2))
        Cycle.objects.filter(pk=cycle.pk).update(
            created_at=_moment(created),
            stage_changed_at=_moment(max(created, min(moved[spec.stage], timezone.localdate()))),
        )
        if spec.stage == Stage.DONE:
            decision_dated(cycle, moved[Stage.DONE])


def _seed_project(plan: ProjectCycles, people: dict[str, User]) -> None:
    project = Project.objects.filter(
        organisation__slug=plan.organisation, title=plan.project
    ).first()
    if project is None:  # the projects demo has not made it (yet)
        return
    seeder = _ProjectSeeder(project, people)
    before = project.last_activity_at
    made_any = False
    for spec in plan.cycles:
        made_any = seeder.seed(spec) or made_any
    if made_any:
        # Keep the projects demo's stall story: activity is the later of its date and
        # the latest cycle move, not the moment this ran.
        latest = project.cycles.aggregate(latest=Max("stage_changed_at"))["latest"]
        Project.objects.filter(pk=project.pk).update(
            last_activity_at=max(filter(None, [before, latest]), default=None)
        )


def seed() -> None:
    """Seed the demo cycles (after ``projects.demo``) and the progress scores; safe to
    run again."""
    organisations = list(Organisation.objects.filter(slug__in=["demo-trust", "other-trust"]))
    if not organisations:
        return
    people = {
        user.email: user
        for user in User.objects.filter(memberships__organisation__in=organisations).distinct()
    }
    today = timezone.localdate()
    change = months_back(latest_month(today), MONTHS)[CHANGE_AT]
    for plan in [ward7_falls(today, change), *other_projects(today)]:
        _seed_project(plan, people)
    for project_id in Project.objects.filter(organisation__in=organisations).values_list(
        "pk", flat=True
    ):
        services.project_progress_refresh(project_id=project_id)
    _seed_feedback(people)


# A coach's feedback on a cycle waiting to be studied: (project, cycle title, author, text).
FEEDBACK = [
    (
        "Falls huddle at handover",
        "Huddle sheet for agency staff",
        "coach@demo.example",
        "Great that agency staff are using the sheet. Before you decide, compare the night "
        "falls with the weeks before the sheet, and ask two agency nurses what they would "
        "change.",
    ),
]


def _seed_feedback(people: dict[str, User]) -> None:
    """The coach's feedback on a cycle, through the service (so the team is notified)."""
    for project_title, cycle_title, email, text in FEEDBACK:
        cycle = (
            Cycle.objects.filter(project__title=project_title, title=cycle_title)
            .select_related("project")
            .first()
        )
        author = people.get(email)
        if cycle is None or author is None or cycle.comments.filter(text=text).exists():
            continue
        services.cycle_comment_create(cycle=cycle, by=author, text=text)
