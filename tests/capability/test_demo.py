"""The demo's capability and self-assessment: a catalogue, a few hundred training records,
a pyramid with real gaps, partners on teams, visits, and two years of assessment; and
seeding twice changes nothing."""

from __future__ import annotations

import pytest
from django.apps import apps

from assessment import demo as assessment_demo
from assessment.models import Assessment
from backend import demo as backend_demo
from backend.models import Organisation
from capability import demo, selectors
from capability.models import Course, Engagement, TrainingRecord
from notifications import demo as notifications_demo
from pdsa import demo as pdsa_demo
from projects import demo as projects_demo
from spread import demo as spread_demo


@pytest.fixture
def seeded(db) -> Organisation:
    backend_demo.seed()
    projects_demo.seed()
    demo.seed()
    pdsa_demo.seed()
    spread_demo.seed()
    notifications_demo.seed()
    assessment_demo.seed()
    return Organisation.objects.get(slug="demo-trust")


def _rows() -> int:
    return sum(
        model.objects.count()
        for app in ("capability", "assessment")
        for model in apps.get_app_config(app).get_models()
    )


def test_the_demo_has_a_pyramid_with_real_gaps_and_two_years_of_assessment(seeded):
    data = selectors.pyramid(organisation=seeded)
    words = {scope.name: scope.words for scope in data["divisions"]}
    involvement = selectors.partner_involvement(organisation=seeded)

    assert Course.objects.filter(organisation=seeded).count() >= 6
    assert TrainingRecord.objects.filter(person__organisation=seeded).count() >= 300
    assert TrainingRecord.objects.filter(status="pending").count() == 3
    assert "Surgery needs" in words["Surgery"] and "12 more practitioners" in words["Surgery"]
    assert all(tier.gap for tier in data["whole"].tiers[:2])
    assert 0 < involvement["whole"].with_partner < involvement["whole"].projects
    assert Engagement.objects.filter(organisation=seeded).count() >= 5

    last, this = Assessment.objects.filter(organisation=seeded).order_by("year")
    assert (last.status, this.status) == ("agreed", "draft")
    assert this.answers.exclude(evidence=None).count() >= 8
    assert this.answers.exclude(rating=None).count() >= 15


def test_seeding_again_changes_nothing(seeded):
    before = _rows()

    demo.seed()
    assessment_demo.seed()

    assert _rows() == before
