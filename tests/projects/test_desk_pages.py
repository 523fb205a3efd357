"""The QI team's and the board's pages: the portfolio tree, an aim's page, the measure
summary table, a measure's chart page and the board page. Scoped and role-checked like
the API (another organisation's record is a 404; a role that may not read the portfolio
gets a 403 saying who can), and a number of queries that does not grow with rows."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from backend.models import Membership, Unit
from pdsa.models import Cycle
from projects.models import DataPoint, Measure
from projects.portfolio_pages import walk
from projects.selectors.portfolio import portfolio, portfolio_aim_tree, portfolio_board
from tests.factories import (
    CycleFactory,
    MeasureFactory,
    MembershipFactory,
    OrganisationFactory,
    ProjectFactory,
    StrategicAimFactory,
    UnitFactory,
    UserFactory,
)
from tests.projects.conftest import months

pytestmark = pytest.mark.django_db
Role = Membership.Role
FALLING = [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9, 6, 5, 6, 7, 6, 5, 6, 6]
RISING = [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9, 14, 15, 14, 15, 14, 15, 14, 16]
FLAT = [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9, 10, 11, 9, 10, 12, 10, 9, 11]


def give_data(measure: Measure, values: list[float]) -> Measure:
    DataPoint.objects.bulk_create(
        DataPoint(measure=measure, period=period, value=value)
        for period, value in zip(months(len(values)), values, strict=True)
    )
    return measure


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def trust(organisation, ward, member):
    """A bold aim with a division aim and a ward aim beneath, an aim measure, and
    projects whose outcome measures improve, worsen and show nothing."""
    division = UnitFactory(organisation=organisation, name="Medicine", level=Unit.Level.DIVISION)
    ward.parent = division
    ward.save()
    harm = StrategicAimFactory(organisation=organisation, title="Zero avoidable harm")
    medicine = StrategicAimFactory(
        organisation=organisation, parent=harm, title="Medicine: halve falls", unit=division
    )
    ward_aim = StrategicAimFactory(
        organisation=organisation, parent=medicine, title="Ward 7 falls", unit=ward
    )
    goal = give_data(
        MeasureFactory(
            aim=harm,
            project=None,
            organisation=organisation,
            name="Falls with harm",
            improvement_direction="decrease",
        ),
        FALLING,
    )
    harm.goal_measure = goal
    harm.save()
    shapes = {"Falls huddle": FALLING, "Early mobility": RISING, "Bay tags": FLAT}
    projects = {}
    for title, values in shapes.items():
        project = ProjectFactory(organisation=organisation, unit=ward, title=title, status="active")
        project.aims.add(ward_aim)
        give_data(
            MeasureFactory(
                project=project, name=f"{title} outcome", improvement_direction="decrease"
            ),
            values,
        )
        projects[title] = project
    return {"harm": harm, "ward_aim": ward_aim, "division": division, "projects": projects}


def more_projects(organisation, ward, aim, count: int) -> None:
    for index in range(count):
        project = ProjectFactory(organisation=organisation, unit=ward, title=f"Extra {index:03d}")
        project.aims.add(aim)
        give_data(MeasureFactory(project=project, improvement_direction="decrease"), FALLING)


def test_frontline_staff_and_coaches_are_told_who_reads_the_portfolio(member, trust):
    for role in (Role.FRONTLINE, Role.COACH):
        client = signed_in(member(role))
        for url in ("/portfolio/", "/board/", f"/portfolio/aims/{trust['harm'].pk}/"):
            page = client.get(url)
            assert page.status_code == 403, url
            assert "for leaders, the QI team and administrators" in page.content.decode()


def test_the_portfolio_shows_the_cascade_with_counts_and_icons(member, trust):
    html = signed_in(member(Role.QI_TEAM)).get("/portfolio/").content.decode()
    order = [
        html.index(t) for t in ("Zero avoidable harm", "Medicine: halve falls", "Ward 7 falls")
    ]
    assert order == sorted(order)
    assert "3 projects: 3 active" in html
    assert "1 improving · 1 with a concern" in html
    assert 'aria-label="Special cause improvement: lower values"' in html
    assert 'class="ripple-sparkline"' in html


def test_the_portfolio_filters_to_a_divisions_aims(member, trust):
    html = (
        signed_in(member(Role.LEADER))
        .get(f"/portfolio/?division={trust['division'].pk}")
        .content.decode()
    )
    assert "Medicine: halve falls" in html
    assert ">Zero avoidable harm<" not in html


@pytest.mark.parametrize("extra", [0, 40])
def test_the_portfolio_aim_and_board_pages_are_a_bounded_number_of_queries(
    member, organisation, ward, trust, django_assert_max_num_queries, extra
):
    more_projects(organisation, ward, trust["ward_aim"], extra)
    client = signed_in(member(Role.LEADER))
    for url, most in (
        # Cold: the readings the factories' data lacks are stored on the way.
        ("/portfolio/", 24),
        (f"/portfolio/aims/{trust['harm'].pk}/", 20),
        ("/board/", 17),
    ):
        cache.clear()
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200, url


def test_an_aim_lists_its_cascades_projects_with_progress_by_status(member, trust):
    client = signed_in(member(Role.LEADER))
    html = client.get(f"/portfolio/aims/{trust['harm'].pk}/").content.decode()
    for title in trust["projects"]:
        assert f">{title}</a>" in html
    assert "3 projects" in html
    assert ">Active</td>" in html
    assert (
        "completed"
        not in client.get(f"/portfolio/aims/{trust['harm'].pk}/?status=completed")
        .content.decode()
        .split("Projects</h2>")[1]
        .split("</form>")[1][:200]
    )


def test_an_aims_page_counts_its_own_cascade_as_the_whole_portfolio_does(member, trust):
    # The aim's page counts only the aim and the aims beneath it; every figure must be
    # the one the whole portfolio shows for that aim.
    leader = member(Role.LEADER)
    whole = {node["id"]: node for node in walk(portfolio(user=leader)["aims"])}
    for aim in (trust["harm"], trust["ward_aim"]):
        assert portfolio_aim_tree(user=leader, aim=aim) == whole[aim.pk]
    assert whole[trust["harm"].pk]["projects"]["total"] == 3


def test_the_board_counts_its_bold_aims_as_the_whole_portfolio_does(member, trust):
    # The board counts only the bold aims' cascades; what it shows must be the
    # portfolio's own figures, and every active aim's measures in the tree's order.
    leader = member(Role.LEADER)
    whole = portfolio(user=leader, is_active=True, top=0)
    board = portfolio_board(user=leader)
    assert board["bold_aims"] == [{**node, "children": []} for node in whole["aims"]]
    assert board["aim_measures"] == [
        {**reading, "aim": node["title"]}
        for node in walk(whole["aims"])
        for reading in node["measures"]
    ]
    for kind in ("improving", "concern", "adopted_changes"):
        assert board[kind] == whole[kind]
    assert board["bold_aims"][0]["projects"]["total"] == 3


def test_the_summary_table_filters_by_icon_and_sorts_concern_first(member, trust):
    client = signed_in(member(Role.FRONTLINE))  # every member reads the table
    html = client.get("/portfolio/measures/?variation_icon=concern_high").content.decode()
    names = re.findall(r'<th scope="row"><a href="/measures/\d+/">([^<]+)</a>', html)
    assert names == ["Early mobility outcome"]
    assert "format=csv&amp;variation_icon=concern_high" in html
    sorted_html = client.get("/portfolio/measures/?sort=variation").content.decode()
    names = re.findall(r'<th scope="row"><a href="/measures/\d+/">([^<]+)</a>', sorted_html)
    assert names[0] == "Early mobility outcome"
    assert names[-1] == "Bay tags outcome"
    bad = client.get("/portfolio/measures/?variation_icon=purple")
    assert bad.status_code == 400


def test_the_api_filters_by_icon_too(api, member, trust):
    client = api(member(Role.FRONTLINE))
    rows = client.get("/api/v1/portfolio/measures/?variation_icon=improvement_low").json()[
        "results"
    ]
    assert {row["name"] for row in rows} == {"Falls with harm", "Falls huddle outcome"}
    assert all(row["signal_period"] for row in rows)
    assert client.get("/api/v1/portfolio/measures/?variation_icon=purple").status_code == 400


@pytest.mark.parametrize("extra", [0, 60])
def test_the_summary_page_is_a_bounded_number_of_queries(
    member, organisation, ward, trust, django_assert_max_num_queries, extra
):
    more_projects(organisation, ward, trust["ward_aim"], extra)
    client = signed_in(member(Role.QI_TEAM))
    for query in ("", "?sort=signal", "?variation_icon=improvement_low&sort=owner"):
        cache.clear()
        # At most: the shell's 5, the filters' 3, the count, the page's ids then its rows,
        # the aims of its projects, and 5 to store the readings the factories' bulk data
        # lacks (in one batch, however many).
        with django_assert_max_num_queries(19):
            assert client.get(f"/portfolio/measures/{query}").status_code == 200


def test_the_chart_page_says_what_the_chart_says_with_its_data_and_cycles(member, trust):
    measure = Measure.objects.get(name="Falls huddle outcome")
    CycleFactory(
        project=measure.project,
        number=2,
        title="Huddle at handover",
        stage=Cycle.Stage.DO,
        planned_start=months(20)[12],
    ).measures.add(measure)
    html = signed_in(member(Role.FRONTLINE)).get(f"/measures/{measure.pk}/").content.decode()
    assert "Special-cause improvement since" in html
    assert "a sustained change" in html
    assert html.count('<th scope="row">') == len(FALLING)
    assert f"/api/v1/measures/{measure.pk}/chart.svg" in html
    assert f"/api/v1/measures/{measure.pk}/data.csv" in html
    assert "Cycle 2: Huddle at handover" in html
    # The data table says what each point shows in words, not the rules' names.
    assert "<td>Improvement: a run of points on one side of the average (a shift)" in html
    assert "(improvement: a shift)</title>" in html
    assert "astronomical" not in html and "two in three" not in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html


def test_the_board_shows_each_bold_aim_with_its_words_and_the_wins(member, trust):
    html = signed_in(member(Role.LEADER)).get("/board/").content.decode()
    assert "Are we on track?" in html
    assert "Zero avoidable harm" in html
    assert "Falls with harm was 6" in html
    assert "Falls huddle outcome</a> on Falls huddle (Ward 7) shows sustained improvement" in html
    assert (
        "Early mobility outcome</a> on Early mobility (Ward 7) shows special-cause concern" in html
    )


def test_another_organisations_records_are_404_pages(trust):
    stranger = UserFactory()
    MembershipFactory(user=stranger, organisation=OrganisationFactory(), role=Role.QI_TEAM)
    client = signed_in(stranger)
    measure = Measure.objects.get(name="Falls huddle outcome")
    assert client.get(f"/measures/{measure.pk}/").status_code == 404
    assert client.get(f"/portfolio/aims/{trust['harm'].pk}/").status_code == 404
    assert "Falls huddle" not in client.get("/portfolio/measures/").content.decode()
    assert "Zero avoidable harm" not in client.get("/board/").content.decode()


def test_each_role_lands_on_its_home_and_sees_the_pages_its_roles_allow(member, organisation):
    from backend.navigation import entries_for, home_url

    homes = {
        Role.LEADER: "/board/",
        Role.QI_TEAM: "/portfolio/",
        Role.COACH: "/caseload/",
        Role.FRONTLINE: "/",
        Role.LIVED_EXPERIENCE_PARTNER: "/",
    }
    for role, home in homes.items():
        assert home_url(member(role)) == home, role
    labels = {e.label for e in entries_for(member(Role.FRONTLINE)) if not e.account}
    assert "My projects" in labels
    assert not labels & {"Caseload", "Board", "Portfolio", "Measures"}
    both = member(Role.COACH)
    MembershipFactory(user=both, organisation=OrganisationFactory(), role=Role.LEADER)
    labels = {e.label for e in entries_for(both) if not e.account}
    assert {"Caseload", "Board", "Portfolio", "Measures"} <= labels
    assert home_url(both) == "/board/"
