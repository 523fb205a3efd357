"""The quick log on a phone: fast to fill in, honest about errors, light to download."""

from __future__ import annotations

import re

import pytest

from backend import demo
from backend.demo import DEMO_PASSWORD
from pdsa.models import Cycle
from projects.models import Project, ProjectMember
from tests.factories import ChangeIdeaFactory, ProjectFactory, ProjectMemberFactory
from tests.pages.conftest import PHONE, assert_accessible, screenshot, sign_in, user_named

pytestmark = pytest.mark.browser

QUICK_LOG_BUDGET_BYTES = 100 * 1024


def test_the_demo_nurse_signs_in_and_logs_a_cycle_in_five_taps(page, transactional_db):
    # The demo's people and wards (backend's demo); the other apps' demo projects are not
    # what this test is about, so it brings a project of its own for the nurse.
    demo.seed()
    nurse = user_named("nurse@demo.example")
    home = nurse.memberships.first().home_unit
    project = ProjectFactory(
        organisation=home.organisation, unit=home, title="Quicker discharge letters"
    )
    ProjectMemberFactory(project=project, user=nurse, role=ProjectMember.Role.LEAD)
    idea = ChangeIdeaFactory(project=project, title="Letters drafted at the board round")

    sign_in(page, "nurse@demo.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Quicker discharge letters").click()
    page.get_by_role("link", name=re.compile(rf"Test this idea\s*: {idea.title}")).click()
    expect_form = page.get_by_role("heading", name="Log a PDSA cycle")
    expect_form.wait_for()
    assert page.get_by_label("Project", exact=True).input_value() == str(project.pk)
    assert page.get_by_label("Change idea", exact=True).input_value() == str(idea.pk)

    actions = [
        lambda: page.get_by_label("Title", exact=True).fill("Draft at the 9am board round"),
        lambda: page.get_by_label("Objective", exact=True).fill(
            "See if letters are ready by 11am."
        ),
        lambda: page.get_by_label("Question", exact=True).fill("How many letters are ready?"),
        lambda: page.get_by_label("Prediction", exact=True).fill("Four of the six."),
        lambda: page.get_by_role("button", name="Save cycle").click(),
    ]
    for action in actions:
        action()
    page.get_by_role("heading", name="Draft at the 9am board round").wait_for()

    assert len(actions) <= 5
    cycle = Cycle.objects.get(project=project)
    assert (cycle.title, cycle.change_idea, cycle.owner, cycle.stage) == (
        "Draft at the 9am board round",
        idea,
        nurse,
        Cycle.Stage.PLAN,
    )
    assert [(q.question, q.prediction) for q in cycle.questions.all()] == [
        ("How many letters are ready?", "Four of the six.")
    ]
    assert re.search(rf"/cycles/{cycle.pk}/$", page.url)


def test_a_field_error_shows_beside_its_field(page, ward_team):
    sign_in(page, ward_team["nurse"].email)
    page.goto(f"/cycles/new/?project={ward_team['project'].pk}")
    page.get_by_label("Objective", exact=True).fill("Try it on nights")
    page.get_by_role("button", name="Save cycle").click()

    title_group = page.locator(
        ".nhsuk-form-group--error", has=page.get_by_label("Title", exact=True)
    )
    title_group.get_by_text("Enter a title for the cycle").wait_for()
    summary = page.locator(".nhsuk-error-summary")
    assert (
        summary.get_by_role("link", name="Enter a title for the cycle").get_attribute("href")
        == "#id_title"
    )
    assert (
        page.get_by_label("Title", exact=True)
        .get_attribute("aria-describedby")
        .endswith("id_title-error")
    )
    assert page.get_by_label("Objective", exact=True).input_value() == "Try it on nights"
    assert page.title().startswith("Error:")
    assert not Cycle.objects.exists()
    screenshot(page, "quick-log-with-errors")
    assert_accessible(page)


def test_the_quick_log_page_downloads_in_under_100_kb(page, phone, live_server, ward_team):
    sign_in(page, ward_team["nurse"].email)
    # A phone opening the quick log for the first time: nothing cached yet.
    fresh = phone.browser.new_context(viewport=PHONE, base_url=live_server.url)
    fresh.add_cookies(phone.cookies())
    quick_log = fresh.new_page()
    # Bytes on the wire as Chromium counts them (headers and the body as compressed).
    devtools = fresh.new_cdp_session(quick_log)
    devtools.send("Network.enable")
    urls: dict[str, str] = {}
    transferred: dict[str, int] = {}
    devtools.on(
        "Network.responseReceived", lambda e: urls.update({e["requestId"]: e["response"]["url"]})
    )
    devtools.on(
        "Network.loadingFinished",
        lambda e: transferred.update(
            {urls.get(e["requestId"], e["requestId"]): int(e["encodedDataLength"])}
        ),
    )
    # The service worker's own fetches (its script, the offline page) count too.
    by_worker: dict[str, int] = {}

    def count_worker(request) -> None:
        if request.service_worker is not None:
            sizes = request.sizes()
            # Chromium reports no body size for the worker's script itself; the body as
            # received (these responses are not compressed) stands in for it.
            body = max(sizes["responseBodySize"], len(request.response().body()))
            by_worker[request.url] = body + sizes["responseHeadersSize"]

    fresh.on("requestfinished", count_worker)
    quick_log.goto(f"/cycles/new/?project={ward_team['project'].pk}", wait_until="networkidle")
    quick_log.wait_for_timeout(500)
    fresh.close()
    for url, size in by_worker.items():
        transferred.setdefault(url, size)

    total = sum(transferred.values())
    print(f"\nquick-log page transfer: {total} bytes over {len(transferred)} requests")
    for url, size in sorted(transferred.items(), key=lambda item: -item[1]):
        print(f"  {size:>7}  {url}")
    assert any(url.endswith(".css") for url in transferred)
    assert total < QUICK_LOG_BUDGET_BYTES, transferred


def test_pages_need_sign_in(page, ward_team):
    page.goto(f"/projects/{ward_team['project'].pk}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Email address", exact=True).fill(ward_team["nurse"].email)
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Enter the email address and password you use for Ripple").first.wait_for()
    screenshot(page, "sign-in-with-errors")
    assert_accessible(page)
    page.get_by_label("Password", exact=True).fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=ward_team["project"].title).wait_for()
    assert Project.objects.count() == 1


def test_the_quick_log_works_with_a_keyboard_alone(page, ward_team):
    sign_in(page, ward_team["nurse"].email)
    page.goto(f"/cycles/new/?project={ward_team['project'].pk}")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    page.wait_for_url("**#maincontent")
    for _ in range(12):  # from the top of the main content to the title, by Tab alone
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_title":
            break
    page.keyboard.type("Keyboard-only test")
    for text in ("Objective typed", "Question typed", "Prediction typed"):
        page.keyboard.press("Tab")
        page.keyboard.type(text)
    # Past the start date (its day, month and year, and its picker) and the measures,
    # which keep what they were given, to the button.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Save cycle":
            break
    assert page.evaluate("document.activeElement.textContent.trim()") == "Save cycle"
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Keyboard-only test").wait_for()
    cycle = Cycle.objects.get()
    assert (cycle.objective, cycle.questions.get().prediction) == (
        "Objective typed",
        "Prediction typed",
    )
