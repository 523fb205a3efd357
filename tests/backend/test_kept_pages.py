"""Kept pages: served again only while every table they read is unchanged.

These tests commit (``transaction=True``), as a server does: a kept page is only ever
kept from, and served against, committed data.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import Client
from django.urls import include, path
from knox.models import AuthToken

from backend import kept_pages
from backend.kept_pages import kept_page
from backend.models import Membership, Unit
from projects.models import Measure
from projects.services.data import data_points_upsert
from tests.factories import (
    DataPointFactory,
    MeasureFactory,
    NotificationFactory,
    OrganisationFactory,
    ProjectFactory,
    UnitFactory,
)

Role = Membership.Role


@login_required
@kept_page
def units_page(request: HttpRequest) -> HttpResponse:
    """The units of the person's organisations, for the QI team only."""
    membership = Membership.objects.filter(user=request.user).first()
    if membership is None or membership.role != Role.QI_TEAM:
        raise PermissionDenied
    if request.GET.get("write"):  # another process writes while this page is drawn
        names = ";".join(Unit.objects.order_by("name").values_list("name", flat=True))
        UnitFactory(organisation=membership.organisation, name="Written meanwhile")
    else:
        names = ";".join(Unit.objects.order_by("name").values_list("name", flat=True))
    if request.GET.get("say"):
        messages.success(request, "Said once.")
    return HttpResponse(PAGE.render({"names": names, "who": request.user.email}, request))


PAGE = engines["django"].from_string(
    '{% extends "backend/base.html" %}{% block content %}'
    "<p id=names>{{ names }}</p><p id=who>{{ who }}</p>{% endblock %}"
)
urlpatterns = [path("units-kept/", units_page), path("", include("backend.urls"))]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.backend.test_kept_pages"),
]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def qi(member):
    return member(Role.QI_TEAM, email="qi@trust.example")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.get("/units-kept/")  # the first page sets the CSRF cookie the page is kept with
    return client


def names(response) -> str:
    text = response.content.decode()
    return text.split("<p id=names>")[1].split("</p>")[0]


def test_a_kept_page_is_served_again_without_reading_its_data(
    qi, ward, django_assert_max_num_queries
):
    client = signed_in(qi)
    first = client.get("/units-kept/")

    # The session, the user, and the header: their roles and its two counts.
    with django_assert_max_num_queries(5) as served:
        again = client.get("/units-kept/")

    assert again.status_code == 200 and names(again) == names(first) == "Ward 7"
    assert not any("backend_unit" in query["sql"] for query in served.captured_queries)


def test_a_committed_write_to_a_table_it_read_draws_it_afresh(qi, ward):
    client = signed_in(qi)
    client.get("/units-kept/")

    UnitFactory(organisation=ward.organisation, name="Ward 8")

    assert names(client.get("/units-kept/")) == "Ward 7;Ward 8"


def test_a_write_to_another_table_keeps_it(qi, ward, django_assert_max_num_queries):
    client = signed_in(qi)
    client.get("/units-kept/")

    NotificationFactory(recipient=qi, organisation=ward.organisation)

    with django_assert_max_num_queries(5):
        assert names(client.get("/units-kept/")) == "Ward 7"


def test_someone_signing_in_keeps_it(qi, member, ward, django_assert_max_num_queries):
    nurse = member(Role.FRONTLINE)
    client = signed_in(qi)
    client.get("/units-kept/")

    signed_in(nurse)  # stamps their last_login in the users table

    with django_assert_max_num_queries(5):
        assert names(client.get("/units-kept/")) == "Ward 7"


def test_a_write_committed_while_the_page_was_drawn_makes_it_stale(qi, ward):
    client = signed_in(qi)

    drawn = client.get("/units-kept/?write=1")  # read the units, then one was added
    assert names(drawn) == "Ward 7"

    assert names(client.get("/units-kept/?write=1")) == "Ward 7;Written meanwhile"


def test_nothing_is_kept_or_served_inside_a_transaction_that_has_written(qi, ward):
    client = signed_in(qi)
    client.get("/units-kept/")

    with transaction.atomic():
        UnitFactory(organisation=ward.organisation, name="Not yet committed")
        assert names(client.get("/units-kept/")) == "Not yet committed;Ward 7"
        transaction.set_rollback(True)

    assert names(client.get("/units-kept/")) == "Ward 7"


def test_the_header_is_drawn_afresh_for_a_kept_page(qi, ward):
    client = signed_in(qi)
    client.get("/units-kept/")

    NotificationFactory(recipient=qi, organisation=ward.organisation)
    page = client.get("/units-kept/").content.decode()

    assert '<span class="ripple-badge">1<span class="nhsuk-u-visually-hidden"> unread' in page


def test_each_person_is_served_their_own_page(qi, member, ward):
    other = member(Role.QI_TEAM, email="other@trust.example")
    signed_in(qi).get("/units-kept/")

    page = signed_in(other).get("/units-kept/").content.decode()

    assert "<p id=who>other@trust.example</p>" in page


def test_a_changed_role_is_never_served_the_page_drawn_for_the_old_one(qi, ward):
    client = signed_in(qi)
    assert client.get("/units-kept/").status_code == 200

    Membership.objects.filter(user=qi).update(role=Role.FRONTLINE)

    assert client.get("/units-kept/").status_code == 403


def test_a_page_showing_a_message_is_not_kept(qi, ward):
    client = signed_in(qi)

    said = client.get("/units-kept/?say=1", follow=True)
    said_again = client.get("/units-kept/?say=1")

    assert "Said once." in said.content.decode()
    assert "Said once." in said_again.content.decode()


def test_writes_are_told_from_reads_and_name_their_tables():
    def run(sql: str) -> None:
        kept_pages.watch(lambda *args: None, sql, None, False, {"connection": connection})

    def tokens(*tables: str) -> dict[str, str]:
        return kept_pages._tokens(tables)

    before = tokens("backend_unit", "projects_project", "backend_user", "*")
    run('SELECT "backend_unit"."id" FROM "backend_unit" FOR UPDATE')
    run('WITH x AS (SELECT 1) SELECT * FROM "backend_unit", x')
    run('(SELECT "backend_unit"."id" FROM "backend_unit") UNION (SELECT 1)')
    run("SAVEPOINT s1")
    assert tokens("backend_unit", "projects_project", "backend_user", "*") == before

    run('UPDATE "backend_unit" SET "name" = %s WHERE "id" IN (SELECT U0."id" FROM x U0)')
    after_update = tokens("backend_unit", "projects_project", "backend_user", "*")
    assert after_update["backend_unit"] != before["backend_unit"]
    assert after_update["projects_project"] == before["projects_project"]

    run('UPDATE "backend_user" SET "last_login" = %s WHERE "backend_user"."id" = %s')
    assert tokens("backend_user")["backend_user"] == before["backend_user"]
    run('UPDATE "backend_user" SET "full_name" = %s WHERE "backend_user"."id" = %s')
    assert tokens("backend_user")["backend_user"] != before["backend_user"]

    run("insert into projects_project (title) values ('raw, unquoted')")
    assert tokens("projects_project")["projects_project"] != before["projects_project"]

    run("DELETE FROM somewhere_unknown")
    assert tokens("*")["*"] != before["*"]


def test_a_chart_page_shows_a_point_logged_after_it_was_kept(qi, ward):
    measure = MeasureFactory(project=ProjectFactory(organisation=ward.organisation, unit=ward))
    for month in range(1, 13):
        DataPointFactory(measure=measure, period=date(2025, month, 1), value=10 + month % 3)
    client = signed_in(qi)
    assert "42.5" not in client.get(f"/measures/{measure.pk}/").content.decode()
    client.get(f"/measures/{measure.pk}/")  # kept, and served

    data_points_upsert(measure=measure, rows=[{"period": date(2026, 1, 1), "value": 42.5}], by=qi)

    assert "42.5" in client.get(f"/measures/{measure.pk}/").content.decode()


# --- API answers ------------------------------------------------------------------------


def api_client(user) -> Client:
    token = AuthToken.objects.create(user)[1]
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def measure_names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


def test_an_api_answer_is_kept_until_a_table_it_read_changes(
    qi, ward, django_assert_max_num_queries
):
    project = ProjectFactory(organisation=ward.organisation, unit=ward)
    measure = MeasureFactory(project=project, name="Falls")
    client = api_client(qi)
    client.get("/api/v1/portfolio/measures/")  # stores the measure's reading: a write
    first = client.get("/api/v1/portfolio/measures/")

    # The token and the user, the roles who may read the table, and the tokens.
    with django_assert_max_num_queries(3):
        again = client.get("/api/v1/portfolio/measures/")
    assert again.status_code == 200 and again.json() == first.json()
    assert measure_names(again) == ["Falls"]
    assert again["Content-Type"] == first["Content-Type"] == "application/json"

    Measure.objects.filter(pk=measure.pk).update(name="Falls with harm")
    assert measure_names(client.get("/api/v1/portfolio/measures/")) == ["Falls with harm"]


def test_api_answers_are_kept_per_person_address_and_format(qi, member, ward):
    MeasureFactory(project=ProjectFactory(organisation=ward.organisation, unit=ward), name="Falls")
    client = api_client(qi)
    client.get("/api/v1/portfolio/measures/")
    client.get("/api/v1/portfolio/measures/")

    other = member(Role.QI_TEAM, org=OrganisationFactory(), email="qi@other.example")
    assert measure_names(api_client(other).get("/api/v1/portfolio/measures/")) == []
    assert measure_names(client.get("/api/v1/portfolio/measures/?q=none")) == []
    # The CSV streams and the browsable API draws forms for its browser: neither is kept.
    for _ in range(2):
        csv = client.get("/api/v1/portfolio/measures/?format=csv")
        assert "Falls" in b"".join(csv.streaming_content).decode()
        page = client.get("/api/v1/portfolio/measures/", HTTP_ACCEPT="text/html")
        assert page["Content-Type"].startswith("text/html") and "Falls" in page.content.decode()


def test_a_kept_api_answer_is_refused_to_a_revoked_token_and_a_changed_role(qi, ward):
    MeasureFactory(project=ProjectFactory(organisation=ward.organisation, unit=ward))
    token = AuthToken.objects.create(qi)
    client = Client(HTTP_AUTHORIZATION=f"Token {token[1]}")
    client.get("/api/v1/capability/pyramid/")
    assert client.get("/api/v1/capability/pyramid/").status_code == 200

    Membership.objects.filter(user=qi).update(role=Role.FRONTLINE)
    assert client.get("/api/v1/capability/pyramid/").status_code == 403
    token[0].delete()
    assert client.get("/api/v1/capability/pyramid/").status_code == 401
