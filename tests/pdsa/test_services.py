"""The cycle services, called directly as the phone pages call them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.errors import ApplicationError
from backend.models import Membership
from pdsa import services
from pdsa.models import Cycle
from projects.models import ChangeIdea

Stage = Cycle.Stage


def test_saving_an_older_copy_of_a_cycle_never_puts_its_stage_back(nurse, project, cycle_at):
    cycle = cycle_at(project, Stage.PLAN)
    older_copy = Cycle.objects.get(pk=cycle.pk)
    services.cycle_advance(cycle=cycle, by=nurse, to=Stage.DO)

    services.cycle_update(cycle=older_copy, by=nurse, problems="Agency staff missed it.")

    cycle.refresh_from_db()
    assert (cycle.stage, cycle.problems) == (Stage.DO, "Agency staff missed it.")


def test_every_move_records_activity_on_the_project(nurse, project, cycle_at):
    cycle = cycle_at(project, Stage.PLAN)
    project.__class__.objects.filter(pk=project.pk).update(
        last_activity_at=timezone.now() - timedelta(days=30)
    )

    services.cycle_advance(cycle=cycle, by=nurse)

    project.refresh_from_db()
    assert timezone.now() - project.last_activity_at < timedelta(minutes=1)


def test_doing_a_test_of_an_adapted_idea_marks_it_testing_again(nurse, project, idea, cycle_at):
    idea.status = ChangeIdea.Status.ADAPTED
    idea.save()
    cycle = cycle_at(project, Stage.PLAN, change_idea=idea)
    idea.refresh_from_db()
    assert idea.status == ChangeIdea.Status.ADAPTED  # planning it changes nothing yet

    services.cycle_advance(cycle=cycle, by=nurse, to=Stage.DO)

    idea.refresh_from_db()
    assert idea.status == ChangeIdea.Status.TESTING


def test_an_adopted_idea_stays_adopted_while_it_is_rolled_out(nurse, project, idea, cycle_at):
    idea.status = ChangeIdea.Status.ADOPTED
    idea.save()
    cycle = cycle_at(project, Stage.PLAN, change_idea=idea, purpose="implement_change")

    services.cycle_advance(cycle=cycle, by=nurse, to=Stage.DO)

    idea.refresh_from_db()
    assert idea.status == ChangeIdea.Status.ADOPTED


def test_moving_a_cycle_records_who_moved_it_in_the_history(nurse, project, cycle_at):
    cycle = cycle_at(project, Stage.PLAN)

    services.cycle_advance(cycle=cycle, by=nurse)

    latest = cycle.history.first()
    assert (latest.stage, latest.history_user) == (Stage.DO, nurse)


def test_someone_outside_the_team_is_refused_with_a_403(member, project, cycle_at):
    cycle = cycle_at(project, Stage.PLAN)
    board = member(Membership.Role.LEADER)

    with pytest.raises(ApplicationError) as refused:
        services.cycle_update(cycle=cycle, by=board, title="Renamed")

    assert refused.value.status_code == 403


def test_a_ramp_cannot_loop_back_on_itself(nurse, project, cycle_at):
    first = cycle_at(project, Stage.PLAN)
    second = cycle_at(project, Stage.PLAN, parent=first)

    with pytest.raises(ApplicationError) as refused:
        services.cycle_update(cycle=first, by=nurse, parent=second)

    assert refused.value.field == "parent"


def test_an_owner_who_has_left_does_not_block_later_edits(nurse, member, project, cycle_at):
    leaver = member(Membership.Role.FRONTLINE)
    cycle = cycle_at(project, Stage.PLAN, owner=leaver)
    leaver.memberships.all().delete()

    services.cycle_update(cycle=cycle, by=nurse, title="Renamed")

    cycle.refresh_from_db()
    assert (cycle.title, cycle.owner) == ("Renamed", leaver)
