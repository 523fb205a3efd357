"""The portfolio by aim: who reads it, what each aim shows over its cascade, and its
query count at 1 and at 2,000 projects."""

from __future__ import annotations

import math

import pytest
from django.db import connection

from backend.models import Membership
from pdsa.models import Cycle
from projects.models import ChangeIdea, DataPoint, Measure, MeasureReading, Project
from projects.selectors.portfolio import portfolio
from tests.factories import (
    AdoptionFactory,
    ChangeIdeaFactory,
    MeasureFactory,
    OrganisationFactory,
    ProjectFactory,
    SpreadCandidateFactory,
    StrategicAimFactory,
    UnitFactory,
)
from tests.projects.conftest import months

Role = Membership.Role
URL = "/api/v1/portfolio/"
# Twelve months around 10 then eight around 6: the last point ends a shift downwards.
FALLING = [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9, 6, 5, 6, 7, 6, 5, 6, 6]
# The cap asserted at every size: memberships (two), aims, outcome measures without a
# current reading, the cascades' counts, units, signalled projects and adopted changes
# (each aggregated per aim in the database), the adopted changes shown, the aims' own
# measures with their readings.
MAX_QUERIES = 10


def missing_readings_queries(*batches: int) -> int:
    """Analysing and storing missing readings, read in ``batches`` of measures: per 2,000,
    their data points and rebases, then a transaction locking the measures and writing
    the readings (one insert on PostgreSQL; SQLite takes 999 parameters a statement)."""
    fields = MeasureReading._meta.concrete_fields
    queries = 0
    for measures in filter(None, batches):
        per_insert = connection.ops.bulk_batch_size(fields, [None] * measures) or measures
        queries += math.ceil(measures / 2000) * 5 + math.ceil(measures / per_insert)
    return queries


def give_data(measure: Measure, values: list[float]) -> Measure:
    DataPoint.objects.bulk_create(
        DataPoint(measure=measure, period=period, value=value)
        for period, value in zip(months(len(values)), values, strict=True)
    )
    return measure


@pytest.fixture
def trust(organisation, ward, member):
    """Three aims in a cascade; projects improving, of concern, completed and unlinked;
    an adopted change that two other wards took up."""
    board = member(Role.LEADER)
    harm = StrategicAimFactory(organisation=organisation, title="Zero avoidable harm", owner=board)
    medicine = StrategicAimFactory(organisation=organisation, parent=harm, title="Medicine falls")
    ward_aim = StrategicAimFactory(
        organisation=organisation, parent=medicine, title="Ward 7 falls", unit=ward
    )
    other_ward = UnitFactory(organisation=organisation, name="Ward 10")
    improving = ProjectFactory(organisation=organisation, unit=ward, title="Falls huddle")
    improving.aims.add(ward_aim)
    falls = give_data(
        MeasureFactory(project=improving, name="Falls", improvement_direction="decrease"), FALLING
    )
    give_data(MeasureFactory(project=improving, type="process", name="Huddles held"), FALLING)
    concern = ProjectFactory(organisation=organisation, unit=other_ward, title="Early mobility")
    concern.aims.add(harm)
    give_data(
        MeasureFactory(project=concern, name="Steps walked", improvement_direction="increase"),
        FALLING,
    )
    done = ProjectFactory(
        organisation=organisation, unit=ward, title="Bed rails", status=Project.Status.COMPLETED
    )
    done.aims.add(medicine)
    ProjectFactory(organisation=organisation, unit=ward, title="Rota app")  # no aim
    aim_measure = give_data(
        MeasureFactory(
            project=None, aim=harm, organisation=organisation, name="Harm falls", target=7.0
        ),
        FALLING,
    )
    harm.goal_measure, harm.goal_target = aim_measure, 6.5
    harm.save()
    huddle = ChangeIdeaFactory(
        project=improving, title="Huddle at handover", status=ChangeIdea.Status.ADOPTED
    )
    ChangeIdeaFactory(project=improving, title="Sensor mats", status=ChangeIdea.Status.TESTING)
    candidate = SpreadCandidateFactory(change_idea=huddle, status="approved")
    AdoptionFactory(candidate=candidate, unit=other_ward, status="adopted")
    AdoptionFactory(
        candidate=candidate, unit=UnitFactory(organisation=organisation), status="testing"
    )
    return {
        "board": board,
        "aims": (harm, medicine, ward_aim),
        "projects": (improving, concern, done),
        "falls": falls,
        "aim_measure": aim_measure,
        "units": (ward, other_ward),
    }


def portfolio_of(api, user, **params):
    response = api(user).get(URL, params)
    assert response.status_code == 200, response.json()
    return response.json()


def test_the_board_sees_each_aim_in_its_cascade_with_what_the_cascade_carries(api, trust):
    body = portfolio_of(api, trust["board"])

    [harm] = body["aims"]
    [medicine] = harm["children"]
    [ward_aim] = medicine["children"]
    assert (harm["title"], medicine["title"], ward_aim["title"]) == (
        "Zero avoidable harm",
        "Medicine falls",
        "Ward 7 falls",
    )
    assert (medicine["parent"], ward_aim["parent"]) == (harm["id"], medicine["id"])
    assert harm["projects"]["total"] == 3
    assert harm["projects"]["linked_directly"] == 1
    assert harm["projects"]["by_status"]["active"] == 2
    assert harm["projects"]["by_status"]["completed"] == 1
    assert harm["projects"]["by_status"]["on_hold"] == 0
    assert medicine["projects"]["total"] == 2
    assert ward_aim["projects"]["total"] == 1
    assert harm["units_covered"]["count"] == 2
    assert [(unit["name"], unit["projects"]) for unit in harm["units_covered"]["top"]] == [
        ("Ward 7", 2),
        ("Ward 10", 1),
    ]
    assert body["not_linked_to_an_aim"]["total"] == 1
    assert body["projects"]["total"] == 4


def test_an_aim_shows_projects_whose_outcome_measures_show_improvement_or_concern(api, trust):
    body = portfolio_of(api, trust["board"])

    improving, concern, _ = trust["projects"]
    harm = body["aims"][0]
    ward_aim = harm["children"][0]["children"][0]
    assert harm["improving"]["count"] == ward_aim["improving"]["count"] == 1
    [shown] = harm["improving"]["top"]
    assert (shown["id"], shown["title"], shown["unit"]["name"]) == (
        improving.pk,
        "Falls huddle",
        "Ward 7",
    )
    assert shown["latest_signal"] == trust["falls"].data_points.latest("period").period.isoformat()
    assert [p["id"] for p in harm["concern"]["top"]] == [concern.pk]
    assert harm["concern"]["top"][0]["unit"]["name"] == "Ward 10"
    assert ward_aim["concern"] == {"count": 0, "top": []}
    # Over the whole portfolio, for a board: every linked project, once.
    assert [p["id"] for p in body["improving"]["top"]] == [improving.pk]
    assert (body["improving"]["count"], body["concern"]["count"]) == (1, 1)

    drilled = api(trust["board"]).get(harm["links"]["improving"]).json()
    [project] = drilled["results"]
    [falls] = project["improving"]
    assert (falls["id"], falls["name"], falls["variation_icon"]) == (
        trust["falls"].pk,
        "Falls",
        "improvement_low",
    )
    assert falls["links"]["chart_svg"].endswith(f"/api/v1/measures/{falls['id']}/chart.svg")
    assert "concern" not in project


def test_an_aims_own_measures_show_icons_and_the_latest_value_against_target(api, trust):
    harm = portfolio_of(api, trust["board"])["aims"][0]

    [measure] = harm["measures"]
    chart = api(trust["board"]).get(measure["links"]["chart"]).json()
    assert measure["name"] == "Harm falls"
    assert (measure["latest_value"], measure["target"], measure["meets_target"]) == (6, 7, True)
    assert measure["latest_period"] == chart["spc"]["points"][-1]["x"]
    assert measure["variation_icon"] == chart["spc"]["variation_icon"] == "improvement_low"
    assert measure["assurance_icon"] == chart["spc"]["assurance_icon"]
    assert harm["goal"]["measure"]["id"] == trust["aim_measure"].pk
    assert (harm["goal"]["target"], harm["goal"]["met_by_latest_value"]) == (6.5, True)
    assert harm["children"][0]["measures"] == []


def test_an_aim_shows_adopted_changes_and_how_far_they_spread(api, trust):
    body = portfolio_of(api, trust["board"])

    harm = body["aims"][0]
    assert harm["adopted_changes"]["count"] == 1
    [change] = harm["adopted_changes"]["top"]
    assert harm["children"][0]["children"][0]["adopted_changes"]["top"] == [change]
    assert change["title"] == "Huddle at handover"
    assert change["project"]["title"] == "Falls huddle"
    assert change["spread_status"] == "approved"
    assert body["adopted_changes"] == {"count": 1, "top": [change]}
    assert harm["spread"] == {
        "changes_put_forward": 1,
        "changes_by_status": {"approved": 1},
        "adoptions_by_status": {"adopted": 1, "testing": 1},
        "units_adopted": 1,
        "units_taking_up": 1,
    }
    medicine = harm["children"][0]
    assert medicine["spread"]["units_adopted"] == 1  # from the ward aim's project, below


def test_counting_without_the_first_few_gives_the_same_counts(trust):
    # Pages that show counts alone ask for no first few (top=0): the database counts
    # without ranking, and every count must be the ranked query's.
    def walk(nodes):
        for node in nodes:
            yield node
            yield from walk(node["children"])

    def counts(data):
        return [
            (
                node["id"],
                node["projects"],
                node["units_covered"]["count"],
                node["improving"]["count"],
                node["concern"]["count"],
                node["adopted_changes"]["count"],
                node["spread"],
            )
            for node in walk(data["aims"])
        ] + [data[kind]["count"] for kind in ("improving", "concern", "adopted_changes")]

    ranked = portfolio(user=trust["board"])
    alone = portfolio(user=trust["board"], top=0, top_overall=0)
    assert counts(alone) == counts(ranked)
    harm = alone["aims"][0]
    assert (harm["improving"]["count"], harm["concern"]["count"]) == (1, 1)
    assert (harm["adopted_changes"]["count"], harm["units_covered"]["count"]) == (1, 2)
    assert not any(
        node["improving"]["top"] or node["units_covered"]["top"] for node in walk(alone["aims"])
    )
    assert alone["adopted_changes"] == {"count": 1, "top": []}


def test_only_active_aims_when_asked_and_a_child_of_a_hidden_aim_heads_its_cascade(api, trust):
    medicine = trust["aims"][1]
    medicine.is_active = False
    medicine.save()

    body = portfolio_of(api, trust["board"], is_active="true")

    assert [aim["title"] for aim in body["aims"]] == ["Ward 7 falls", "Zero avoidable harm"]
    assert body["aims"][1]["projects"]["total"] == 1  # medicine's projects are not beneath it


def test_drilling_into_an_aim_pages_through_the_projects_of_its_cascade(api, trust):
    harm = portfolio_of(api, trust["board"])["aims"][0]

    first = portfolio_of(api, trust["board"], aim=harm["id"], page_size=2)
    second = api(trust["board"]).get(first["next"]).json()

    assert first["aim"]["id"] == harm["id"]
    assert first["aim"]["children"] == [{"id": trust["aims"][1].pk, "title": "Medicine falls"}]
    assert first["count"] == harm["projects"]["total"] == 3
    titles = [p["title"] for p in first["results"] + second["results"]]
    assert titles == ["Bed rails", "Early mobility", "Falls huddle"]
    [huddle] = [p for p in second["results"] if p["title"] == "Falls huddle"]
    assert [change["title"] for change in huddle["adopted_changes"]] == ["Huddle at handover"]
    assert huddle["concern"] == []


@pytest.mark.parametrize(
    ("show", "titles"),
    [
        ("improving", ["Falls huddle"]),
        ("concern", ["Early mobility"]),
        ("adopted", ["Falls huddle"]),
    ],
)
def test_drilling_in_shows_the_projects_behind_one_count(api, trust, show, titles):
    harm = trust["aims"][0]

    body = portfolio_of(api, trust["board"], aim=harm.pk, show=show)

    assert [p["title"] for p in body["results"]] == titles
    assert body["count"] == len(titles)


def test_drilling_into_another_organisations_aim_is_a_404_and_bad_input_a_400(
    api, trust, other_organisation
):
    theirs = StrategicAimFactory(organisation=other_organisation, title="Their aim")
    client = api(trust["board"])

    assert client.get(URL, {"aim": theirs.pk}).status_code == 404
    refused = client.get(URL, {"aim": trust["aims"][0].pk, "show": "everything"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "show"


def test_frontline_staff_cannot_drill_into_the_portfolio(api, member, trust):
    response = api(member(Role.FRONTLINE)).get(URL, {"aim": trust["aims"][0].pk})

    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.QI_TEAM, Role.LEADER, Role.ADMIN])
def test_the_qi_team_leaders_and_admins_read_the_portfolio(api, member, trust, role):
    assert api(member(role)).get(URL).status_code == 200


@pytest.mark.parametrize("role", [Role.FRONTLINE, Role.COACH, Role.LIVED_EXPERIENCE_PARTNER])
def test_frontline_staff_coaches_and_partners_are_refused_the_portfolio_saying_who_may(
    api, member, trust, role
):
    response = api(member(role)).get(URL)

    assert response.status_code == 403
    assert "leaders, the QI team and administrators" in response.json()["message"]
    assert "/api/v1/portfolio/measures/" in response.json()["message"]


def test_another_organisations_aims_and_projects_never_appear(
    api, member, trust, other_organisation
):
    theirs = StrategicAimFactory(organisation=other_organisation, title="Their aim")
    ProjectFactory(organisation=other_organisation).aims.add(theirs)

    body = portfolio_of(api, trust["board"])
    asked = api(trust["board"]).get(URL, {"organisation": other_organisation.pk})
    their_leader = portfolio_of(api, member(Role.LEADER, org=other_organisation))

    assert [org["name"] for org in body["organisations"]] == ["Demo Trust"]
    assert "Their aim" not in str(body)
    assert asked.status_code == 404
    assert [aim["title"] for aim in their_leader["aims"]] == ["Their aim"]
    assert their_leader["projects"]["total"] == 1


def test_someone_in_two_organisations_sees_those_they_lead_and_may_choose_one(
    api, member, trust, organisation, other_organisation
):
    third = OrganisationFactory(name="Third Trust", slug="third")
    StrategicAimFactory(organisation=other_organisation, title="Their aim")
    StrategicAimFactory(organisation=third, title="Third aim")
    person = member(Role.QI_TEAM)
    Membership.objects.create(user=person, organisation=other_organisation, role=Role.LEADER)
    Membership.objects.create(user=person, organisation=third, role=Role.FRONTLINE)
    client = api(person)

    both = client.get(URL).json()
    one = client.get(URL, {"organisation": other_organisation.pk}).json()
    refused = client.get(URL, {"organisation": third.pk})

    assert {org["name"] for org in both["organisations"]} == {"Demo Trust", "Other Trust"}
    assert {aim["title"] for aim in both["aims"]} == {"Zero avoidable harm", "Their aim"}
    assert [aim["title"] for aim in one["aims"]] == ["Their aim"]
    assert refused.status_code == 403


def test_a_bad_organisation_parameter_is_a_400_naming_it(api, trust):
    response = api(trust["board"]).get(URL, {"organisation": "ward-7"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "organisation"


def test_signed_out_callers_are_refused_the_portfolio(api, trust):
    assert api().get(URL).status_code in (401, 403)


# --- bounded queries ------------------------------------------------------------------


def build_trust(organisation, projects: int) -> None:
    """A trust of ``projects`` projects with bulk inserts: twelve ward aims under three
    division aims under one bold aim, three aim measures (one without a chart yet), one
    outcome and one process measure per project
    (12 points each), a change idea per project (every third adopted, every sixth put
    forward for spread and taken up by two units) and two cycles each."""
    units = UnitFactory.create_batch(20, organisation=organisation)
    top = StrategicAimFactory(organisation=organisation, title="Bold aim")
    divisions = [
        StrategicAimFactory(organisation=organisation, parent=top, title=f"Division {i}")
        for i in range(3)
    ]
    wards = [
        StrategicAimFactory(organisation=organisation, parent=divisions[i % 3], title=f"Ward {i}")
        for i in range(12)
    ]
    for aim in [top, *divisions[:1]]:
        give_data(MeasureFactory(project=None, aim=aim, organisation=organisation), FALLING)
    # One point: no chart yet, so its latest point is read apart (the tenth query).
    give_data(MeasureFactory(project=None, aim=wards[0], organisation=organisation), [4.0])
    statuses = Project.Status.values
    rows = Project.objects.bulk_create(
        Project(
            organisation=organisation,
            unit=units[i % len(units)],
            title=f"Project {i}",
            status=statuses[i % len(statuses)],
        )
        for i in range(projects)
    )
    Project.aims.through.objects.bulk_create(
        Project.aims.through(project_id=project.pk, strategicaim_id=wards[i % 12].pk)
        for i, project in enumerate(rows)
        if i % 10
    )
    measures = Measure.objects.bulk_create(
        Measure(
            organisation=organisation,
            project=project,
            name=f"{kind} of {project.title}",
            type=kind,
            improvement_direction="decrease",
            target=8.0,
        )
        for project in rows
        for kind in ("outcome", "process")
    )
    periods = months(12)
    DataPoint.objects.bulk_create(
        DataPoint(measure=measure, period=period, value=FALLING[(k + i) % len(FALLING)])
        for i, measure in enumerate(measures)
        for k, period in enumerate(periods)
    )
    ideas = ChangeIdea.objects.bulk_create(
        ChangeIdea(
            project=project,
            title=f"Change {i}",
            status=ChangeIdea.Status.ADOPTED if i % 3 == 0 else ChangeIdea.Status.TESTING,
        )
        for i, project in enumerate(rows)
    )
    Cycle.objects.bulk_create(
        Cycle(project=project, number=n, title=f"Test {n}") for project in rows for n in (1, 2)
    )
    for i, idea in enumerate(ideas[::6]):
        candidate = SpreadCandidateFactory(change_idea=idea, status="approved")
        for unit in (units[(i + 1) % 20], units[(i + 2) % 20]):
            AdoptionFactory(candidate=candidate, unit=unit, status="adopted")


@pytest.mark.parametrize("projects", [1, 2000])
def test_the_portfolio_reads_in_a_bounded_number_of_queries_at_any_size(
    api, member, organisation, django_assert_max_num_queries, projects
):
    build_trust(organisation, projects)
    client = api(member(Role.QI_TEAM))

    # Bulk-loaded data has no readings yet: the first request analyses and stores them.
    outcomes = Measure.objects.filter(type="outcome", project__isnull=False)
    aims = Measure.objects.filter(aim__isnull=False)
    missing = missing_readings_queries(aims.count(), outcomes.count())
    with django_assert_max_num_queries(MAX_QUERIES + missing):
        first = client.get(URL)
    with django_assert_max_num_queries(MAX_QUERIES):
        stored = client.get(URL)

    assert first.status_code == stored.status_code == 200
    assert first.json()["aims"] == stored.json()["aims"]
    linked = len([i for i in range(projects) if i % 10])
    assert stored.json()["aims"][0]["projects"]["total"] == linked


@pytest.mark.parametrize("projects", [1, 2000])
def test_drilling_into_an_aim_reads_in_a_bounded_number_of_queries_at_any_size(
    api, member, organisation, django_assert_max_num_queries, projects
):
    build_trust(organisation, projects)
    client = api(member(Role.QI_TEAM))
    top = client.get(URL).json()["aims"][0]

    # The aim as the portfolio shows it, then the page: its count, its projects, their
    # signalled measures and their adopted changes.
    with django_assert_max_num_queries(MAX_QUERIES + 4):
        page = client.get(URL, {"aim": top["id"], "page_size": 500})

    assert page.status_code == 200
    assert page.json()["count"] == top["projects"]["total"]
    assert len(page.json()["results"]) == min(500, top["projects"]["total"])
