"""Adopting a change with an SPC signal since it started puts it forward for spread; a
single good month, a shift that began before the change, or no signal does not."""

from __future__ import annotations

import pytest

from spread.models import ChangePackage, SpreadCandidate
from spread.services import candidate_nominate, candidates_suggest_for_project
from tests.factories import MeasureFactory
from tests.spread.conftest import (
    BASELINE,
    ONE_GOOD_MONTH,
    SHIFTED,
    UNCHANGED,
    add_data,
    month,
)

pytestmark = pytest.mark.django_db


def test_adopting_a_cycle_whose_measure_shifted_suggests_a_candidate_citing_the_signal(
    falls_measure, idea, nurse, cycle_in_act, decide
):
    add_data(falls_measure, BASELINE + SHIFTED)
    cycle = decide(cycle_in_act(idea, [falls_measure]), nurse)

    candidate = SpreadCandidate.objects.get(change_idea=idea)
    assert candidate.origin == SpreadCandidate.Origin.SUGGESTED
    assert candidate.status == SpreadCandidate.Status.PROPOSED
    assert candidate.evidence_strength == SpreadCandidate.EvidenceStrength.PROVEN
    assert candidate.source_cycle == cycle
    assert candidate.origin_unit == idea.project.unit
    evidence = candidate.evidence
    assert evidence["measure"]["id"] == falls_measure.pk
    assert evidence["measure"]["definition_name"] == "Inpatient falls per 1,000 bed days"
    assert "shift" in evidence["rules"]
    assert evidence["point_type"] == "special_cause_improvement"
    assert evidence["signal_started"] == "2024-01-01"
    assert evidence["change_started"] == "2024-01-01"
    assert evidence["variation_icon"] == "improvement_low"
    assert "special-cause improvement" in evidence["summary"]
    assert candidate.evidence_measure == falls_measure
    package = ChangePackage.objects.get(candidate=candidate)
    assert package.context_specialty == "elderly care"
    assert package.contact == nurse
    assert list(package.cycles.all()) == [cycle]
    assert package.how_to == "Print the huddle card; the nurse in charge runs it."


def test_adopting_without_a_signal_suggests_nothing(
    falls_measure, idea, nurse, cycle_in_act, decide
):
    add_data(falls_measure, BASELINE + UNCHANGED)
    decide(cycle_in_act(idea, [falls_measure]), nurse)

    assert not SpreadCandidate.objects.exists()


def test_a_single_good_month_is_not_a_win(falls_measure, idea, nurse, cycle_in_act, decide):
    add_data(falls_measure, BASELINE + ONE_GOOD_MONTH)
    decide(cycle_in_act(idea, [falls_measure]), nurse)

    assert not SpreadCandidate.objects.exists()


def test_a_shift_that_began_before_the_change_is_not_credited_to_it(
    falls_measure, idea, nurse, cycle_in_act, decide
):
    # Falls came down from January 2024; the huddle only started in August.
    add_data(falls_measure, BASELINE + SHIFTED)
    decide(cycle_in_act(idea, [falls_measure], started_on=month(19)), nurse)

    assert not SpreadCandidate.objects.exists()


def test_the_change_started_with_the_first_cycle_of_its_ramp(
    falls_measure, idea, nurse, cycle_in_act, decide
):
    add_data(falls_measure, BASELINE + SHIFTED)
    cycle_in_act(idea, started_on=month(12), stage="done", decision="adapt")
    decide(cycle_in_act(idea, [falls_measure], started_on=month(19)), nurse)

    candidate = SpreadCandidate.objects.get(change_idea=idea)
    assert candidate.evidence["change_started"] == "2024-01-01"


def test_without_linked_measures_the_projects_outcome_measures_are_checked(
    falls_measure, idea, nurse, cycle_in_act, decide
):
    add_data(falls_measure, BASELINE + SHIFTED)
    decide(cycle_in_act(idea), nurse)

    candidate = SpreadCandidate.objects.get(change_idea=idea)
    assert candidate.evidence["measure"]["id"] == falls_measure.pk


def test_a_linked_process_measure_is_what_counts_when_linked(
    falls_measure, idea, nurse, cycle_in_act, decide
):
    add_data(falls_measure, BASELINE + SHIFTED)
    huddles = MeasureFactory(
        project=idea.project, type="process", name="Huddles held", improvement_direction="increase"
    )
    add_data(huddles, [5.0, 6.0] * 12)
    decide(cycle_in_act(idea, [huddles]), nurse)

    assert not SpreadCandidate.objects.exists()


@pytest.mark.parametrize("decision", ["adapt", "abandon"])
def test_only_an_adopt_decision_suggests(
    falls_measure, idea, nurse, cycle_in_act, decide, decision
):
    add_data(falls_measure, BASELINE + SHIFTED)
    cycle = cycle_in_act(idea, [falls_measure], next_steps="Try it on nights.")
    decide(cycle, nurse, decision)

    assert not SpreadCandidate.objects.exists()


def test_adopting_the_same_idea_again_does_not_suggest_twice(
    proven_candidate, falls_measure, idea, nurse, cycle_in_act, decide
):
    decide(cycle_in_act(idea, [falls_measure]), nurse)

    assert SpreadCandidate.objects.filter(change_idea=idea).count() == 1


def test_a_cycle_without_a_change_idea_suggests_nothing(
    falls_measure, origin_project, nurse, cycle_in_act, decide, idea
):
    add_data(falls_measure, BASELINE + SHIFTED)
    cycle = cycle_in_act(idea, [falls_measure])
    cycle.change_idea = None
    cycle.save()
    decide(cycle, nurse)

    assert not SpreadCandidate.objects.exists()


def test_data_that_show_the_win_after_adopt_suggest_the_change_then(
    falls_measure, idea, nurse, cycle_in_act, decide
):
    add_data(falls_measure, BASELINE + SHIFTED[:1])
    decide(cycle_in_act(idea, [falls_measure]), nurse)
    assert not SpreadCandidate.objects.exists()

    add_data(falls_measure, SHIFTED[1:], start=13)
    made = candidates_suggest_for_project(project_id=idea.project_id)

    candidate = SpreadCandidate.objects.get(change_idea=idea)
    assert made == 1
    assert candidate.origin == SpreadCandidate.Origin.SUGGESTED
    assert candidate.evidence["rules"][0] == "shift"
    assert candidates_suggest_for_project(project_id=idea.project_id) == 0


def test_new_data_upgrade_an_open_early_promise_nomination(
    falls_measure, idea, nurse, cycle_in_act, decide
):
    add_data(falls_measure, BASELINE + SHIFTED[:1])
    decide(cycle_in_act(idea, [falls_measure]), nurse)
    idea.refresh_from_db()
    early = candidate_nominate(by=nurse, change_idea=idea)
    assert early.evidence_strength == "early_promise"

    add_data(falls_measure, SHIFTED[1:], start=13)
    candidates_suggest_for_project(project_id=idea.project_id)

    early.refresh_from_db()
    assert early.evidence_strength == "proven"
    assert early.origin == SpreadCandidate.Origin.NOMINATED
