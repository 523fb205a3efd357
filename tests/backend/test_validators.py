import pytest

from backend.validators import contains_nhs_number


@pytest.mark.parametrize(
    "text",
    ["NHS no. 943 476 5919", "patient 9434765919 fell", "ref 943-476-5919."],
)
def test_valid_nhs_numbers_are_found_however_written(text):
    assert contains_nhs_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "943 476 5918",  # wrong check digit
        "phone 01234 567890",
        "12 falls in 9434765919123 bed hours",  # part of a longer number
        "Falls fell from 12 to 7 per 1,000 bed days",
    ],
)
def test_other_numbers_are_not_mistaken_for_nhs_numbers(text):
    assert not contains_nhs_number(text)


def test_unit_names_refuse_an_nhs_number(api, member, organisation):
    from backend.models import Membership

    response = api(member(Membership.Role.ADMIN)).post(
        "/api/v1/units/", {"organisation": organisation.pk, "name": "Bay for 943 476 5919"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "name",
        "code": "nhs_number",
        "message": response.json()["errors"][0]["message"],
    }
    assert "NHS number" in response.json()["message"]


@pytest.mark.parametrize("tags", [["9434765919"], ["ward", "bed 943 476 5919"]])
def test_an_nhs_number_in_a_list_of_tags_is_refused(api, member, organisation, ward, tags):
    from backend.models import Membership

    client = api(member(Membership.Role.ADMIN))

    created = client.post(
        "/api/v1/units/", {"organisation": organisation.pk, "name": "Bay 4", "tags": tags}
    )
    changed = client.patch(f"/api/v1/units/{ward.pk}/", {"tags": tags})

    for response in (created, changed):
        assert response.status_code == 400, response.content
        assert response.json()["errors"][0]["field"] == "tags"
        assert response.json()["errors"][0]["code"] == "nhs_number"
    ward.refresh_from_db()
    assert ward.tags == []


def test_text_anywhere_in_a_json_document_is_checked():
    from backend.validators import holds_nhs_number

    assert holds_nhs_number({"notes": [{"text": "943 476 5919"}]})
    assert holds_nhs_number({"9434765919": "a key is text too"})
    assert not holds_nhs_number({"count": 9434765919, "tags": ["ward 7"]})


def test_free_text_has_a_length_limit_in_the_api_and_the_schema(api, member, organisation, ward):
    from backend.models import Membership
    from backend.validators import TEXT_MAX_LENGTH
    from tests.factories import ProjectFactory

    project = ProjectFactory(organisation=organisation, unit=ward)
    client = api(member(Membership.Role.QI_TEAM))

    too_long = client.patch(
        f"/api/v1/projects/{project.pk}/", {"problem": "x" * (TEXT_MAX_LENGTH + 1)}
    )
    at_limit = client.patch(f"/api/v1/projects/{project.pk}/", {"problem": "x" * TEXT_MAX_LENGTH})

    assert too_long.status_code == 400, too_long.content
    assert too_long.json()["errors"][0]["field"] == "problem"
    assert at_limit.status_code == 200, at_limit.content
    schema = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    assert schema["PatchedProjectRequest"]["properties"]["problem"]["maxLength"] == TEXT_MAX_LENGTH
    assert schema["CycleRequest"]["properties"]["objective"]["maxLength"] == TEXT_MAX_LENGTH


def test_every_page_forms_text_boxes_have_the_same_limit():
    from backend.pages import PageForm
    from backend.validators import TEXT_MAX_LENGTH
    from pdsa.pages.common import text_field

    class Objective(PageForm):
        objective = text_field("Objective")

    assert Objective({"objective": "x" * TEXT_MAX_LENGTH}).is_valid()
    assert not Objective({"objective": "x" * (TEXT_MAX_LENGTH + 1)}).is_valid()
