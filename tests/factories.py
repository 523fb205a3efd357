"""One factory per model, grouped by app (add yours under your app's heading)."""

from __future__ import annotations

from datetime import date

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from assessment.models import Answer, Assessment
from backend.models import Membership, Organisation, Unit, User
from capability.levels import Level, rank
from capability.models import Course, Engagement, Headcount, Person, TrainingRecord
from pdsa.models import Cycle, CycleQuestion, CycleTask
from projects.models import (
    ChangeIdea,
    DataPoint,
    Driver,
    Measure,
    MeasureDefinition,
    Project,
    ProjectMember,
    Rebase,
    StrategicAim,
)

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(PASSWORD)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Trust {n}")
    slug = factory.Sequence(lambda n: f"trust-{n}")


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Ward {n}")
    level = Unit.Level.UNIT
    kind = Unit.Kind.WARD
    specialty = "elderly care"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.FRONTLINE


# --- projects -------------------------------------------------------------------------


class StrategicAimFactory(DjangoModelFactory):
    class Meta:
        model = StrategicAim

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Aim {n}")
    statement = "Zero avoidable harm from falls by 2028."
    quality_dimensions = factory.LazyFunction(lambda: ["safe"])


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    organisation = factory.SubFactory(OrganisationFactory)
    unit = factory.SubFactory(UnitFactory, organisation=factory.SelfAttribute("..organisation"))
    title = factory.Sequence(lambda n: f"Project {n}")
    aim_statement = "Reduce falls on the ward by 30% by March."
    status = Project.Status.ACTIVE


class ProjectMemberFactory(DjangoModelFactory):
    class Meta:
        model = ProjectMember

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = ProjectMember.Role.MEMBER


class DriverFactory(DjangoModelFactory):
    class Meta:
        model = Driver

    project = factory.SubFactory(ProjectFactory)
    kind = Driver.Kind.PRIMARY
    title = factory.Sequence(lambda n: f"Driver {n}")


class ChangeIdeaFactory(DjangoModelFactory):
    class Meta:
        model = ChangeIdea

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Change idea {n}")


class MeasureDefinitionFactory(DjangoModelFactory):
    class Meta:
        model = MeasureDefinition

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Definition {n}")
    improvement_direction = "decrease"
    chart_type = "xmr"


class MeasureFactory(DjangoModelFactory):
    class Meta:
        model = Measure

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SelfAttribute("project.organisation")
    name = factory.Sequence(lambda n: f"Measure {n}")
    type = Measure.Type.OUTCOME
    improvement_direction = "decrease"
    chart_type = "xmr"


class RebaseFactory(DjangoModelFactory):
    class Meta:
        model = Rebase

    measure = factory.SubFactory(MeasureFactory)
    starts_on = date(2024, 1, 1)
    reason = "New falls bundle in place."


class DataPointFactory(DjangoModelFactory):
    class Meta:
        model = DataPoint

    measure = factory.SubFactory(MeasureFactory)
    period = factory.Sequence(lambda n: date(2020 + n // 12, n % 12 + 1, 1))
    value = 10.0


# --- pdsa -----------------------------------------------------------------------------


class CycleFactory(DjangoModelFactory):
    class Meta:
        model = Cycle

    project = factory.SubFactory(ProjectFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Test {n}")
    objective = "See whether a falls huddle at handover is feasible."


class CycleQuestionFactory(DjangoModelFactory):
    class Meta:
        model = CycleQuestion

    cycle = factory.SubFactory(CycleFactory)
    question = "Will staff attend the huddle?"
    prediction = "Most of the day shift will."


class CycleTaskFactory(DjangoModelFactory):
    class Meta:
        model = CycleTask

    cycle = factory.SubFactory(CycleFactory)
    what = "Print the huddle sheet"


# --- spread ---------------------------------------------------------------------------


class SpreadCandidateFactory(DjangoModelFactory):
    class Meta:
        model = "spread.SpreadCandidate"

    change_idea = factory.SubFactory(ChangeIdeaFactory, status=ChangeIdea.Status.ADOPTED)
    origin_project = factory.SelfAttribute("change_idea.project")
    organisation = factory.SelfAttribute("origin_project.organisation")
    origin_unit = factory.SelfAttribute("origin_project.unit")
    origin = "nominated"
    status = "proposed"
    evidence_strength = "proven"
    evidence = factory.LazyFunction(lambda: {"strength": "proven", "rules": ["shift"]})


class ChangePackageFactory(DjangoModelFactory):
    class Meta:
        model = "spread.ChangePackage"

    candidate = factory.SubFactory(SpreadCandidateFactory)
    summary = "A two-minute falls huddle at every handover."


class SpreadTargetFactory(DjangoModelFactory):
    class Meta:
        model = "spread.SpreadTarget"

    candidate = factory.SubFactory(SpreadCandidateFactory, status="approved")
    unit = factory.SubFactory(
        UnitFactory, organisation=factory.SelfAttribute("..candidate.organisation")
    )


class AdoptionFactory(DjangoModelFactory):
    class Meta:
        model = "spread.Adoption"

    candidate = factory.SubFactory(SpreadCandidateFactory, status="approved")
    unit = factory.SubFactory(
        UnitFactory, organisation=factory.SelfAttribute("..candidate.organisation")
    )
    status = "planned"


# --- notifications --------------------------------------------------------------------


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = "notifications.Notification"

    recipient = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    kind = "nudge_stalled"
    subject_type = "project"
    subject_id = factory.Sequence(lambda n: n + 1)
    period = "2026-01-01"
    dedupe_key = factory.LazyAttribute(
        lambda o: f"{o.recipient.pk}:{o.kind}:{o.subject_type}:{o.subject_id}:{o.period}"
    )
    title = factory.Sequence(lambda n: f"Project {n} has stalled")
    body = "No new cycle, data or update for 21 days."
    delivered_channels = factory.LazyFunction(lambda: ["in_app"])


class PreferenceFactory(DjangoModelFactory):
    class Meta:
        model = "notifications.Preference"
        django_get_or_create = ["user"]

    user = factory.SubFactory(UserFactory)


class NudgeSettingsFactory(DjangoModelFactory):
    class Meta:
        model = "notifications.NudgeSettings"
        django_get_or_create = ["organisation"]

    organisation = factory.SubFactory(OrganisationFactory)


class JobRunFactory(DjangoModelFactory):
    class Meta:
        model = "notifications.JobRun"

    job = "nudges_scan"
    slot = factory.Sequence(lambda n: f"2026-01-{n % 28 + 1:02d}")
    started_at = factory.LazyFunction(timezone.now)


# --- capability -----------------------------------------------------------------------


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Course {n}")
    provider = "The QI team"
    level = Level.FOUNDATION


class PersonFactory(DjangoModelFactory):
    """A person on the training records. Their ``level`` is what the services would
    store; tests that care make it through the services or set it to match."""

    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.nhs.uk")
    full_name = factory.Faker("name", locale="en_GB")
    level = ""
    level_rank = factory.LazyAttribute(lambda person: rank(person.level))


class TrainingRecordFactory(DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    person = factory.SubFactory(PersonFactory)
    course = factory.SubFactory(
        CourseFactory, organisation=factory.SelfAttribute("..person.organisation")
    )
    completed_on = date(2026, 1, 15)
    status = TrainingRecord.Status.APPROVED
    source = TrainingRecord.Source.IMPORT


class HeadcountFactory(DjangoModelFactory):
    class Meta:
        model = Headcount

    unit = factory.SubFactory(UnitFactory)
    organisation = factory.SelfAttribute("unit.organisation")
    staff = 100


class EngagementFactory(DjangoModelFactory):
    class Meta:
        model = Engagement

    organisation = factory.SubFactory(OrganisationFactory)
    leader = factory.SubFactory(UserFactory)
    kind = Engagement.Kind.STORY
    happened_on = date(2026, 6, 1)
    learned = "The night staff run the huddle too."


# --- assessment -----------------------------------------------------------------------


class AssessmentFactory(DjangoModelFactory):
    class Meta:
        model = Assessment

    organisation = factory.SubFactory(OrganisationFactory)
    year = 2026


class AnswerFactory(DjangoModelFactory):
    class Meta:
        model = Answer

    assessment = factory.SubFactory(AssessmentFactory)
    code = "V1"
