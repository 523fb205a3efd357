"""The Django admin sees every organisation, so only a platform operator opens it."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.demo import DEMO_OPERATOR, seed
from backend.models import Membership, User
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

ADMIN_PAGES = ["/admin/", "/admin/backend/user/", "/admin/projects/project/"]


@pytest.mark.parametrize(
    "flags", [{}, {"is_staff": True}, {"is_staff": True, "is_superuser": True}]
)
def test_an_organisations_people_never_open_the_admin(
    db, organisation, other_organisation, ward, flags
):
    ProjectFactory(organisation=organisation, unit=ward, title="Demo Trust's secret project")
    other_admin = UserFactory(email="admin@other.example", **flags)
    MembershipFactory(user=other_admin, organisation=other_organisation, role=Membership.Role.ADMIN)
    client = Client()
    client.force_login(other_admin)

    for page in ADMIN_PAGES:
        response = client.get(page)

        assert response.status_code == 302, page
        assert response["Location"].startswith("/admin/login/")
    assert b"secret project" not in client.get("/admin/projects/project/", follow=True).content


def test_a_platform_operator_opens_the_admin(db, organisation, ward):
    ProjectFactory(organisation=organisation, unit=ward, title="Falls huddle")
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    for page in ADMIN_PAGES:
        assert client.get(page).status_code == 200, page
    assert b"Falls huddle" in client.get("/admin/projects/project/").content


def test_the_demo_makes_no_organisation_member_staff_and_one_operator(db):
    seed()
    seed()  # a second run leaves it so

    members = User.objects.filter(memberships__isnull=False)
    assert members.exists()
    assert not members.filter(is_staff=True).exists()
    assert not members.filter(is_superuser=True).exists()
    operator = User.objects.get(email=DEMO_OPERATOR)
    assert operator.is_superuser and not operator.memberships.exists()
