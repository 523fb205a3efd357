"""One stale-write guard: every updatable resource answers a write with the ETag the next
read gives, so a client can chain writes; and a stale ETag is refused under the row lock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from backend.etags import etag_for
from backend.models import Membership
from tests.conftest import race
from tests.factories import (
    AdoptionFactory,
    ChangeIdeaFactory,
    ChangePackageFactory,
    CycleFactory,
    DriverFactory,
    MeasureDefinitionFactory,
    MeasureFactory,
    ProjectFactory,
    ProjectMemberFactory,
    SpreadTargetFactory,
    StrategicAimFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def _resources(organisation, ward, qi) -> dict[str, tuple[str, Callable[[], Any], dict, dict]]:
    """name: (detail URL pattern, make the record, a first change, a second change)."""
    project = ProjectFactory(organisation=organisation, unit=ward)

    def member():
        return ProjectMemberFactory(project=project, role="member")

    return {
        "unit": ("/api/v1/units/{}/", lambda: ward, {"specialty": "falls"}, {"specialty": "x"}),
        "membership": (
            "/api/v1/memberships/{}/",
            lambda: Membership.objects.get(user=qi),
            {"caseload_capacity": 5},
            {"caseload_capacity": 6},
        ),
        # An aim with no unit, and one with no goal measure: null fields in the representation.
        "aim": (
            "/api/v1/aims/{}/",
            lambda: StrategicAimFactory(organisation=organisation),
            {"title": "Fewer falls"},
            {"title": "No falls"},
        ),
        "project": (
            "/api/v1/projects/{}/",
            lambda: project,
            {"title": "Falls huddle"},
            {"title": "Falls huddles"},
        ),
        "project member": (
            "/api/v1/project-members/{}/",
            member,
            {"role": "sponsor"},
            {"role": "member"},
        ),
        "driver": (
            "/api/v1/drivers/{}/",
            lambda: DriverFactory(project=project),
            {"title": "Safe handover"},
            {"title": "Safer handover"},
        ),
        "change idea": (
            "/api/v1/change-ideas/{}/",
            lambda: ChangeIdeaFactory(project=project),
            {"title": "Huddle"},
            {"title": "Huddles"},
        ),
        "measure definition": (
            "/api/v1/measure-definitions/{}/",
            lambda: MeasureDefinitionFactory(organisation=organisation),
            {"name": "Falls per 1,000 bed days"},
            {"name": "Falls per 1,000 occupied bed days"},
        ),
        "project measure": (
            "/api/v1/measures/{}/",
            lambda: MeasureFactory(project=project),
            {"name": "Falls"},
            {"name": "Falls a month"},
        ),
        "cycle": (
            "/api/v1/cycles/{}/",
            lambda: CycleFactory(project=project),
            {"title": "Huddle at 2pm"},
            {"title": "Huddle at 3pm"},
        ),
        "change package": (
            "/api/v1/spread/candidates/{}/package/",
            lambda: (
                ChangePackageFactory(
                    candidate__change_idea__project=project,
                ).candidate
            ),
            {"summary": "Two minutes at handover"},
            {"summary": "Three minutes at handover"},
        ),
        "adoption": (
            "/api/v1/spread/adoptions/{}/",
            lambda: AdoptionFactory(
                candidate__change_idea__project=project,
                unit=UnitFactory(organisation=organisation),
            ),
            {"notes": "Starting on nights"},
            {"notes": "Starting on days"},
        ),
    }


RESOURCES = [
    "unit",
    "membership",
    "aim",
    "project",
    "project member",
    "driver",
    "change idea",
    "measure definition",
    "project measure",
    "cycle",
    "change package",
    "adoption",
]


@pytest.mark.parametrize("name", RESOURCES)
def test_a_write_answers_with_the_etag_the_next_write_needs(name, api, member, organisation, ward):
    qi = member(Membership.Role.ADMIN)
    url, make, first, second = _resources(organisation, ward, qi)[name]
    client = api(qi)
    detail = url.format(make().pk)

    read = client.get(detail)
    written = client.patch(detail, first, format="json", HTTP_IF_MATCH=read["ETag"])
    again = client.patch(detail, second, format="json", HTTP_IF_MATCH=written["ETag"])
    reread = client.get(detail)

    assert read.status_code == 200, read.content
    assert written.status_code == 200, written.content
    assert again.status_code == 200, again.content
    assert again["ETag"] == reread["ETag"]
    assert written.json() != again.json()


def test_preferences_answer_with_the_etag_the_next_write_needs(api, member):
    client = api(member(Membership.Role.COACH))
    url = "/api/v1/notifications/preferences/"

    read = client.get(url)
    body = {**read.json(), "digest_weekday": 2}
    written = client.put(url, body, format="json", HTTP_IF_MATCH=read["ETag"])
    again = client.put(
        url, {**body, "digest_weekday": 3}, format="json", HTTP_IF_MATCH=written["ETag"]
    )

    assert written.status_code == 200, written.content
    assert again.status_code == 200, again.content


@pytest.mark.parametrize("name", RESOURCES)
def test_a_stale_etag_is_refused_and_changes_nothing(name, api, member, organisation, ward):
    qi = member(Membership.Role.ADMIN)
    url, make, first, second = _resources(organisation, ward, qi)[name]
    client = api(qi)
    detail = url.format(make().pk)
    stale = client.get(detail)["ETag"]
    client.patch(detail, first, format="json", HTTP_IF_MATCH=stale)

    refused = client.patch(detail, second, format="json", HTTP_IF_MATCH=stale)

    assert refused.status_code == 412
    assert refused.json()["errors"][0]["field"] == "If-Match"
    assert client.get(detail).json() != {}


# --- real concurrency, on PostgreSQL ---------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_package_writers_with_one_etag_get_one_200(api, member, organisation, ward):
    qi = member(Membership.Role.QI_TEAM)
    project = ProjectFactory(organisation=organisation, unit=ward)
    candidate = ChangePackageFactory(candidate__change_idea__project=project).candidate
    url = f"/api/v1/spread/candidates/{candidate.pk}/package/"
    etag = api(qi).get(url)["ETag"]

    responses = race(
        4,
        lambda i: api(qi).patch(url, {"summary": f"Writer {i}"}, HTTP_IF_MATCH=etag),
    )

    assert sorted(r.status_code for r in responses) == [200, 412, 412, 412]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_target_removals_with_one_etag_remove_it_once(api, member, organisation):
    qi = member(Membership.Role.QI_TEAM)
    target = SpreadTargetFactory(
        candidate__change_idea__project=ProjectFactory(organisation=organisation),
        unit=UnitFactory(organisation=organisation),
    )
    listed = api(qi).get(f"/api/v1/spread/targets/?candidate={target.candidate_id}")
    etag = etag_for(listed.json()["results"][0])
    url = f"/api/v1/spread/targets/{target.pk}/"

    responses = race(4, lambda i: api(qi).delete(url, HTTP_IF_MATCH=etag))

    codes = sorted(r.status_code for r in responses)
    assert codes.count(204) == 1
    assert set(codes) <= {204, 404, 412}


def test_only_a_viewset_that_updates_may_take_the_etag_mixin():
    """Its update would give a read-only viewset PUT and PATCH routes."""
    from rest_framework import mixins, viewsets

    from backend.etags import ETagMixin

    with pytest.raises(TypeError):

        class ReadOnly(ETagMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
            pass
