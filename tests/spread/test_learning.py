"""The learning library: "has this been tried before?" finds tested ideas, abandoned ones
included, by their learning, their cycles' learning and their context."""

from __future__ import annotations

import pytest

from backend.models import Membership
from tests.factories import ChangeIdeaFactory, CycleFactory, ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db

LEARNING = "/api/v1/learning/"


@pytest.fixture
def ideas(organisation, other_organisation, ward7):
    project = ProjectFactory(organisation=organisation, unit=ward7, title="Fewer falls on Ward 7")
    surgical = ProjectFactory(
        organisation=organisation,
        unit=UnitFactory(organisation=organisation, name="Ward 12 Surgical", specialty="surgery"),
        title="Earlier discharge",
    )
    found = {
        "wristbands": ChangeIdeaFactory(
            project=project,
            title="Yellow falls-risk markers",
            status="abandoned",
            learning="Patients took the yellow wristbands off overnight; nobody could see them.",
        ),
        "huddle": ChangeIdeaFactory(
            project=project, title="Falls huddle at handover", status="adopted"
        ),
        "untested": ChangeIdeaFactory(
            project=project, title="Wristbands for everyone", status="untested"
        ),
        "discharge": ChangeIdeaFactory(
            project=surgical,
            title="Discharge lounge",
            status="adapted",
            learning="Works for day-case patients only.",
        ),
        "elsewhere": ChangeIdeaFactory(
            project=ProjectFactory(organisation=other_organisation),
            title="Coloured wristbands",
            status="abandoned",
            learning="Wristbands were lost.",
        ),
    }
    CycleFactory(
        project=project,
        change_idea=found["huddle"],
        number=1,
        learning="Night staff preferred a bedside safety brief instead of the desk.",
    )
    return found


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["title"] for row in response.json()["results"]]


def test_the_library_finds_an_abandoned_idea_by_a_word_in_its_learning(ideas, member, api):
    reader = member(Membership.Role.FRONTLINE)

    response = api(reader).get(LEARNING, {"q": "wristbands"})

    assert _titles(response) == ["Yellow falls-risk markers"]
    [row] = response.json()["results"]
    assert row["status"] == "abandoned"
    assert "took the yellow wristbands off" in row["learning"]
    assert row["unit"]["name"] == "Ward 7 Elderly Care"
    assert row["project"]["title"] == "Fewer falls on Ward 7"


def test_the_library_finds_an_idea_by_its_cycles_learning(ideas, member, api):
    response = api(member()).get(LEARNING, {"q": "bedside brief"})

    assert _titles(response) == ["Falls huddle at handover"]
    assert response.json()["results"][0]["cycles"][0]["learning"].startswith("Night staff")


def test_the_library_finds_ideas_by_their_context(ideas, member, api):
    assert _titles(api(member()).get(LEARNING, {"q": "surgery"})) == ["Discharge lounge"]


def test_every_word_must_match(ideas, member, api):
    assert _titles(api(member()).get(LEARNING, {"q": "wristbands discharge"})) == []


def test_without_a_query_the_library_lists_tried_ideas_of_your_organisation(ideas, member, api):
    titles = _titles(api(member()).get(LEARNING))

    assert sorted(titles) == [
        "Discharge lounge",
        "Falls huddle at handover",
        "Yellow falls-risk markers",
    ]


def test_the_library_filters_by_status(ideas, member, api):
    assert _titles(api(member()).get(LEARNING, {"status": "abandoned"})) == [
        "Yellow falls-risk markers"
    ]


@pytest.mark.postgres
def test_on_postgresql_the_search_is_stemmed(ideas, member, api):
    assert _titles(api(member()).get(LEARNING, {"q": "wristband"})) == ["Yellow falls-risk markers"]
    assert _titles(api(member()).get(LEARNING, {"q": "preferring"})) == ["Falls huddle at handover"]


def test_learning_queries_do_not_grow_with_rows(
    ideas, member, api, organisation, django_assert_max_num_queries
):
    client = api(member())
    client.get(LEARNING)
    with django_assert_max_num_queries(8) as few:
        client.get(LEARNING)
    project = ideas["huddle"].project
    for index in range(40):
        idea = ChangeIdeaFactory(project=project, status="abandoned", learning="Did not stick.")
        CycleFactory(project=project, change_idea=idea, number=index + 2)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LEARNING).json()["count"] == 43


def test_a_bad_filter_is_a_400_naming_it(ideas, member, api):
    response = api(member()).get(LEARNING, {"organisation": "demo", "status": "untested"})

    assert response.status_code == 400
    assert {error["field"] for error in response.json()["errors"]} == {"organisation", "status"}


@pytest.mark.postgres
def test_on_postgresql_a_stop_word_is_ignored_and_a_minus_leaves_ideas_out(ideas, member, api):
    client = api(member())

    assert _titles(client.get(LEARNING, {"q": "the wristbands"})) == ["Yellow falls-risk markers"]
    assert "Yellow falls-risk markers" not in _titles(client.get(LEARNING, {"q": "-wristbands"}))
    assert _titles(client.get(LEARNING, {"q": "the"})) == []


@pytest.mark.postgres
def test_on_postgresql_a_phrase_in_quotes_must_appear_as_written(ideas, member, api):
    client = api(member())

    assert _titles(client.get(LEARNING, {"q": '"safety brief"'})) == ["Falls huddle at handover"]
    assert _titles(client.get(LEARNING, {"q": '"brief safety"'})) == []
    assert sorted(_titles(client.get(LEARNING, {"q": "wristbands or lounge"}))) == [
        "Discharge lounge",
        "Yellow falls-risk markers",
    ]
