"""The learning library on a page, for everyone: search, filters, what each result says,
"Use this in my project", and a fixed number of queries."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.models import Membership
from pdsa.models import Cycle
from tests.factories import (
    ChangeIdeaFactory,
    CycleFactory,
    CycleQuestionFactory,
    ProjectFactory,
    ProjectMemberFactory,
    StrategicAimFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def tried(organisation, other_organisation, ward7):
    aim = StrategicAimFactory(organisation=organisation, title="Zero avoidable harm")
    falls = ProjectFactory(organisation=organisation, unit=ward7, title="Fewer falls on Ward 7")
    falls.aims.add(aim)
    rails = ChangeIdeaFactory(
        project=falls,
        title="Review bed rail use daily",
        status="abandoned",
        description="A daily review of bed rails at the night handover.",
    )
    cycle = CycleFactory(
        project=falls,
        change_idea=rails,
        number=1,
        title="Daily bed rail review",
        objective="Cut rails left up without a reason.",
        stage=Cycle.Stage.DONE,
        decision="abandon",
        learning="Rails go back up out of habit; the review only added a form.",
    )
    CycleQuestionFactory(cycle=cycle, question="Will rails up fall below 4 a day?")
    surgical = UnitFactory(organisation=organisation, name="Ward 12 Surgical", kind="ward")
    ChangeIdeaFactory(
        project=ProjectFactory(organisation=organisation, unit=surgical, title="Eating sooner"),
        title="Eat-and-drink card",
        status="adopted",
        learning="Patients wait to be told they may eat.",
    )
    ChangeIdeaFactory(
        project=ProjectFactory(organisation=other_organisation),
        title="Rails review elsewhere",
        status="abandoned",
        learning="Habit won there too.",
    )
    return {"cycle": cycle, "aim": aim}


def test_a_word_from_a_cycles_learning_finds_the_abandoned_idea(tried, member):
    page = _client(member()).get("/learning/", {"q": "habit"}).content.decode()

    assert "1 result for “habit”" in page
    assert "Review bed rail use daily" in page and "Abandoned" in page
    assert "Ward 7 Elderly Care: Fewer falls on Ward 7" in page
    assert "Cycle 1 abandoned" in page
    assert "Rails go back up out of habit" in page
    assert f'href="/cycles/{tried["cycle"].pk}/"' in page
    assert "Rails review elsewhere" not in page


def test_filters_narrow_the_results(tried, member):
    client = _client(member())

    adopted = client.get("/learning/", {"status": "adopted"}).content.decode()
    by_aim = client.get("/learning/", {"aim": tried["aim"].pk}).content.decode()

    assert "Eat-and-drink card" in adopted and "Review bed rail" not in adopted
    assert "Review bed rail" in by_aim and "Eat-and-drink card" not in by_aim


def test_a_filter_not_understood_is_said_beside_it(tried, member):
    response = _client(member()).get("/learning/", {"status": "untested", "aim": "x"})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_status"' in page and 'href="#id_aim"' in page


def test_the_library_reads_in_a_fixed_number_of_queries(
    tried, member, organisation, ward7, django_assert_max_num_queries
):
    client = _client(member())
    client.get("/learning/", {"q": "rails"})
    with django_assert_max_num_queries(15) as few:
        client.get("/learning/", {"q": "rails"})
    baseline = len(few.captured_queries)
    project = ProjectFactory(organisation=organisation, unit=ward7)
    for index in range(12):
        idea = ChangeIdeaFactory(project=project, status="abandoned", learning="Rails again.")
        CycleFactory(project=project, change_idea=idea, number=index + 1, learning="Rails.")

    with django_assert_max_num_queries(baseline):
        page = client.get("/learning/", {"q": "rails"}).content.decode()
    assert "13 results" in page


def test_use_this_in_my_project_copies_the_plan_into_a_new_cycle(
    tried, member, organisation, ward7
):
    nurse = member(Membership.Role.FRONTLINE)
    mine = ProjectFactory(organisation=organisation, unit=ward7, title="Safer nights")
    ProjectMemberFactory(project=mine, user=nurse, role="member")
    client = _client(nurse)
    source = tried["cycle"]
    assert "Safer nights" in client.get(f"/learning/cycles/{source.pk}/use/").content.decode()

    response = client.post(
        f"/learning/cycles/{source.pk}/use/", {"project": mine.pk, "title": "Rails at night"}
    )

    copy = Cycle.objects.get(project=mine)
    assert response["Location"] == f"/cycles/{copy.pk}/"
    assert (copy.title, copy.objective, copy.cloned_from) == (
        "Rails at night",
        source.objective,
        source,
    )
    assert copy.learning == "" and copy.stage == Cycle.Stage.PLAN
    assert [q.question for q in copy.questions.all()] == ["Will rails up fall below 4 a day?"]


def test_a_project_the_person_is_not_on_cannot_be_chosen(tried, member, organisation, ward7):
    nurse = member(Membership.Role.FRONTLINE)
    theirs = ProjectFactory(organisation=organisation, unit=ward7, title="Someone else's")

    response = _client(nurse).post(
        f"/learning/cycles/{tried['cycle'].pk}/use/", {"project": theirs.pk, "title": "Mine now"}
    )

    assert response.status_code == 400
    assert "Choose the project" in response.content.decode()
    assert not Cycle.objects.filter(project=theirs).exists()


def test_another_organisations_cycle_cannot_be_used(tried, member, other_organisation):
    stranger = member(Membership.Role.FRONTLINE, org=other_organisation)

    assert _client(stranger).get(f"/learning/cycles/{tried['cycle'].pk}/use/").status_code == 404
