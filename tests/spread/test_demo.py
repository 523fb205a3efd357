"""The demo's spread story: two approved changes spreading, one proposed, one declined,
one early promise; and seeding twice changes nothing."""

from __future__ import annotations

import pytest
from django.apps import apps

from backend import demo as backend_demo
from pdsa import demo as pdsa_demo
from projects import demo as projects_demo
from spread import demo
from spread.models import Adoption, SpreadCandidate
from spread.selectors import candidate_reach


@pytest.fixture
def seeded(db) -> None:
    backend_demo.seed()
    projects_demo.seed()
    pdsa_demo.seed()
    demo.seed()


def _rows() -> int:
    return sum(m.objects.count() for m in apps.get_app_config("spread").get_models())


def test_the_demo_tells_the_whole_spread_story_and_seeding_again_changes_nothing(seeded):
    by_title = {
        c.change_idea.title: c for c in SpreadCandidate.objects.select_related("change_idea")
    }

    huddle = by_title["Falls huddle at handover"]
    card = by_title["Eat-and-drink card after theatre"]
    assert (huddle.status, huddle.evidence_strength) == ("approved", "proven")
    assert (card.status, card.evidence_strength) == ("approved", "proven")
    assert by_title["Falls prompt in the admission booklet"].status == "proposed"
    assert by_title["SSKIN board at each bay"].status == "declined"
    early = by_title["Sepsis screening tool at triage"]
    assert (early.status, early.evidence_strength) == ("proposed", "early_promise")

    adoptions = {
        (a.candidate_id, a.unit.name): a.status for a in Adoption.objects.select_related("unit")
    }
    assert adoptions[(huddle.pk, "Ward 10 Elderly Care")] == "adopted"
    assert adoptions[(huddle.pk, "Ward 20 Rehabilitation")] == "testing"
    assert adoptions[(card.pk, "Ward 14 Orthopaedics")] == "planned"
    reach = candidate_reach(candidate=huddle)
    assert (reach["targeted"], reach["adopted_of_targeted"], reach["improving"]) == (3, 1, 1)

    before = _rows()
    demo.seed()
    assert _rows() == before


def test_a_ward_adopting_the_rounding_change_gets_an_aim_naming_itself(seeded):
    from backend.models import Unit, User
    from spread.services import adoption_create

    candidate = SpreadCandidate.objects.get(origin_project__title=demo.ROUNDING_PROJECT)
    ward = Unit.objects.get(name="Ward 7 Elderly Care")
    qi = User.objects.get(email="qi@demo.example")
    Adoption.objects.filter(candidate=candidate, unit=ward).delete()

    project = adoption_create(by=qi, candidate=candidate, unit=ward).project

    assert project.aim_statement.startswith("Reduce inpatient falls on Ward 7 Elderly Care ")
    assert "Acute Medical" not in project.aim_statement + project.aim_what
