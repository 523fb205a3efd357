"""Every phone page: it works with a keyboard and a screen reader (axe-core finds nothing
serious or critical), and a picture of it at 390x844 is kept for a person to look at."""

from __future__ import annotations

import re

import pytest

from pdsa.models import Cycle
from pdsa.services import cycle_create
from tests.factories import NotificationFactory
from tests.pages.conftest import (
    assert_accessible,
    screenshot,
    serious_accessibility_violations,
    sign_in,
)

pytestmark = pytest.mark.browser


def _look(page, name: str) -> None:
    screenshot(page, name)
    assert_accessible(page)


def test_a_cycle_moves_through_do_study_and_act_with_errors_beside_their_fields(page, ward_team):
    cycle, _ = cycle_create(
        by=ward_team["nurse"],
        project=ward_team["project"],
        title="Falls huddle on Ward 9",
        objective="Find out if a 2-minute huddle fits into handover.",
        change_idea=ward_team["idea"],
        questions=[{"question": "Does it take under 2 minutes?", "prediction": "Yes, most days"}],
    )
    sign_in(page, ward_team["nurse"].email)
    page.goto(f"/cycles/{cycle.pk}/")
    _look(page, "cycle-1-plan")
    page.get_by_role("button", name="Save and start the test").click()

    page.get_by_label("What happened?").fill("Ran it at four handovers; one overran.")
    _look(page, "cycle-2-do")
    page.get_by_role("button", name="Save and move to Study").click()

    page.get_by_label("What did you learn?").fill("It fits when the nurse in charge leads.")
    page.get_by_role("button", name="Save and move to Act").click()
    result = page.get_by_label("Result for question 1")
    group = page.locator(".nhsuk-form-group--error", has=result)
    group.get_by_text("Write the result for question 1").wait_for()
    assert page.get_by_text("You predicted: Yes, most days").is_visible()
    _look(page, "cycle-3-study-with-errors")
    result.fill("Three of four under 2 minutes")
    page.get_by_role("button", name="Save and move to Act").click()

    page.get_by_role("heading", name="Act").wait_for()
    page.get_by_label("Adapt").check()
    page.get_by_role("button", name="Finish cycle").click()
    page.locator(".nhsuk-form-group--error", has=page.get_by_label("Next steps")).get_by_text(
        re.compile("next steps")
    ).wait_for()
    _look(page, "cycle-4-act-with-errors")
    page.get_by_label("Adopt").check()
    page.get_by_role("button", name="Finish cycle").click()

    page.get_by_text("Cycle 1 moved to Done.").wait_for()
    _look(page, "cycle-5-done")
    cycle.refresh_from_db()
    assert (cycle.stage, cycle.decision) == (Cycle.Stage.DONE, Cycle.Decision.ADOPT)
    assert [q.result for q in cycle.questions.all()] == ["Three of four under 2 minutes"]


def test_every_other_page_is_accessible_and_pictured(page, ward_team):
    nurse, project = ward_team["nurse"], ward_team["project"]
    NotificationFactory(
        recipient=nurse,
        organisation=project.organisation,
        project=project,
        title="A real improvement on Ward 9",
        body="Falls per 1,000 bed days show a sustained improvement.",
    )
    page.goto("/accounts/login/")
    _look(page, "sign-in")
    sign_in(page, nurse.email)

    page.get_by_role("link", name=re.compile("Notifications")).get_by_text("1").wait_for()
    _look(page, "my-projects")

    page.get_by_role("link", name=project.title).click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.ripple-chart')].every(i => i.naturalWidth > 0)"
    )
    _look(page, "project")

    page.get_by_role("button", name="Log a PDSA cycle").click()
    page.get_by_role("heading", name="Log a PDSA cycle").wait_for()
    _look(page, "quick-log")

    page.goto(f"/data/new/?measure={ward_team['falls'].pk}")
    assert page.get_by_label("Value", exact=True).is_visible()
    _look(page, "data-point-value")
    page.get_by_label("Measure", exact=True).select_option(str(ward_team["assessed"].pk))
    assert page.get_by_label("Numerator", exact=True).is_visible()
    assert not page.get_by_label("Value", exact=True).is_visible()
    _look(page, "data-point-ratio")

    page.goto("/notifications/")
    page.get_by_text("A real improvement on Ward 9").wait_for()
    _look(page, "notifications")

    page.goto("/offline/")
    _look(page, "offline")


def test_the_pages_fit_a_320_pixel_screen(page, ward_team):
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, ward_team["nurse"].email)
    for path in (
        "/",
        f"/projects/{ward_team['project'].pk}/",
        f"/cycles/new/?project={ward_team['project'].pk}",
        f"/data/new/?measure={ward_team['assessed'].pk}",
    ):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    screenshot(page, "data-point-320px")


def test_the_accessibility_check_does_find_problems(page, live_server):
    # Guards the guard: a page with an unlabelled field and no landmarks must fail it.
    page.goto(f"{live_server.url}/offline/")
    page.set_content("<html><body><input type='text'><img src='x.png'></body></html>")

    found = {violation["id"] for violation in serious_accessibility_violations(page)}

    assert {"label", "image-alt", "html-has-lang"} <= found
