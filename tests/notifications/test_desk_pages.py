"""The coach's pages: the caseload page is the caseload API rendered (one code path), a
bounded number of queries, readable by the QI team for any coach; the project review
shows the caseload's facts, the score's evidence and overrides with their history."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from backend.models import Membership
from notifications.caseload_pages import PAGE_SIZE
from pdsa.models import Cycle
from projects.models import Project
from tests.factories import (
    CycleFactory,
    CycleQuestionFactory,
    CycleTaskFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.notifications.conftest import NOW
from tests.notifications.test_caseload_queries import coach_with_projects

pytestmark = pytest.mark.django_db

# The caseload's queries (test_caseload_queries: 11 with a cold SPC cache) and the page's
# own: the session, the user, and the header's entries and unread count.
PAGE_QUERIES = 16
REVIEW_QUERIES = 19


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="nhsuk-card__heading[^"]*"><a href="[^"]+">([^<]+)</a>', html)


def test_the_page_shows_the_apis_order_reasons_and_next_actions(
    api, clock, member, organisation, ward, make_team
):
    coach = coach_with_projects(member, organisation, ward, 3)
    quiet = make_team("A quiet project", status=Project.Status.ACTIVE, last_activity_at=NOW)
    quiet.project.members.filter(role="coach").update(user=coach)
    body = api(coach).get("/api/v1/caseload/").json()
    page = signed_in(coach).get("/caseload/")
    html = page.content.decode()
    assert page.status_code == 200
    assert titles(html) == [row["title"] for row in body["projects"]]
    for row in body["projects"]:
        assert row["next_action"]["text"].replace("'", "&#x27;") in html
        assert "; ".join(row["reasons"]).replace("'", "&#x27;") in html
    load = body["load"]
    assert f"{load['projects']} open projects" in html
    assert f"{load['need_you']} need you now" in html


@pytest.mark.parametrize("count", [1, 60])
def test_the_page_is_a_bounded_number_of_queries(
    clock, member, organisation, ward, django_assert_max_num_queries, count
):
    coach = coach_with_projects(member, organisation, ward, count)
    client = signed_in(coach)
    cache.clear()
    with django_assert_max_num_queries(PAGE_QUERIES):
        page = client.get("/caseload/")
    assert len(titles(page.content.decode())) == min(count, PAGE_SIZE)


def test_the_pages_of_a_long_caseload_follow_the_apis_order(api, clock, member, organisation, ward):
    coach = coach_with_projects(member, organisation, ward, PAGE_SIZE * 2 + 3)
    order = [row["title"] for row in api(coach).get("/api/v1/caseload/").json()["projects"]]
    client = signed_in(coach)
    first = client.get("/caseload/").content.decode()
    assert "Less in need" in first and "Page 2 of 3" in first
    shown = titles(first)
    for number in (2, 3):
        html = client.get(f"/caseload/?page={number}").content.decode()
        start = PAGE_SIZE * (number - 1) + 1
        assert f'aria-label="Projects, most in need first" start="{start}"' in html
        shown += titles(html)
    assert shown == order
    assert f"{len(order)} open projects" in first


def test_filters_by_unit_and_status_keep_the_whole_load(clock, member, organisation, make_team):
    coach = member(Membership.Role.COACH)
    for title, status in (("Active one", "active"), ("Proposed one", "proposed")):
        team = make_team(title, status=status, last_activity_at=NOW)
        team.project.members.filter(role="coach").update(user=coach)
    html = signed_in(coach).get("/caseload/?status=proposed").content.decode()
    assert titles(html) == ["Proposed one"]
    assert "2 open projects" in html


def test_the_qi_team_opens_any_coachs_caseload_and_others_are_refused(
    clock, member, organisation, make_team
):
    team = make_team("Coached by someone else", status="active", last_activity_at=NOW)
    qi = member(Membership.Role.QI_TEAM)
    page = signed_in(qi).get(f"/caseload/?coach={team.coach.pk}")
    assert page.status_code == 200
    assert titles(page.content.decode()) == ["Coached by someone else"]
    assert f"{team.coach}\u2019s caseload" in page.content.decode()

    colleague = member(Membership.Role.COACH)
    refused = signed_in(colleague).get(f"/caseload/?coach={team.coach.pk}")
    assert refused.status_code == 403
    assert "Only the QI team and administrators" in refused.content.decode()

    stranger = UserFactory()
    MembershipFactory(user=stranger, organisation=OrganisationFactory(), role="qi_team")
    assert signed_in(stranger).get(f"/caseload/?coach={team.coach.pk}").status_code == 404


def test_a_coach_lands_on_the_caseload_and_sees_it_in_the_header(member):
    coach = member(Membership.Role.COACH)
    client = Client()
    client.force_login(coach)
    html = client.get("/caseload/").content.decode()
    assert 'href="/caseload/" aria-current="page">Caseload' in html
    from backend.navigation import home_url

    assert home_url(coach) == "/caseload/"


def test_the_review_shows_what_needs_the_coach_and_the_cycles_waiting(
    clock, member, make_team, django_assert_max_num_queries
):
    team = make_team("Falls huddle", status="active", last_activity_at=NOW)
    CycleFactory(project=team.project, stage=Cycle.Stage.DO, planned_end=date(2026, 11, 1))
    CycleFactory(
        project=team.project,
        title="Night huddle",
        stage=Cycle.Stage.ACT,
        stage_changed_at=NOW - timedelta(days=4),
    )
    client = signed_in(team.coach)
    with django_assert_max_num_queries(40):
        page = client.get(f"/caseload/projects/{team.project.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "overdue by 24 days" in html
    assert "Night huddle</a> has waited 4 days for a decision" in html
    assert "The evidence behind it" in html


def test_the_reviews_queries_do_not_grow_with_the_cycles_waiting(clock, member, make_team):
    team = make_team("Falls huddle", status="active", last_activity_at=NOW)
    client = signed_in(team.coach)
    url = f"/caseload/projects/{team.project.pk}/"

    def drawn() -> int:
        cache.clear()  # drawn, not served kept
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def waiting(title: str) -> None:
        cycle = CycleFactory(project=team.project, title=title, stage=Cycle.Stage.STUDY)
        CycleQuestionFactory(cycle=cycle)
        CycleTaskFactory(cycle=cycle)

    waiting("Cycle one")
    one = drawn()
    for number in range(2, 7):
        waiting(f"Cycle {number}")
    assert drawn() == one
    # The attention, the score and its evidence, the history, the cycles waiting and the
    # comments, beside the session, the user and the header.
    assert one <= REVIEW_QUERIES, one


def test_a_score_set_by_hand_needs_a_reason_and_is_kept_in_history(clock, member, make_team):
    team = make_team("Falls huddle", status="active", last_activity_at=NOW)
    client = signed_in(team.coach)
    url = f"/caseload/projects/{team.project.pk}/"
    refused = client.post(url, {"score": "3.5", "reason": ""})
    assert refused.status_code == 400
    assert "Say why the computed score is not right" in refused.content.decode()
    assert (
        client.post(url, {"score": "3.5", "reason": "The ward adopted it in May"}).status_code
        == 302
    )
    assert client.post(url, {"score": "", "reason": ""}).status_code == 302
    html = client.get(url).content.decode()
    assert "set 3.5 because “The ward adopted it in May”" in html
    assert "went back to the computed score" in html
    team.project.refresh_from_db()
    assert team.project.progress_override is None


def test_someone_off_the_team_reads_the_review_but_may_not_set_the_score(clock, member, make_team):
    team = make_team("Falls huddle", status="active", last_activity_at=NOW)
    reader = member(Membership.Role.FRONTLINE)
    client = signed_in(reader)
    url = f"/caseload/projects/{team.project.pk}/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"score": "3.5", "reason": "Looks good"})
    assert refused.status_code == 403
    assert "Only the project&#x27;s team" in refused.content.decode()


def test_another_organisations_project_review_is_a_404(clock, member, make_team):
    team = make_team("Falls huddle", status="active")
    stranger = UserFactory()
    MembershipFactory(user=stranger, organisation=OrganisationFactory(), role="coach")
    assert signed_in(stranger).get(f"/caseload/projects/{team.project.pk}/").status_code == 404
