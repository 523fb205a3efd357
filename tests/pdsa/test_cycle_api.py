"""The cycles API: quick log, worksheet writes, who may do what, and filters."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.models import Membership
from pdsa.models import Cycle
from projects.models import ChangeIdea, ProjectMember
from tests.factories import (
    ChangeIdeaFactory,
    CycleFactory,
    MeasureFactory,
    ProjectFactory,
    ProjectMemberFactory,
)

Role = Membership.Role


def _quick_log(project, **extra) -> dict:
    return {
        "project": project.pk,
        "title": "Huddle at handover",
        "objective": "See whether a 5-minute falls huddle is feasible.",
        "questions": [{"question": "Will staff attend?", "prediction": "Most will."}],
        **extra,
    }


def test_a_quick_log_makes_a_cycle_in_plan_numbered_next_and_owned_by_its_author(
    api, nurse, project, idea
):
    CycleFactory(project=project, number=4)

    response = api(nurse).post("/api/v1/cycles/", _quick_log(project, change_idea=idea.pk))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["number"], body["stage"], body["owner"]) == (5, "plan", nurse.pk)
    assert body["questions"][0]["prediction"] == "Most will."
    assert response["ETag"] and response["Location"].endswith(f"/api/v1/cycles/{body['id']}/")
    idea.refresh_from_db()
    assert idea.status == ChangeIdea.Status.TESTING


def test_a_quick_log_records_activity_on_the_project(api, nurse, project):
    api(nurse).post("/api/v1/cycles/", _quick_log(project))

    project.refresh_from_db()
    assert project.last_activity_at is not None
    assert timezone.now() - project.last_activity_at < timedelta(minutes=1)


def test_a_quick_log_without_a_change_idea_is_fine(api, nurse, project):
    response = api(nurse).post("/api/v1/cycles/", _quick_log(project, change_idea=None))

    assert response.status_code == 201
    assert response.json()["change_idea"] is None


def test_a_change_idea_of_another_project_is_refused(api, nurse, project, organisation):
    elsewhere = ChangeIdeaFactory(project=ProjectFactory(organisation=organisation))

    response = api(nurse).post("/api/v1/cycles/", _quick_log(project, change_idea=elsewhere.pk))

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "change_idea"


def test_linked_measures_must_be_the_projects_own(api, nurse, project, measure, organisation):
    theirs = MeasureFactory(project=ProjectFactory(organisation=organisation), name="Theirs")
    client = api(nurse)

    ok = client.post("/api/v1/cycles/", _quick_log(project, measures=[measure.pk]))
    refused = client.post("/api/v1/cycles/", _quick_log(project, measures=[measure.pk, theirs.pk]))

    assert ok.status_code == 201 and ok.json()["measures"] == [measure.pk]
    assert list(measure.cycles.values_list("pk", flat=True)) == [ok.json()["id"]]
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "measures[1]"


def test_an_nhs_number_in_the_observations_is_refused(api, nurse, project):
    cycle = CycleFactory(project=project, number=1, stage="do")

    response = api(nurse).patch(
        f"/api/v1/cycles/{cycle.pk}/", {"observations": "Patient 943 476 5919 fell at 3am."}
    )

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "observations" and error["code"] == "nhs_number"
    assert "NHS number" in error["message"]
    cycle.refresh_from_db()
    assert cycle.observations == ""


def test_an_nhs_number_in_a_prediction_is_refused_naming_the_row(api, nurse, project):
    questions = [
        {"question": "Will staff attend?", "prediction": "Yes"},
        {"question": "Will Mr X fall?", "prediction": "Not 9434765919 again"},
    ]

    response = api(nurse).post("/api/v1/cycles/", _quick_log(project, questions=questions))

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "questions[1].prediction"
    assert not Cycle.objects.exists()


def test_questions_and_tasks_are_written_as_whole_lists(api, nurse, project):
    client = api(nurse)
    created = client.post(
        "/api/v1/cycles/",
        _quick_log(
            project,
            questions=[
                {"question": "A?", "prediction": "a"},
                {"question": "B?", "prediction": "b"},
            ],
            tasks=[{"what": "Print the huddle sheet", "who": "Sam"}],
        ),
    ).json()
    _, second = created["questions"]

    response = client.patch(
        f"/api/v1/cycles/{created['id']}/",
        {
            "questions": [
                {"id": second["id"], "result": "b happened"},
                {"question": "C?", "prediction": "c"},
            ],
            "tasks": [{"id": created["tasks"][0]["id"], "done": True}],
        },
    )

    assert response.status_code == 200, response.json()
    questions = response.json()["questions"]
    assert [(q["question"], q["result"], q["position"]) for q in questions] == [
        ("B?", "b happened", 0),
        ("C?", "", 1),
    ]
    assert questions[0]["id"] == second["id"]
    assert response.json()["tasks"][0]["done"] is True


def test_a_question_row_from_another_cycle_is_refused_naming_the_row(api, nurse, project):
    other = CycleFactory(project=project, number=9)
    other_question = other.questions.create(question="Theirs?")
    cycle = CycleFactory(project=project, number=1)

    response = api(nurse).patch(
        f"/api/v1/cycles/{cycle.pk}/",
        {"questions": [{"question": "Mine?"}, {"id": other_question.pk, "result": "x"}]},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "questions[1].id"


def test_a_new_question_needs_its_text(api, nurse, project):
    cycle = CycleFactory(project=project, number=1)

    response = api(nurse).patch(
        f"/api/v1/cycles/{cycle.pk}/", {"questions": [{"prediction": "Most will."}]}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "questions[0].question"


def test_the_planned_end_cannot_come_before_the_start(api, nurse, project):
    response = api(nurse).post(
        "/api/v1/cycles/",
        _quick_log(project, planned_start="2025-03-10", planned_end="2025-03-01"),
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "planned_end"


# --- the client's own uuid -------------------------------------------------------------


def test_a_create_with_a_known_uuid_returns_the_saved_cycle_instead_of_a_second(
    api, nurse, project
):
    client = api(nurse)
    own_id = str(uuid.uuid4())
    first = client.post("/api/v1/cycles/", _quick_log(project, uuid=own_id))

    again = client.post("/api/v1/cycles/", _quick_log(project, uuid=own_id, title="Edited"))

    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["title"] == "Huddle at handover"
    assert Cycle.objects.count() == 1


@pytest.mark.parametrize("elsewhere", ["same organisation", "other organisation"])
def test_a_uuid_used_in_another_project_says_nothing_about_it(
    api, nurse, project, organisation, other_organisation, elsewhere
):
    owner = organisation if elsewhere == "same organisation" else other_organisation
    taken = CycleFactory(project=ProjectFactory(organisation=owner), number=1)
    unused = str(uuid.uuid4())
    client = api(nurse)

    reused = client.post("/api/v1/cycles/", _quick_log(project, uuid=str(taken.uuid)))
    fresh = client.post("/api/v1/cycles/", _quick_log(project, uuid=unused, title="Other"))

    # Answered as any new uuid is: a uuid names a cycle within its project only, so
    # whether it exists elsewhere (in another trust, say) cannot be learnt from here.
    assert reused.status_code == fresh.status_code == 201, reused.content
    assert reused.json()["id"] != taken.pk and reused.json()["uuid"] == str(taken.uuid)
    assert Cycle.objects.filter(uuid=taken.uuid).count() == 2


# --- who may do what -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "on_team", "can_write"),
    [
        (Role.FRONTLINE, True, True),
        (Role.FRONTLINE, False, False),
        (Role.COACH, True, True),
        (Role.COACH, False, False),
        (Role.LIVED_EXPERIENCE_PARTNER, True, True),
        (Role.LEADER, False, False),
        (Role.QI_TEAM, False, True),
        (Role.ADMIN, False, True),
    ],
)
def test_every_member_reads_cycles_and_only_the_team_or_qi_team_writes(
    api, member, project, role, on_team, can_write
):
    user = member(role)
    if on_team:
        ProjectMemberFactory(project=project, user=user, role=ProjectMember.Role.MEMBER)
    cycle = CycleFactory(project=project, number=1)
    client = api(user)

    read = client.get(f"/api/v1/cycles/{cycle.pk}/")
    listed = client.get("/api/v1/cycles/")
    created = client.post("/api/v1/cycles/", _quick_log(project))
    edited = client.patch(f"/api/v1/cycles/{cycle.pk}/", {"title": "Renamed"})
    moved = client.post(f"/api/v1/cycles/{cycle.pk}/advance/", {})

    assert read.status_code == 200 and listed.json()["count"] == 1
    expected = {True: (201, 200), False: (403, 403)}[can_write]
    assert (created.status_code, edited.status_code) == expected
    assert moved.status_code == (400 if can_write else 403)  # a writer meets the stage rule


def test_another_organisations_cycle_is_a_404(api, member, other_organisation):
    theirs = CycleFactory(project=ProjectFactory(organisation=other_organisation), number=1)
    client = api(member(Role.ADMIN))

    assert client.get(f"/api/v1/cycles/{theirs.pk}/").status_code == 404
    assert client.patch(f"/api/v1/cycles/{theirs.pk}/", {"title": "x"}).status_code == 404
    assert client.post(f"/api/v1/cycles/{theirs.pk}/advance/", {}).status_code == 404
    assert client.post(f"/api/v1/cycles/{theirs.pk}/clone/", {}).status_code == 404
    assert client.get("/api/v1/cycles/").json()["count"] == 0


def test_a_quick_log_into_another_organisations_project_says_it_does_not_exist(
    api, member, other_organisation
):
    theirs = ProjectFactory(organisation=other_organisation)

    response = api(member(Role.ADMIN)).post("/api/v1/cycles/", _quick_log(theirs))

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "project"


def test_only_a_cycle_still_in_plan_can_be_deleted(api, nurse, project, cycle_at):
    planned = cycle_at(project)
    tested = cycle_at(project, Cycle.Stage.DO)
    client = api(nurse)

    assert client.delete(f"/api/v1/cycles/{planned.pk}/").status_code == 204
    refused = client.delete(f"/api/v1/cycles/{tested.pk}/")

    assert refused.status_code == 400
    assert refused.json()["message"].startswith("Only a cycle still in Plan can be deleted")


# --- filters and query counts ----------------------------------------------------------


def test_cycles_filter_by_project_idea_stage_owner_and_overdue(api, nurse, project, idea):
    today = timezone.localdate()
    overdue = CycleFactory(
        project=project, number=1, stage="do", planned_end=today - timedelta(days=8)
    )
    on_time = CycleFactory(project=project, number=2, stage="do", planned_end=today, owner=nurse)
    with_idea = CycleFactory(project=project, number=3, change_idea=idea, stage="study")
    other = CycleFactory(project=ProjectFactory(organisation=project.organisation), number=1)
    client = api(nurse)

    def ids(query: str) -> set[int]:
        return {c["id"] for c in client.get(f"/api/v1/cycles/?{query}").json()["results"]}

    assert ids(f"project={project.pk}") == {overdue.pk, on_time.pk, with_idea.pk}
    assert ids(f"change_idea={idea.pk}") == {with_idea.pk}
    assert ids("stage=do") == {overdue.pk, on_time.pk}
    assert ids("stage=do&stage=study") == {overdue.pk, on_time.pk, with_idea.pk}
    assert ids(f"owner={nurse.pk}") == {on_time.pk}
    assert ids("overdue=true") == {overdue.pk}
    assert other.pk in ids("overdue=false")


def _cycles_with_everything(project, idea, measure, owner, numbers: range) -> None:
    for number in numbers:
        cycle = CycleFactory(project=project, number=number, change_idea=idea, owner=owner)
        cycle.measures.add(measure)
        cycle.questions.create(question="Q?", prediction="P")
        cycle.tasks.create(what="T")
        CycleFactory(project=project, number=number + 1000, parent=cycle)


def test_the_cycle_list_takes_the_same_queries_for_1_and_50_cycles(
    api, nurse, project, idea, measure, django_assert_max_num_queries
):
    client = api(nurse)
    _cycles_with_everything(project, idea, measure, nurse, range(1, 2))
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/cycles/?page_size=100").json()["count"] == 2

    _cycles_with_everything(project, idea, measure, nurse, range(2, 51))
    with django_assert_max_num_queries(len(one)):
        response = client.get("/api/v1/cycles/?page_size=100&project=" + str(project.pk))

    assert response.json()["count"] == 100
    assert len(one) <= 8


def test_a_ramp_stays_in_one_project(api, nurse, project, organisation):
    elsewhere = CycleFactory(project=ProjectFactory(organisation=organisation), number=1)

    response = api(nurse).post("/api/v1/cycles/", _quick_log(project, parent=elsewhere.pk))

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "parent"
