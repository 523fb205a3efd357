"""Every figure Ripple computes for the self-assessment, checked against data built for
it: one test per key test, each counting what it should and leaving out what it should
not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assessment import evidence
from capability import services
from capability.levels import Level
from capability.models import Person
from notifications.models import Notification
from projects.models import ChangeIdea, Project, ProjectMember
from tests.factories import (
    AdoptionFactory,
    ChangeIdeaFactory,
    CycleFactory,
    DataPointFactory,
    EngagementFactory,
    MeasureFactory,
    NotificationFactory,
    PersonFactory,
    ProjectFactory,
    ProjectMemberFactory,
    StrategicAimFactory,
)

pytestmark = pytest.mark.django_db
Status = Project.Status
TeamRole = ProjectMember.Role
TODAY = timezone.localdate()


def figures(code: str, trust) -> dict:
    found = evidence.compute(code, trust.organisation, TODAY)
    return {item["label"]: item["value"] for item in found["figures"]} | {
        "statement": found["statement"]
    }


def project(trust, unit: str = "Ward A", status: str = Status.ACTIVE, **kw) -> Project:
    return ProjectFactory(
        organisation=trust.organisation, unit=trust.units[unit], status=status, **kw
    )


def trained(trust, level: str, *, unit: str = "Ward A", user=None, days_ago: int = 30, **kw):
    person = PersonFactory(organisation=trust.organisation, unit=trust.units[unit], user=user, **kw)
    services.record_add(
        by=trust.qi,
        person=person,
        course=trust.courses[level],
        completed_on=TODAY - timedelta(days=days_ago),
    )
    return person


def test_ripple_computes_evidence_for_thirteen_key_tests_and_none_for_the_rest(trust):
    assert evidence.computed_codes() == [
        "C1",
        "C2",
        "C3",
        "C4",
        "C5",
        "L2",
        "O1",
        "O3",
        "O4",
        "S1",
        "S3",
        "V2",
        "V5",
    ]
    assert evidence.compute("L3", trust.organisation, TODAY) is None


def test_o1_counts_the_projects_under_way_that_serve_an_active_aim(trust):
    aim = StrategicAimFactory(organisation=trust.organisation)
    retired = StrategicAimFactory(organisation=trust.organisation, is_active=False)
    for status, aims in [
        (Status.ACTIVE, [aim]),
        (Status.SUSTAINING, [aim, retired]),
        (Status.SPREADING, [retired]),
        (Status.COMPLETED, [aim]),
        (Status.PROPOSED, []),
    ]:
        project(trust, status=status).aims.set(aims)

    found = figures("O1", trust)

    assert (found["Projects under way"], found["Serving a strategic aim"]) == (3, 2)
    assert found["Share serving an aim"] == 67
    assert found["statement"] == "2 of 3 projects under way serve one of our strategic aims (67%)."


def test_o3_counts_coached_aim_work_and_practitioners_leading_or_coaching_it(trust):
    aim = StrategicAimFactory(organisation=trust.organisation)
    on_aim, off_aim, uncoached = project(trust), project(trust), project(trust)
    on_aim.aims.add(aim)
    uncoached.aims.add(aim)
    ProjectMemberFactory(project=on_aim, user=trust.coach, role=TeamRole.COACH)
    ProjectMemberFactory(project=off_aim, user=trust.coach, role=TeamRole.COACH)
    leader_of_aim_work = trust.person(unit="Ward A")
    leader_elsewhere = trust.person(unit="Ward B")
    trained(trust, Level.PRACTITIONER, user=leader_of_aim_work)
    trained(trust, Level.ADVANCED, user=leader_elsewhere)
    trained(trust, Level.PRACTITIONER)  # not on Ripple
    trained(trust, Level.FOUNDATION, user=trust.nurse)  # not a practitioner
    ProjectMemberFactory(project=on_aim, user=leader_of_aim_work, role=TeamRole.LEAD)
    ProjectMemberFactory(project=off_aim, user=leader_elsewhere, role=TeamRole.LEAD)
    ProjectMemberFactory(project=on_aim, user=trust.nurse, role=TeamRole.LEAD)

    found = figures("O3", trust)

    assert found["Coached projects under way"] == 2
    assert found["Coached projects serving an aim"] == 1
    assert found["Practitioners and above on Ripple"] == 2
    assert found["Leading or coaching aim work"] == 1
    assert found["Share of practitioners on aim work"] == 50


def test_o4_counts_coached_projects_coaches_and_who_is_over_capacity(trust):
    from backend.models import Membership

    busy = trust.person(role="coach")
    Membership.objects.filter(user=busy).update(caseload_capacity=1)
    calm = trust.person(role="coach")
    first, second, _ = project(trust), project(trust, status=Status.SUSTAINING), project(trust)
    ProjectMemberFactory(project=first, user=busy, role=TeamRole.COACH)
    ProjectMemberFactory(project=second, user=busy, role=TeamRole.COACH)
    ProjectMemberFactory(
        project=project(trust, status=Status.PROPOSED), user=calm, role=TeamRole.COACH
    )
    ProjectMemberFactory(
        project=project(trust, status=Status.COMPLETED), user=calm, role=TeamRole.COACH
    )

    found = figures("O4", trust)

    assert (found["Projects under way with a coach"], found["Share with a coach"]) == (2, 67)
    assert (found["Coaches"], found["Coaches over capacity"]) == (2, 1)


def test_c1_counts_practitioners_the_directory_lists_and_the_coaches(trust):
    trained(trust, Level.PRACTITIONER)
    trained(trust, Level.EXPERT)
    trained(trust, Level.ADVANCED, listed=False)
    trained(trust, Level.FOUNDATION)
    later = PersonFactory(organisation=trust.organisation)
    services.record_add(
        by=trust.qi, person=later, course=trust.courses[Level.PRACTITIONER], completed_on=TODAY
    )
    ProjectMemberFactory(project=project(trust), user=trust.coach, role=TeamRole.COACH)

    on_the_day = figures("C1", trust)
    before = evidence.compute("C1", trust.organisation, TODAY - timedelta(days=1))

    assert on_the_day["Practitioners and above listed"] == 3
    assert on_the_day["Opted out"] == 1
    assert on_the_day["Coaches on open projects"] == 1
    assert before["figures"][0]["value"] == 2


def test_c2_counts_projects_with_a_recent_cycle_and_cycles_a_month_by_division(trust):
    recent, quiet, never = project(trust, "Ward A"), project(trust, "Theatres"), project(trust)
    CycleFactory(project=recent, number=1, started_on=TODAY - timedelta(days=10))
    CycleFactory(project=quiet, number=1, started_on=TODAY - timedelta(days=200))
    CycleFactory(project=quiet, number=2, started_on=TODAY - timedelta(days=400))
    CycleFactory(
        project=project(trust, status=Status.COMPLETED),
        number=1,
        planned_start=TODAY - timedelta(days=20),
    )
    assert never.cycles.count() == 0

    found = figures("C2", trust)

    assert found["Projects with a cycle in 90 days"] == 1
    assert found["Share of projects under way"] == 33
    assert found["PDSA cycles in 12 months"] == 3
    assert found["Cycles a month: Medicine"] == 0.2  # 2 in Medicine over 12 months
    assert found["Cycles a month: Surgery"] == 0.1


def test_c3_is_the_pyramid_against_the_dosing_target(trust):
    services.headcount_set(by=trust.qi, unit=trust.units["Ward A"], staff=1000)
    for _ in range(3):
        trained(trust, Level.FOUNDATION)
    trained(trust, Level.PRACTITIONER)

    found = figures("C3", trust)

    assert found["Headcount"] == 1000
    assert (found["Foundation: trained"], found["Foundation: target"]) == (4, 500)
    assert (found["Practitioner: trained"], found["Practitioner: target"]) == (1, 50)
    assert (found["Expert: trained"], found["Expert: target"]) == (0, 1)
    assert found["statement"].startswith(
        f"{trust.organisation.name} needs 496 more people with foundation training, 49 more "
        "practitioners, 5 more advanced practitioners and 1 more expert."
    )


def test_c4_counts_wins_once_however_many_heard_and_changes_adopted_and_spread(trust):
    celebrated, adopted_on = project(trust), project(trust, "Theatres")
    for recipient in (trust.nurse, trust.coach):  # one win, told to two people
        NotificationFactory(
            organisation=trust.organisation,
            recipient=recipient,
            kind="celebration_signal",
            project=celebrated,
            subject_id=celebrated.pk,
            period="2026-05",
        )
    NotificationFactory(
        organisation=trust.organisation,
        recipient=trust.nurse,
        kind="celebration_change_adopted",
        project=adopted_on,
        subject_id=adopted_on.pk,
    )
    old = NotificationFactory(
        organisation=trust.organisation,
        recipient=trust.nurse,
        kind="celebration_aim_met",
        project=celebrated,
    )
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    NotificationFactory(organisation=trust.organisation, recipient=trust.nurse)  # a nudge
    now = timezone.now()
    for days in (5, 100, 500):
        ChangeIdeaFactory(
            project=adopted_on,
            status=ChangeIdea.Status.ADOPTED,
            status_changed_at=now - timedelta(days=days),
        )
    AdoptionFactory(
        candidate__change_idea__project=adopted_on,
        status="adopted",
        status_changed_at=now - timedelta(days=3),
    )
    AdoptionFactory(
        candidate__change_idea__project=adopted_on,
        status="testing",
        status_changed_at=now - timedelta(days=3),
    )

    found = figures("C4", trust)

    assert (found["Wins celebrated"], found["Projects celebrated"]) == (2, 2)
    assert found["Changes adopted"] == 2
    assert found["Changes taken up elsewhere"] == 1


def test_c5_is_the_share_of_projects_under_way_with_a_partner(trust):
    partner = trust.person(role="lived_experience_partner")
    with_partner = project(trust, "Theatres")
    project(trust, "Ward A")
    ProjectMemberFactory(project=with_partner, user=partner, role=TeamRole.LIVED_EXPERIENCE_PARTNER)

    found = figures("C5", trust)

    assert (found["Projects under way"], found["With a lived-experience partner"]) == (2, 1)
    assert found["Share with a partner"] == 50
    assert found["Share with a partner: Surgery"] == 100
    assert found["Share with a partner: Medicine"] == 0


def test_l2_counts_leaders_visits_and_stories_in_the_year_and_their_sponsorship(trust):
    other_leader = trust.person(role="leader")
    visited, also_visited = project(trust), project(trust, "Theatres")
    for leader, kind, where, days in [
        (trust.leader, "visit", visited, 10),
        (trust.leader, "story", None, 40),
        (other_leader, "visit", also_visited, 100),
        (other_leader, "visit", visited, 400),
    ]:
        EngagementFactory(
            organisation=trust.organisation,
            leader=leader,
            kind=kind,
            project=where,
            happened_on=TODAY - timedelta(days=days),
        )
    ProjectMemberFactory(project=visited, user=trust.leader, role=TeamRole.SPONSOR)
    ProjectMemberFactory(project=also_visited, user=trust.nurse, role=TeamRole.SPONSOR)

    found = figures("L2", trust)

    assert found["Visits and stories recorded"] == 3
    assert (found["Visits to projects"], found["Stories heard at the board"]) == (2, 1)
    assert found["Leaders taking part"] == 2
    assert found["Projects under way sponsored by a leader"] == 1


def test_v2_counts_bold_aims_with_a_measure_long_enough_for_spc(trust):
    measured, short, bare = (StrategicAimFactory(organisation=trust.organisation) for _ in range(3))
    StrategicAimFactory(organisation=trust.organisation, is_active=False)
    StrategicAimFactory(organisation=trust.organisation, parent=measured)  # not a bold aim
    for aim, points in [(measured, 13), (short, 5)]:
        measure = MeasureFactory(project=None, aim=aim, organisation=trust.organisation)
        for _ in range(points):
            DataPointFactory(measure=measure)

    found = figures("V2", trust)

    assert (found["Bold aims"], found["Measured with SPC"], found["With no measure yet"]) == (
        3,
        1,
        1,
    )
    assert bare.title in {
        row["label"] for row in evidence.compute("V2", trust.organisation, TODAY)["rows"]
    }


def test_v5_counts_people_trained_this_year_and_last_and_the_courses_offered(trust):
    twice = trained(trust, Level.FOUNDATION, days_ago=20)
    services.record_add(
        by=trust.qi,
        person=twice,
        course=trust.courses[Level.PRACTITIONER],
        completed_on=TODAY - timedelta(days=5),
    )
    trained(trust, Level.FOUNDATION, days_ago=300)
    trained(trust, Level.FOUNDATION, days_ago=400)
    trust.courses[Level.EXPERT].__class__.objects.create(
        organisation=trust.organisation,
        name="Retired course",
        level=Level.FOUNDATION,
        is_active=False,
    )

    found = figures("V5", trust)

    assert found["People trained in 12 months"] == 2
    assert found["People trained the year before"] == 1
    assert found["Courses on offer"] == 4


def test_s1_counts_projects_under_way_in_each_support_service(trust):
    for unit, status in [
        ("HR", Status.ACTIVE),
        ("HR", Status.SPREADING),
        ("Finance", Status.ACTIVE),
        ("Finance", Status.COMPLETED),
        ("Ward A", Status.ACTIVE),
    ]:
        project(trust, unit, status)

    found = figures("S1", trust)

    assert found["Support service projects under way"] == 3
    assert (found["Projects in HR"], found["Projects in Finance"]) == (2, 1)
    assert (found["Projects in IT"], found["Projects in Estates"]) == (0, 0)
    assert found["statement"].endswith("of 4 across the organisation; none yet in IT, Estates.")


def test_s3_is_the_support_services_pyramid(trust):
    services.headcount_set(by=trust.qi, unit=trust.units["HR"], staff=60)
    services.headcount_set(by=trust.qi, unit=trust.units["Finance"], staff=40)
    services.headcount_set(by=trust.qi, unit=trust.units["Ward A"], staff=500)
    trained(trust, Level.PRACTITIONER, unit="HR")
    trained(trust, Level.PRACTITIONER, unit="HR")
    for _ in range(3):
        trained(trust, Level.FOUNDATION, unit="Finance")
    trained(trust, Level.EXPERT, unit="Ward A")

    found = figures("S3", trust)

    assert found["Support services' headcount"] == 100
    assert found["Support services foundation: trained"] == 5
    assert found["Support services foundation: target"] == 50
    assert found["Support services practitioner: trained"] == 2
    assert found["Support services practitioner: target"] == 5
    assert found["Support services expert: trained"] == 0


def test_each_computation_is_a_fixed_number_of_queries(trust, django_assert_max_num_queries):
    def build(count: int) -> None:
        for _ in range(count):
            p = project(trust)
            ProjectMemberFactory(project=p, user=trust.coach, role=TeamRole.COACH)
            CycleFactory(project=p, number=1, started_on=TODAY - timedelta(days=3))
            trained(trust, Level.PRACTITIONER)

    build(2)
    counts = {}
    for code in evidence.computed_codes():
        with django_assert_max_num_queries(20) as captured:
            evidence.compute(code, trust.organisation, TODAY)
        counts[code] = len(captured.captured_queries)
    build(15)
    for code in evidence.computed_codes():
        with django_assert_max_num_queries(counts[code]):
            evidence.compute(code, trust.organisation, TODAY)
    assert Person.objects.count() == 17
