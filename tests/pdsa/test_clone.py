"""Starting a new test from another team's cycle."""

from __future__ import annotations

from backend.models import Membership
from pdsa.models import Cycle
from tests.factories import (
    ChangeIdeaFactory,
    CycleFactory,
    MeasureFactory,
    ProjectFactory,
    UnitFactory,
)


def _their_cycle(organisation, cycle_at) -> Cycle:
    ward10 = UnitFactory(organisation=organisation, name="Ward 10")
    theirs = ProjectFactory(organisation=organisation, unit=ward10, title="Ward 10 falls")
    cycle = cycle_at(
        theirs,
        Cycle.Stage.DONE,
        decision="adopt",
        change_idea=ChangeIdeaFactory(project=theirs),
        data_collection_plan="Tally sheet at the nurses' station.",
    )
    cycle.measures.add(MeasureFactory(project=theirs))
    cycle.tasks.create(what="Print the huddle sheet", who="Ana", done=True)
    return cycle


def test_a_team_clones_another_teams_cycle_into_its_own_project(
    api, nurse, project, organisation, cycle_at
):
    source = _their_cycle(organisation, cycle_at)
    CycleFactory(project=project, number=1)

    response = api(nurse).post(
        f"/api/v1/cycles/{source.pk}/clone/", {"project": project.pk, "title": "Huddle on 7"}
    )

    assert response.status_code == 201, response.json()
    clone = response.json()
    assert (clone["project"], clone["number"], clone["stage"]) == (project.pk, 2, "plan")
    assert (clone["cloned_from"], clone["title"], clone["owner"]) == (
        source.pk,
        "Huddle on 7",
        nurse.pk,
    )
    assert clone["objective"] == source.objective
    assert clone["data_collection_plan"] == source.data_collection_plan
    assert clone["questions"][0]["prediction"] == "Most of the day shift will."
    assert clone["questions"][0]["result"] == ""
    assert clone["tasks"][0]["what"] == "Print the huddle sheet"
    assert clone["tasks"][0]["done"] is False
    assert (clone["change_idea"], clone["measures"], clone["observations"]) == (None, [], "")


def test_a_clone_may_test_one_of_the_new_projects_ideas(
    api, nurse, project, idea, organisation, cycle_at
):
    source = _their_cycle(organisation, cycle_at)

    response = api(nurse).post(
        f"/api/v1/cycles/{source.pk}/clone/", {"project": project.pk, "change_idea": idea.pk}
    )
    refused = api(nurse).post(
        f"/api/v1/cycles/{source.pk}/clone/",
        {"project": project.pk, "change_idea": source.change_idea_id},
    )

    assert response.json()["change_idea"] == idea.pk
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "change_idea"


def test_cloning_into_a_project_you_cannot_edit_is_a_403(api, nurse, organisation, cycle_at):
    source = _their_cycle(organisation, cycle_at)

    response = api(nurse).post(f"/api/v1/cycles/{source.pk}/clone/", {"project": source.project_id})

    assert response.status_code == 403
    assert not Cycle.objects.filter(cloned_from=source).exists()


def test_another_organisations_cycle_cannot_be_cloned(
    api, nurse, project, other_organisation, cycle_at
):
    source = _their_cycle(other_organisation, cycle_at)

    response = api(nurse).post(f"/api/v1/cycles/{source.pk}/clone/", {"project": project.pk})

    assert response.status_code == 404


def test_a_board_member_reads_but_cannot_clone(api, member, project, organisation, cycle_at):
    source = _their_cycle(organisation, cycle_at)
    board = member(Membership.Role.LEADER)

    assert api(board).get(f"/api/v1/cycles/{source.pk}/").status_code == 200
    response = api(board).post(f"/api/v1/cycles/{source.pk}/clone/", {"project": project.pk})

    assert response.status_code == 403


def test_a_clone_title_with_an_nhs_number_is_refused(api, nurse, project, organisation, cycle_at):
    source = _their_cycle(organisation, cycle_at)

    response = api(nurse).post(
        f"/api/v1/cycles/{source.pk}/clone/",
        {"project": project.pk, "title": "Huddle for 943 476 5919"},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "title"
    assert not Cycle.objects.filter(title__contains="943").exists()
