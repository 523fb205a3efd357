"""The header is assembled from what the apps declare, by role; each role lands on its home."""

from __future__ import annotations

import pytest
from django.test import Client

from backend import navigation
from backend.models import Membership
from backend.navigation import NavEntry, entries_for, home_url, register
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


def test_everyone_signed_in_sees_my_projects_and_their_notifications(member):
    nurse = member(Role.FRONTLINE)

    labels = [entry.label for entry in entries_for(nurse)]

    assert "My projects" in labels
    assert "Notifications" in labels


@pytest.fixture
def coaching_desk():
    entry = NavEntry(
        label="Coaching desk", url_name="test-coaching-desk", order=5, roles=frozenset({Role.COACH})
    )
    register(entry)
    yield entry
    navigation._entries.pop(entry.url_name)


def test_an_entry_for_some_roles_shows_only_to_people_holding_one(member, coaching_desk):
    coach, nurse = member(Role.COACH), member(Role.FRONTLINE)
    # Someone who is a coach in one organisation and frontline in another sees both.
    MembershipFactory(user=nurse, organisation=OrganisationFactory(), role=Role.COACH)

    assert coaching_desk in entries_for(coach)
    assert coaching_desk in entries_for(nurse)
    assert coaching_desk not in entries_for(member(Role.LEADER))


def test_frontline_staff_land_on_my_projects_after_signing_in(member):
    nurse = member(Role.FRONTLINE)
    nurse.set_password("a-long-test-password")
    nurse.save()

    response = Client().post(
        "/accounts/login/", {"email": nurse.email, "password": "a-long-test-password"}
    )

    assert response["Location"] == home_url(nurse) == "/"


def test_the_header_shows_the_unread_count_beside_notifications(member, organisation):
    from tests.factories import NotificationFactory

    nurse = member(Role.FRONTLINE)
    NotificationFactory(recipient=nurse, organisation=organisation)
    client = Client()
    client.force_login(nurse)

    body = client.get("/").content.decode()

    assert 'href="/notifications/"' in body
    assert 'class="ripple-badge">1<' in body


def test_the_ground_floor_names_no_app():
    from pathlib import Path

    apps = ("projects", "pdsa", "spread", "notifications")
    ground = [
        path
        for path in Path("backend").rglob("*")
        if path.suffix in {".py", ".html"}
        and "migrations" not in path.parts
        and path.name not in {"settings.py", "urls.py", "test_settings.py", "celery.py"}
    ]
    for path in ground:
        text = path.read_text()
        for app in apps:
            assert f"from {app}" not in text and f"import {app}" not in text, (path, app)
        assert "{% load notification" not in text, path
