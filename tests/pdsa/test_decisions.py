"""Act: the decision moves the change idea, keeps the learning, and offers the next cycle."""

from __future__ import annotations

from decimal import Decimal

from pdsa.models import Cycle
from pdsa.signals import cycle_decided
from projects.models import ChangeIdea

Stage = Cycle.Stage
IdeaStatus = ChangeIdea.Status


def _finish(client, cycle, decision: str, **extra):
    return client.post(
        f"/api/v1/cycles/{cycle.pk}/advance/", {"to": "done", "decision": decision, **extra}
    )


def test_adopting_a_cycle_marks_its_idea_adopted_and_moves_the_progress_score(
    api, nurse, project, idea, cycle_at, django_capture_on_commit_callbacks
):
    project.aim_statement = "Reduce falls by 30% by March."
    project.save()
    cycle = cycle_at(project, Stage.ACT, change_idea=idea)
    client = api(nurse)
    client.patch(f"/api/v1/cycles/{cycle.pk}/", {"title": "Huddle, week 2"})  # a draft save
    project.refresh_from_db()
    assert project.progress_score == Decimal("2.5")
    assert (
        project.progress_reason == "2.5: cycles are being tested (1 studied); no change adopted yet"
    )

    response = _finish(client, cycle, "adopt", spread_note="Ward 10 has the same handover.")

    assert response.status_code == 200, response.json()
    assert response.json()["next_cycle"] is None
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.ADOPTED
    assert idea.status_changed_at is not None
    project.refresh_from_db()
    assert project.progress_score == Decimal("3.0")
    assert project.progress_reason.startswith(
        "3.0: modest improvement: 1 change adopted (Falls huddle at handover)"
    )
    assert progress_of(client, project)["score"] == "3.0"


def progress_of(client, project) -> dict:
    return client.get(f"/api/v1/projects/{project.pk}/progress/").json()


def test_the_decision_is_announced_once_inside_the_transaction(api, nurse, project, idea, cycle_at):
    heard = []

    def listener(sender, cycle, decision, by, **kwargs):
        cycle.refresh_from_db()
        heard.append((cycle.pk, cycle.stage, decision, by.pk))

    cycle_decided.connect(listener, dispatch_uid="test-listener")
    try:
        cycle = cycle_at(project, Stage.ACT, change_idea=idea)
        client = api(nurse)
        _finish(client, cycle, "adopt")
        _finish(client, cycle, "adopt")  # the retry finds it done and changes nothing
    finally:
        cycle_decided.disconnect(dispatch_uid="test-listener")

    assert heard == [(cycle.pk, "done", "adopt", nurse.pk)]


def test_adapt_offers_the_next_cycle_of_the_ramp_pre_filled(
    api, nurse, project, idea, measure, cycle_at
):
    cycle = cycle_at(project, Stage.ACT, change_idea=idea, data_collection_plan="Tally sheet.")
    cycle.measures.add(measure)
    cycle.tasks.create(what="Brief the night shift", who="Sam", done=True)
    client = api(nurse)

    response = _finish(client, cycle, "adapt", next_steps="Move the huddle to 07:45.")

    assert response.status_code == 200, response.json()
    draft = response.json()["next_cycle"]
    assert draft["parent"] == cycle.pk
    assert (draft["project"], draft["change_idea"], draft["measures"]) == (
        project.pk,
        idea.pk,
        [measure.pk],
    )
    assert draft["questions"] == [
        {"question": "Will staff attend?", "prediction": "Most of the day shift will."}
    ]
    assert draft["tasks"] == [{"what": "Brief the night shift", "who": "Sam", "where": ""}]
    assert draft["objective"].endswith("What we change after cycle 1: Move the huddle to 07:45.")
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.ADAPTED
    assert client.get(f"/api/v1/cycles/{cycle.pk}/next-cycle/").json() == draft


def test_the_offered_draft_posts_as_the_next_cycle(api, nurse, project, idea, cycle_at):
    cycle = cycle_at(project, Stage.ACT, change_idea=idea)
    client = api(nurse)
    draft = _finish(client, cycle, "adapt", next_steps="Move it to 07:45.").json()["next_cycle"]

    created = client.post("/api/v1/cycles/", draft)

    assert created.status_code == 201, created.json()
    assert created.json()["parent"] == cycle.pk
    assert created.json()["number"] == 2
    assert created.json()["questions"][0]["result"] == ""
    assert client.get(f"/api/v1/cycles/{cycle.pk}/").json()["children"] == [created.json()["id"]]


def test_next_cycle_makes_the_follow_on_and_testing_it_again_marks_the_idea_testing(
    api, nurse, project, idea, cycle_at
):
    cycle = cycle_at(project, Stage.ACT, change_idea=idea)
    client = api(nurse)
    _finish(client, cycle, "adapt", next_steps="Move it to 07:45.")

    response = client.post(f"/api/v1/cycles/{cycle.pk}/next-cycle/", {})
    follow_on = response.json()
    moved = client.post(f"/api/v1/cycles/{follow_on['id']}/advance/", {"to": "do"})

    assert response.status_code == 201
    assert (follow_on["parent"], follow_on["stage"], follow_on["change_idea"]) == (
        cycle.pk,
        "plan",
        idea.pk,
    )
    assert moved.status_code == 200, moved.json()
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.TESTING


def test_abandoning_keeps_the_learning_on_the_change_idea_where_it_can_be_found(
    api, nurse, project, idea, cycle_at
):
    idea.learning = "Tried at night first."
    idea.save()
    cycle = cycle_at(
        project, Stage.ACT, change_idea=idea, learning="Handover is too busy for a huddle."
    )
    client = api(nurse)

    assert _finish(client, cycle, "abandon").status_code == 200

    idea.refresh_from_db()
    assert idea.status == IdeaStatus.ABANDONED
    assert idea.learning.startswith("Tried at night first.\n\nCycle 1 (abandon, ")
    assert idea.learning.endswith("): Handover is too busy for a huddle.")
    found = client.get("/api/v1/cycles/?q=too busy for a huddle").json()["results"]
    assert [c["id"] for c in found] == [cycle.pk]
    assert found[0]["decision"] == "abandon"


def test_a_decision_on_a_cycle_without_an_idea_still_finishes_it(api, nurse, project, cycle_at):
    cycle = cycle_at(project, Stage.ACT)

    response = _finish(client := api(nurse), cycle, "adopt")

    assert response.status_code == 200
    assert response.json()["stage"] == "done"
    assert "1 change adopted (an adopted cycle)" in progress_of(client, project)["progress_reason"]
