"""A sweep over every API list endpoint: nothing of Demo Trust reaches Other Trust's coach.

Each app tests its own scoping; this catches the endpoint someone adds later and forgets.
"""

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from backend.models import Organisation, Unit, User
from pdsa.models import Cycle

# Strings only Demo Trust's data contain: its name, a unit, a project and a person.
DEMO_ONLY = ["Demo Trust", "Ward 7 Elderly Care", "Falls huddle at handover", "nurse@demo.example"]


def _list_urls() -> list[str]:
    """Every GET-able /api/v1/ route that needs no id in its path."""
    found = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and "<" not in route and "(?P" not in route:
                found.append("/" + route.replace("\\", ""))

    walk(get_resolver().url_patterns, "")
    return sorted({url for url in found if url.startswith("/api/v1/") and "format" not in url})


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_other_trusts_coach_sees_nothing_of_demo_trust_anywhere(demo):
    outsider = User.objects.get(email="coach@other.example")
    client = APIClient()
    client.force_authenticate(outsider)
    urls = _list_urls()
    assert "/api/v1/projects/" in urls and "/api/v1/cycles/" in urls  # the sweep found routes

    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        body = response.content.decode()
        for secret in DEMO_ONLY:
            assert secret not in body, f"{url} shows {secret!r} to another organisation"


def test_other_trusts_coach_gets_404_for_demo_trust_records_by_id(demo):
    outsider = User.objects.get(email="coach@other.example")
    demo_trust = Organisation.objects.get(name="Demo Trust")
    ward = Unit.objects.get(organisation=demo_trust, name="Ward 7 Elderly Care")
    cycle = Cycle.objects.filter(project__unit=ward).select_related("project").first()
    project = cycle.project
    measure = project.measures.first()
    client = APIClient()
    client.force_authenticate(outsider)

    for url in [
        f"/api/v1/units/{ward.pk}/",
        f"/api/v1/organisations/{demo_trust.pk}/",
        f"/api/v1/projects/{project.pk}/",
        f"/api/v1/projects/{project.pk}/driver-diagram/",
        f"/api/v1/measures/{measure.pk}/",
        f"/api/v1/measures/{measure.pk}/chart/",
        f"/api/v1/measures/{measure.pk}/chart.svg",
        f"/api/v1/measures/{measure.pk}/data/",
        f"/api/v1/measures/{measure.pk}/data.csv",
        f"/api/v1/measures/{measure.pk}/history/",
        f"/api/v1/cycles/{cycle.pk}/",
        f"/api/v1/units/{ward.pk}/spread-suggestions/",
    ]:
        assert client.get(url).status_code == 404, url
