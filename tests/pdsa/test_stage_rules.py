"""The method's stage rules: each refusal, with the message the user sees."""

from __future__ import annotations

import pytest

from pdsa.models import Cycle
from tests.factories import CycleFactory, CycleQuestionFactory

Stage = Cycle.Stage


def _advance(client, cycle, **body):
    return client.post(f"/api/v1/cycles/{cycle.pk}/advance/", body, format="json")


def _refusal(response) -> tuple[str, str]:
    assert response.status_code == 400, response.json()
    body = response.json()
    return body["errors"][0]["field"], body["message"]


def test_cycle_advance_refuses_do_without_an_objective(api, nurse, project):
    cycle = CycleFactory(project=project, number=1, objective="")
    CycleQuestionFactory(cycle=cycle)

    field, message = _refusal(_advance(api(nurse), cycle))

    assert field == "objective"
    assert message == "Write the objective (what this cycle will test) before moving to Do."


def test_cycle_advance_refuses_do_without_a_question(api, nurse, project):
    cycle = CycleFactory(project=project, number=1)

    field, message = _refusal(_advance(api(nurse), cycle))

    assert field == "questions"
    assert message == "Add a question this cycle will answer before moving to Do."


def test_cycle_advance_refuses_do_until_every_question_has_a_prediction(api, nurse, project):
    cycle = CycleFactory(project=project, number=1)
    CycleQuestionFactory(cycle=cycle, position=0)
    CycleQuestionFactory(cycle=cycle, position=1, prediction="")

    field, message = _refusal(_advance(api(nurse), cycle))

    assert field == "questions[1].prediction"
    assert message == "Write what you predict for question 2 before moving to Do."


def test_a_refusal_lists_every_missing_field_at_once(api, nurse, project):
    cycle = CycleFactory(project=project, number=1, objective="")
    CycleQuestionFactory(cycle=cycle, prediction="")

    response = _advance(api(nurse), cycle)

    assert [e["field"] for e in response.json()["errors"]] == [
        "objective",
        "questions[0].prediction",
    ]
    assert response.json()["code"] == "incomplete"


def test_cycle_advance_refuses_study_before_observations_are_written(api, nurse, project, cycle_at):
    cycle = cycle_at(project, Stage.DO, observations="")

    field, message = _refusal(_advance(api(nurse), cycle))

    assert field == "observations"
    assert message == "Write what happened (observations) before moving to Study."
    cycle.refresh_from_db()
    assert cycle.stage == Stage.DO


def test_cycle_advance_refuses_act_before_each_result_is_written(api, nurse, project, cycle_at):
    cycle = cycle_at(project, Stage.STUDY)
    cycle.questions.update(result="")

    field, message = _refusal(_advance(api(nurse), cycle))

    assert field == "questions[0].result"
    assert message == (
        "Write the result for question 1, against its prediction, before moving to Act."
    )


def test_cycle_advance_refuses_act_before_the_learning_is_written(api, nurse, project, cycle_at):
    cycle = cycle_at(project, Stage.STUDY, learning="")

    field, message = _refusal(_advance(api(nurse), cycle))

    assert field == "learning"
    assert message == "Write what you learned before moving to Act."


def test_cycle_advance_refuses_to_finish_without_a_decision(api, nurse, project, cycle_at):
    cycle = cycle_at(project, Stage.ACT)

    field, message = _refusal(_advance(api(nurse), cycle))

    assert field == "decision"
    assert message == "Choose whether to adopt, adapt or abandon before finishing."


def test_cycle_advance_refuses_to_finish_an_adapted_cycle_without_next_steps(
    api, nurse, project, cycle_at
):
    cycle = cycle_at(project, Stage.ACT)

    field, message = _refusal(_advance(api(nurse), cycle, decision="adapt"))

    assert field == "next_steps"
    assert message.startswith("Write what the next cycle will change (next steps)")
    cycle.refresh_from_db()
    assert (cycle.stage, cycle.decision) == (Stage.ACT, "")


def test_a_finished_cycle_moves_no_further(api, nurse, project, cycle_at):
    cycle = cycle_at(project, Stage.ACT)
    assert _advance(api(nurse), cycle, decision="adopt").status_code == 200

    field, message = _refusal(_advance(api(nurse), cycle))

    assert field == "stage"
    assert message == "This cycle is finished; start a new cycle to keep testing."


def test_cycle_advance_refuses_a_stage_that_is_not_next(api, nurse, project, cycle_at):
    cycle = cycle_at(project, Stage.PLAN)

    field, message = _refusal(_advance(api(nurse), cycle, to="act"))

    assert field == "to"
    assert message == "A cycle in Plan moves to Do next."


def test_a_decision_cannot_be_drafted_before_study(api, nurse, project, cycle_at):
    cycle = cycle_at(project, Stage.DO)

    response = api(nurse).patch(f"/api/v1/cycles/{cycle.pk}/", {"decision": "adopt"})

    assert _refusal(response) == ("decision", "Decide at Act, once you have studied the results.")


def test_a_decision_with_the_move_is_refused_before_act(api, nurse, project, cycle_at):
    cycle = cycle_at(project, Stage.STUDY)

    response = _advance(api(nurse), cycle, decision="adopt")

    assert _refusal(response) == ("decision", "Decide at Act, once you have studied the results.")


def test_a_recorded_decision_cannot_be_changed(api, nurse, project, cycle_at):
    cycle = cycle_at(project, Stage.ACT)
    _advance(api(nurse), cycle, decision="adopt")

    response = api(nurse).patch(f"/api/v1/cycles/{cycle.pk}/", {"decision": "abandon"})

    field, message = _refusal(response)
    assert field == "decision"
    assert message.startswith("The decision was recorded when this cycle finished")


@pytest.mark.parametrize("stage", [Stage.PLAN, Stage.DO, Stage.STUDY, Stage.ACT])
def test_any_stage_saves_as_a_draft_however_incomplete(api, nurse, project, stage):
    cycle = CycleFactory(project=project, number=1, stage=stage, objective="")

    response = api(nurse).patch(
        f"/api/v1/cycles/{cycle.pk}/", {"problems": "Agency staff missed it."}
    )

    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == stage
    assert response.json()["missing"]


def test_a_cycle_walks_plan_do_study_act_done(api, nurse, project, idea):
    client = api(nurse)
    created = client.post(
        "/api/v1/cycles/",
        {
            "project": project.pk,
            "change_idea": idea.pk,
            "title": "Huddle at handover",
            "objective": "See whether a 5-minute falls huddle is feasible.",
            "questions": [{"question": "Will staff attend?", "prediction": "Most will."}],
        },
    ).json()
    url = f"/api/v1/cycles/{created['id']}/"
    question_id = created["questions"][0]["id"]

    assert client.post(f"{url}advance/", {"to": "do"}).json()["stage"] == "do"
    client.patch(url, {"observations": "Six huddles in seven days."})
    assert client.post(f"{url}advance/", {"to": "study"}).json()["stage"] == "study"
    client.patch(
        url,
        {
            "learning": "It works when the nurse in charge leads it.",
            "questions": [{"id": question_id, "result": "12 of 14 attended."}],
        },
    )
    assert client.post(f"{url}advance/", {"to": "act"}).json()["stage"] == "act"
    done = client.post(f"{url}advance/", {"to": "done", "decision": "adopt"}).json()

    assert done["stage"] == "done"
    assert done["decision"] == "adopt"
    assert done["decided_at"] is not None
    assert done["started_on"] is not None and done["ended_on"] is not None
    assert done["missing"] == [] and done["next_stage"] is None


def test_a_retried_move_finds_the_cycle_there_and_changes_nothing(api, nurse, project, cycle_at):
    cycle = cycle_at(project, Stage.PLAN)
    client = api(nurse)
    first = client.post(f"/api/v1/cycles/{cycle.pk}/advance/", {"to": "do"})

    retry = client.post(f"/api/v1/cycles/{cycle.pk}/advance/", {"to": "do"})

    assert first.status_code == retry.status_code == 200
    assert retry.json()["stage"] == "do"
    assert cycle.history.filter(stage="do").count() == 1
