"""The demo cycles: what they must show, and what the other apps rely on."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from backend import demo as backend_demo
from pdsa import demo
from pdsa.models import Cycle
from projects import demo as projects_demo
from projects.models import ChangeIdea, Project
from projects.selectors import measures_spc

Stage = Cycle.Stage
WARD_7 = "Falls huddle at handover"


@pytest.fixture
def seeded(db) -> None:
    backend_demo.seed()
    projects_demo.seed()
    demo.seed()


def _rows() -> int:
    return sum(m.objects.count() for m in apps.get_app_config("pdsa").get_models())


def test_seeding_again_changes_nothing(seeded):
    before = (
        _rows(),
        list(Project.objects.values_list("pk", "progress_reason", "last_activity_at")),
    )

    demo.seed()

    after = (
        _rows(),
        list(Project.objects.values_list("pk", "progress_reason", "last_activity_at")),
    )
    assert after == before


def test_the_demo_shows_every_stage_and_decision_and_work_waiting_for_the_nurse(seeded):
    cycles = Cycle.objects.filter(project__organisation__slug="demo-trust")
    today = timezone.localdate()
    week_ago = timezone.now() - timedelta(days=7)

    assert set(cycles.values_list("stage", flat=True)) == set(Stage.values)
    assert set(cycles.values_list("decision", flat=True)) >= {"adopt", "adapt", "abandon"}
    assert all(cycle.children.exists() for cycle in cycles.filter(decision="adapt"))
    abandoned = ChangeIdea.objects.get(title="Review bed rail use daily")
    assert abandoned.status == "abandoned"
    assert "Cycle 1 (abandon, " in abandoned.learning
    nurses = cycles.filter(owner__email="nurse@demo.example").values_list("stage", flat=True)
    assert {Stage.DO, Stage.STUDY} <= set(nurses)
    ward7 = cycles.filter(project__title=WARD_7)
    assert ward7.filter(stage=Stage.DO, planned_end__lt=today - timedelta(days=7)).exists()
    assert ward7.filter(stage=Stage.STUDY, learning="", stage_changed_at__lt=week_ago).exists()


def test_the_adopted_huddle_shows_improvement_after_it_started_and_lifts_the_score(seeded):
    adopted = Cycle.objects.get(
        project__title=WARD_7, decision="adopt", change_idea__title="Falls huddle at handover"
    )
    falls = adopted.measures.get(definition__name="Inpatient falls per 1,000 bed days")
    ramp_start = min(
        Cycle.objects.filter(change_idea=adopted.change_idea).values_list("started_on", flat=True)
    )

    spc = measures_spc([falls])[falls.pk]

    improved = [
        p
        for p in spc["points"]
        if p["point_type"] == "special_cause_improvement" and "shift" in p["rules"]
    ]
    assert len(improved) >= 7
    assert all(date.fromisoformat(p["x"]) >= ramp_start for p in improved)
    assert adopted.change_idea.status == "adopted"
    ward7 = Project.objects.get(title=WARD_7)
    assert ward7.progress_score >= Decimal("4.0")
    assert "outcome measure “Inpatient falls per 1,000 bed days”" in ward7.progress_reason
    assert not Project.objects.filter(progress_reason="").exists()


def test_the_cycles_wait_for_the_projects_demo(db):
    backend_demo.seed()

    demo.seed()

    assert not Cycle.objects.exists()


def test_what_a_decision_taught_is_dated_the_day_the_story_has_it_decided(seeded):
    decided = Cycle.objects.filter(stage=Stage.DONE).exclude(change_idea=None)
    assert decided.exists()
    for cycle in decided.select_related("change_idea"):
        day = timezone.localdate(cycle.decided_at)
        assert day < timezone.localdate()
        if cycle.learning.strip():
            entry = f"Cycle {cycle.number} ({cycle.get_decision_display().lower()}, "
            assert f"{entry}{day.day} {day:%b %Y})" in cycle.change_idea.learning
