"""Every phone page moves 100 KB or less as `make run` serves it: the development server,
static files from the source folders through WhiteNoise's finders (no collectstatic, no
hashed or pre-compressed copies), everything compressed on the way out.

Counted as a phone's first visit: the page, every stylesheet, script, icon and manifest
it names, the module script's import, the service worker and what the worker fetches on
install (the shell's static files and the offline page), each with its headers. The
production server's transfer is measured in a real browser in tests/pages/test_desk.py.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from pdsa.services import cycle_create
from tests.factories import MeasureFactory, ProjectFactory, ProjectMemberFactory

pytestmark = pytest.mark.django_db
BUDGET = 100 * 1024
AS_MAKE_RUN = override_settings(
    DEBUG=True,
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
    WHITENOISE_USE_FINDERS=True,
    WHITENOISE_AUTOREFRESH=True,
)
LINKED = re.compile(r'(?:href|src|data-service-worker)="(/[^"]+)"|import \{[^}]+\} from "(/[^"]+)"')


def _size(response) -> int:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = sum(len(name) + len(value) + 4 for name, value in response.items())
    return len(body) + headers + len("HTTP/1.1 200 OK\r\n")


def transfer(client: Client, path: str) -> dict[str, int]:
    """Bytes on the wire for a first visit to ``path``, by URL."""
    sizes: dict[str, int] = {}
    gzip = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
    page = client.get(path, **gzip)
    assert page.status_code == 200, path
    sizes[path] = _size(page)
    html = page.content.decode() if page.get("Content-Encoding") != "gzip" else None
    if html is None:
        import gzip as gz

        html = gz.decompress(page.content).decode()
    wanted = {a or b for a, b in LINKED.findall(html)}
    wanted = {url for url in wanted if url.startswith(("/static/", "/sw.js", "/manifest"))}
    wanted.add("/offline/")  # the service worker keeps it on install
    for url in sorted(wanted):
        response = client.get(url, **gzip)
        assert response.status_code == 200, url
        sizes[url] = _size(response)
    return sizes


@pytest.fixture
def nurse_pages(organisation, ward, member):
    nurse = member()
    project = ProjectFactory(organisation=organisation, unit=ward, status="active")
    ProjectMemberFactory(project=project, user=nurse, role="lead")
    measure = MeasureFactory(project=project)
    cycle, _ = cycle_create(by=nurse, project=project, title="Huddle at handover")
    client = Client()
    client.force_login(nurse)
    return client, [
        "/",
        f"/projects/{project.pk}/",
        f"/cycles/{cycle.pk}/",
        f"/cycles/new/?project={project.pk}",
        f"/data/new/?measure={measure.pk}",
        "/notifications/",
    ]


@AS_MAKE_RUN
def test_every_phone_page_is_100_kb_or_less_as_make_run_serves_it(nurse_pages):
    client, paths = nurse_pages
    for path in paths:
        sizes = transfer(client, path)
        total = sum(sizes.values())
        print(f"\n{path}: {total} bytes over {len(sizes)} requests")
        assert any(url.endswith("ripple.css") for url in sizes)
        assert not any(url.endswith("desk.css") for url in sizes), "a phone page loads the desk's"
        assert total <= BUDGET, sizes


@AS_MAKE_RUN
def test_the_stylesheet_is_compressed_under_make_run(nurse_pages):
    client, _ = nurse_pages
    response = client.get("/static/ripple/ripple.css", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert _size(response) < 20 * 1024
    plain = client.get("/static/ripple/ripple.css")
    assert "Content-Encoding" not in plain  # a client that cannot unzip still gets it


def test_no_phone_page_links_the_desk_stylesheet_and_desk_pages_do(nurse_pages, member):
    from backend.models import Membership

    client, paths = nurse_pages
    for path in paths:
        assert "desk.css" not in client.get(path).content.decode(), path
    coach = Client()
    coach.force_login(member(Membership.Role.COACH))
    assert "desk.css" in coach.get("/caseload/").content.decode()


def test_a_desk_page_with_a_hundred_rows_is_compressed(member, organisation, ward):
    from backend.models import Membership

    for index in range(100):
        MeasureFactory(
            project=ProjectFactory(organisation=organisation, unit=ward), name=f"Measure {index}"
        )
    client = Client()
    client.force_login(member(Membership.Role.QI_TEAM))
    page = client.get("/portfolio/measures/", HTTP_ACCEPT_ENCODING="gzip")
    assert page["Content-Encoding"] == "gzip"
    assert len(page.content) < 20 * 1024
