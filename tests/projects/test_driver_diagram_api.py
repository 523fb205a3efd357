"""Driver diagrams: writing drivers and change ideas, reading the whole tree at once."""

from backend.models import Membership
from projects.models import ChangeIdea, Driver, ProjectMember
from tests.factories import ChangeIdeaFactory, DriverFactory, ProjectFactory

Role = Membership.Role
Team = ProjectMember.Role


def test_the_team_builds_a_driver_diagram_and_reads_it_as_one_tree(api, project, on_team):
    client = api(on_team(Team.LEAD))
    project.aim_statement = "Reduce falls by 30% by March"
    project.save()

    def post(url, body):
        response = client.post(url, body, format="json")
        assert response.status_code == 201, response.json()
        return response.json()["id"]

    staff = post("/api/v1/drivers/", {"project": project.pk, "kind": "primary", "title": "Staff"})
    huddle = post(
        "/api/v1/drivers/",
        {"project": project.pk, "kind": "secondary", "parent": staff, "title": "Shared awareness"},
    )
    rounding = post(
        "/api/v1/drivers/",
        {"project": project.pk, "kind": "secondary", "parent": staff, "title": "Rounding"},
    )
    both = post(
        "/api/v1/change-ideas/",
        {"project": project.pk, "title": "Falls huddle", "drivers": [huddle, rounding]},
    )
    post("/api/v1/change-ideas/", {"project": project.pk, "title": "Bed rails review"})

    tree = client.get(f"/api/v1/projects/{project.pk}/driver-diagram/").json()

    assert tree["aim"]["statement"] == "Reduce falls by 30% by March"
    [primary] = tree["primary_drivers"]
    assert primary["title"] == "Staff"
    secondaries = {node["title"]: node for node in primary["secondary_drivers"]}
    assert [idea["id"] for idea in secondaries["Shared awareness"]["change_ideas"]] == [both]
    assert [idea["id"] for idea in secondaries["Rounding"]["change_ideas"]] == [both]
    assert [idea["title"] for idea in tree["unlinked_change_ideas"]] == ["Bed rails review"]
    assert tree["counts"] == {"primary_drivers": 1, "secondary_drivers": 2, "change_ideas": 2}


def test_a_secondary_drivers_parent_is_a_primary_driver_of_the_same_project(
    api, project, on_team, organisation
):
    client = api(on_team(Team.LEAD))
    secondary = DriverFactory(
        project=project, kind="secondary", parent=DriverFactory(project=project)
    )
    elsewhere = DriverFactory(project=ProjectFactory(organisation=organisation))

    for parent in (secondary.pk, elsewhere.pk, None):
        response = client.post(
            "/api/v1/drivers/",
            {"project": project.pk, "kind": "secondary", "parent": parent, "title": "x"},
            format="json",
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "parent"


def test_a_change_idea_serves_secondary_drivers_of_its_own_project(
    api, project, on_team, organisation
):
    client = api(on_team(Team.LEAD))
    primary = DriverFactory(project=project)
    foreign = DriverFactory(
        project=ProjectFactory(organisation=organisation),
        kind="secondary",
        parent=DriverFactory(),
    )

    for driver in (primary.pk, foreign.pk):
        response = client.post(
            "/api/v1/change-ideas/",
            {"project": project.pk, "title": "x", "drivers": [driver]},
            format="json",
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "drivers"


def test_changing_a_change_ideas_status_records_when(api, project, on_team):
    idea = ChangeIdeaFactory(project=project)

    response = api(on_team(Team.MEMBER)).patch(
        f"/api/v1/change-ideas/{idea.pk}/",
        {"status": "abandoned", "learning": "Night staff too few"},
    )

    assert response.status_code == 200
    assert response.json()["status_changed_at"] is not None
    assert ChangeIdea.objects.get(pk=idea.pk).learning == "Night staff too few"


def test_change_idea_learning_with_an_nhs_number_is_refused(api, project, on_team):
    idea = ChangeIdeaFactory(project=project)

    response = api(on_team(Team.MEMBER)).patch(
        f"/api/v1/change-ideas/{idea.pk}/", {"learning": "Mr X, 9434765919, fell."}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "learning"


def test_someone_off_the_team_cannot_change_the_diagram(api, member, project):
    response = api(member(Role.FRONTLINE)).post(
        "/api/v1/drivers/", {"project": project.pk, "kind": "primary", "title": "Mine"}
    )

    assert response.status_code == 403


def test_another_organisation_cannot_see_or_use_drivers(api, member, project, other_organisation):
    driver = DriverFactory(project=project)
    client = api(member(Role.ADMIN, org=other_organisation))

    assert client.get(f"/api/v1/drivers/{driver.pk}/").status_code == 404
    response = client.post(
        "/api/v1/drivers/", {"project": project.pk, "kind": "primary", "title": "x"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "project"


def test_deleting_a_primary_driver_keeps_its_change_ideas(api, project, on_team):
    primary = DriverFactory(project=project)
    secondary = DriverFactory(project=project, kind="secondary", parent=primary)
    idea = ChangeIdeaFactory(project=project)
    idea.drivers.set([secondary])

    response = api(on_team(Team.LEAD)).delete(f"/api/v1/drivers/{primary.pk}/")

    assert response.status_code == 204
    assert not Driver.objects.filter(project=project).exists()
    assert ChangeIdea.objects.filter(pk=idea.pk).exists()


def _grow_diagram(project, size):
    for _ in range(size):
        primary = DriverFactory(project=project)
        secondary = DriverFactory(project=project, kind="secondary", parent=primary)
        idea = ChangeIdeaFactory(project=project)
        idea.drivers.set([secondary])


def test_the_driver_diagram_reads_in_constant_queries(
    api, member, project, django_assert_max_num_queries
):
    client = api(member())
    url = f"/api/v1/projects/{project.pk}/driver-diagram/"
    _grow_diagram(project, 1)
    with django_assert_max_num_queries(5) as one:
        assert client.get(url).json()["counts"]["change_ideas"] == 1
    _grow_diagram(project, 49)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).json()["counts"]["change_ideas"] == 50


def test_driver_and_change_idea_lists_read_in_constant_queries(
    api, member, project, django_assert_max_num_queries
):
    client = api(member())
    _grow_diagram(project, 1)
    with django_assert_max_num_queries(4) as drivers_one:
        client.get("/api/v1/drivers/")
    with django_assert_max_num_queries(5) as ideas_one:
        client.get("/api/v1/change-ideas/")
    _grow_diagram(project, 49)
    with django_assert_max_num_queries(len(drivers_one.captured_queries)):
        assert client.get("/api/v1/drivers/?page_size=100").json()["count"] == 100
    with django_assert_max_num_queries(len(ideas_one.captured_queries)):
        assert client.get("/api/v1/change-ideas/?page_size=100").json()["count"] == 50
