"""Browser tests of the phone pages: Playwright driving Debian's Chromium at a phone's size.

The live server here serves static files as production does: collected into a folder of
their own with hashed names and gzip copies (WhiteNoise's compressed manifest storage),
and served by WhiteNoise from the app rather than by Django's development handler, so the
transfer the tests measure is what a phone would download.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test.utils import override_settings
from pytest_django.live_server_helper import LiveServer

from backend.models import Membership, User
from projects.models import ChartType, Driver, Measure, Project, ProjectMember
from projects.services import data_points_upsert
from tests.conftest import REQUIRE_SERVICES, chromium_path
from tests.factories import (
    ChangeIdeaFactory,
    DriverFactory,
    MeasureFactory,
    MembershipFactory,
    ProjectFactory,
    ProjectMemberFactory,
    UnitFactory,
    UserFactory,
)

# Playwright's sync API runs an event loop in the test's thread; Django would otherwise
# refuse the database calls the tests make between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}
PASSWORD = "a-long-test-password"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Other apps' static files (the admin, Swagger UI) are not on these pages.
NOT_ON_PAGES = ["admin", "rest_framework", "drf_spectacular_sidecar", "django_celery_beat"]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="package")
def production_static(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    root = tmp_path_factory.mktemp("static")
    overrides = override_settings(
        STATIC_ROOT=root,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    )
    overrides.enable()
    try:
        call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=NOT_ON_PAGES)
        yield
    finally:
        overrides.disable()


@pytest.fixture(scope="package")
def live_server(production_static: None, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """pytest-django's live server, with WhiteNoise (not Django) serving /static/."""
    if not chromium_path():
        pytest.skip("needs Chromium")
    server = LiveServer("localhost", start=False)
    server.thread.static_handler = lambda application: application
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def browser(production_static: None) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if not path:
        pytest.skip("needs Chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh phone: its own cookies, storage, caches and service workers."""
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(phone: Any) -> Any:
    return phone.new_page()


@pytest.fixture
def desk(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh laptop browser at 1280 wide, for the coach's, the QI team's and the board's
    pages; ``desk.new_page()`` gives a tab."""
    context = browser.new_context(
        viewport=DESK,
        device_scale_factor=1,
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


def sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def screenshot(page: Any, name: str) -> Path:
    """Keep a picture of the page as a phone shows it (CI output, not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_accessibility_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page as it is now (WCAG 2.2 AA)."""
    if not AXE.exists():
        message = "needs axe-core from the npm registry: run `npm ci` (make install does)"
        if REQUIRE_SERVICES:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values:
              ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def assert_accessible(page: Any) -> None:
    violations = serious_accessibility_violations(page)
    assert not violations, json.dumps(violations, indent=2)


def outbox(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("() => JSON.parse(localStorage.getItem('ripple-outbox') || '[]')")


@pytest.fixture
def ward_team(transactional_db: None) -> dict[str, Any]:
    """A ward's falls project with a team, a driver diagram, an XmR and a p-chart measure
    with 15 months of data each, and a frontline nurse on the team."""
    nurse = UserFactory(email="sam.nurse@example.org", full_name="Sam Nurse", password=PASSWORD)
    unit = UnitFactory(name="Ward 9 Elderly Care")
    MembershipFactory(
        user=nurse,
        organisation=unit.organisation,
        role=Membership.Role.FRONTLINE,
        home_unit=unit,
    )
    project = ProjectFactory(
        organisation=unit.organisation,
        unit=unit,
        title="Fewer falls on Ward 9",
        aim_statement="Reduce inpatient falls on Ward 9 by 30% by March 2026.",
        status=Project.Status.ACTIVE,
    )
    ProjectMemberFactory(project=project, user=nurse, role=ProjectMember.Role.MEMBER)
    primary = DriverFactory(project=project, title="Staff know who is at risk")
    secondary = DriverFactory(
        project=project, kind=Driver.Kind.SECONDARY, parent=primary, title="Handover"
    )
    idea = ChangeIdeaFactory(project=project, title="Falls huddle at every handover")
    idea.drivers.add(secondary)
    falls = MeasureFactory(
        project=project,
        name="Falls per 1,000 bed days",
        type=Measure.Type.OUTCOME,
        chart_type=ChartType.XMR,
        frequency="monthly",
    )
    assessed = MeasureFactory(
        project=project,
        name="Patients with a falls risk assessment",
        type=Measure.Type.PROCESS,
        chart_type=ChartType.P,
        improvement_direction="increase",
        frequency="monthly",
    )
    periods = [datetime.date(2024 + month // 12, month % 12 + 1, 1) for month in range(15)]
    # Through the service, as the API writes them, so the measures' cached charts renew.
    data_points_upsert(
        measure=falls,
        by=nurse,
        rows=[
            {"period": period, "value": [7, 6, 8, 7, 9, 6, 7][index % 7]}
            for index, period in enumerate(periods)
        ],
    )
    data_points_upsert(
        measure=assessed,
        by=nurse,
        rows=[
            {"period": period, "numerator": 20 + index, "denominator": 40}
            for index, period in enumerate(periods)
        ],
    )
    return {
        "nurse": nurse,
        "project": project,
        "idea": idea,
        "falls": falls,
        "assessed": assessed,
    }


def user_named(email: str) -> User:
    return User.objects.get(email=email)
