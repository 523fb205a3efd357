"""Spread, learning and wins in a real browser, on the demo data a fresh ``make run`` seeds:
the QI team's review at a desk, a nurse on her phone, and a thank-you that reaches a team.
Every page is checked with axe-core at 1280x800 and 390x844 and pictured."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from backend.demo import DEMO_PASSWORD
from backend.models import Unit
from notifications.models import Kind, Notification, Thanks
from pdsa.models import Cycle
from spread.models import Adoption, SpreadCandidate, SpreadOffer, SpreadTarget
from tests.pages.conftest import (
    assert_accessible,
    follow_header_link,
    screenshot,
    sign_in,
    user_named,
)

pytestmark = pytest.mark.browser

QI, NURSE, PARTNER = "qi@demo.example", "nurse@demo.example", "partner@demo.example"
BOOKLET = "Falls prompt in the admission booklet"
SEPSIS = "Sepsis screening tool at triage"
ROUNDING = "Intentional rounding with a call-bell check"


@pytest.fixture
def demo(transactional_db):
    """The demo data, as ``make run`` seeds it."""
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _look(page, name: str) -> None:
    screenshot(page, name)
    assert_accessible(page)


def _candidate(title: str) -> SpreadCandidate:
    return SpreadCandidate.objects.get(change_idea__title=title)


def test_the_qi_team_approves_a_proven_change_declines_one_and_targets_wards(desk, demo):
    page = desk.new_page()
    sign_in(page, QI, DEMO_PASSWORD)
    follow_header_link(page, "Spread")
    page.get_by_role("heading", name="Changes for spread").wait_for()
    _look(page, "spread-1-queue-desk")

    page.get_by_role("link", name=BOOKLET).click()
    page.get_by_role("heading", name="The evidence").wait_for()
    assert page.get_by_text("counts as proof that the change worked there").is_visible()
    _look(page, "spread-2-candidate-proof-desk")
    page.get_by_role("button", name="Approve for spread").click()
    page.get_by_text(f"Approved for spread: {BOOKLET}").wait_for()
    assert _candidate(BOOKLET).status == SpreadCandidate.Status.APPROVED

    page.get_by_role("link", name="Changes for spread").click()
    page.get_by_role("link", name=re.compile(r"^Early promise")).click()
    page.get_by_role("link", name=SEPSIS).click()
    assert page.get_by_text("it is early promise, not proof").is_visible()
    page.get_by_role("button", name="Decline").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    _look(page, "spread-3-decline-without-a-reason-desk")
    reason = "No change in time to antibiotics yet; bring it back with six more months of data."
    page.get_by_label("Why is it declined?").fill(reason)
    page.get_by_role("button", name="Decline").click()
    page.get_by_text(f"Declined: {SEPSIS}").wait_for()
    declined = _candidate(SEPSIS)
    assert (declined.status, declined.decline_reason) == ("declined", reason)
    assert declined.history.first().history_user == user_named(QI)

    page.goto(f"/spread/{_candidate(BOOKLET).pk}/")
    page.get_by_role("link", name="Choose where it goes next").click()
    page.get_by_role("heading", name="Where it could go next").wait_for()
    assert page.get_by_text(re.compile(r"Same specialty: elderly care")).first.is_visible()
    _look(page, "spread-4-where-next-desk")
    page.get_by_label("Target Ward 10 Elderly Care").check()
    due = timezone.localdate() + timedelta(days=90)
    page.get_by_label("By when? (optional)").fill(due.isoformat())
    page.get_by_role("button", name="Set targets").click()
    page.get_by_text(f"Targeted Ward 10 Elderly Care by {due:%-d %B %Y}.").wait_for()
    target = SpreadTarget.objects.get(candidate=_candidate(BOOKLET))
    assert (target.unit.name, target.due_by) == ("Ward 10 Elderly Care", due)

    ward10 = re.compile("Offer to this ward.*Ward 10 Elderly Care")
    page.get_by_role("button", name=ward10).click()
    page.get_by_text("Offered to Ward 10 Elderly Care. Its team has been told.").wait_for()
    offer = SpreadOffer.objects.get(candidate=_candidate(BOOKLET))
    told = Notification.objects.filter(kind=Kind.SPREAD_OFFER, subject_id=offer.pk)
    # Ward 10 is the home of hca@demo.example.
    assert user_named("hca@demo.example").pk in told.values_list("recipient", flat=True)
    _look(page, "spread-5-targeted-and-offered-desk")

    page.get_by_role("link", name="Adoption and reach").click()
    page.get_by_role("heading", name="Reach by division").wait_for()
    _look(page, "spread-6-reach-desk")


def test_the_nurse_finds_an_abandoned_idea_and_adopts_a_change_from_her_wards_page(page, demo):
    sign_in(page, NURSE, DEMO_PASSWORD)
    follow_header_link(page, "Learning")
    page.get_by_label("What are you looking for?").fill("habit")
    page.get_by_role("button", name="Search").click()
    result = page.locator(
        "section", has=page.get_by_role("heading", name="Review bed rail use daily")
    )
    result.wait_for()
    assert result.get_by_text("Abandoned", exact=True).is_visible()
    assert result.get_by_text(re.compile("out of habit")).first.is_visible()
    _look(page, "learning-1-search-phone")

    page.get_by_role("link", name="Our ward", exact=True).click()
    page.get_by_role("heading", name="Ward 7 Elderly Care").wait_for()
    card = page.locator(".nhsuk-card", has=page.get_by_role("link", name=ROUNDING))
    assert card.get_by_text(re.compile("Same kind of unit: ward")).is_visible()
    _look(page, "ward-1-suggestions-phone")
    card.get_by_role("button", name=re.compile("Adopt this on our ward")).click()

    page.get_by_text(re.compile("Ward 7 Elderly Care is taking up")).wait_for()
    adoption = Adoption.objects.get(candidate__change_idea__title=ROUNDING)
    assert adoption.unit.name == "Ward 7 Elderly Care"
    assert re.search(rf"/projects/{adoption.project_id}/$", page.url)
    page.get_by_role("heading", name=f"{ROUNDING}: Ward 7 Elderly Care").wait_for()
    assert page.get_by_role("link", name=re.compile("Adapt to our context")).is_visible()
    _look(page, "ward-2-adopted-project-phone")


def test_a_nurse_uses_another_wards_cycle_in_her_project(page, demo):
    sign_in(page, NURSE, DEMO_PASSWORD)
    page.goto("/learning/?q=card")
    result = page.locator(
        "section", has=page.get_by_role("heading", name="Eat-and-drink card after theatre")
    ).first  # Ward 12's, and the copy Ward 14 took up
    result.get_by_role("link", name=re.compile("Use this in my project")).click()
    page.get_by_label("Which of your projects?").select_option(label="Falls huddle at handover")
    _look(page, "learning-2-use-this-phone")
    page.get_by_role("button", name="Copy into my project").click()
    page.get_by_text(re.compile(r"Cycle \d+ is in your project")).wait_for()
    copy = Cycle.objects.filter(cloned_from__isnull=False).get()
    assert copy.project.title == "Falls huddle at handover" and copy.stage == "plan"


def test_anyone_thanks_a_team_from_the_wins_page_and_the_team_is_notified(page, demo):
    sign_in(page, PARTNER, DEMO_PASSWORD)
    follow_header_link(page, "Wins")
    page.get_by_role("heading", name="Wins", exact=True).wait_for()
    _look(page, "wins-1-phone")
    win = page.locator(".ripple-win").filter(has_text="Eat-and-drink card").first
    win.get_by_role("link", name=re.compile("Say thank you")).click()
    _look(page, "wins-2-thank-phone")
    page.get_by_label("Your message").fill("Patients on my ward noticed the difference.")
    page.get_by_role("button", name="Send thanks").click()
    page.get_by_text(re.compile(r"Thanks sent to the .* team\.")).wait_for()

    thanks = Thanks.objects.get(sender=user_named(PARTNER))
    told = Notification.objects.filter(kind=Kind.THANKS, subject_id=thanks.pk)
    assert told.exists()
    team = set(thanks.project.members.values_list("user_id", flat=True))
    assert set(told.values_list("recipient", flat=True)) == team - {user_named(PARTNER).pk}
    assert page.get_by_text("Patients on my ward noticed the difference.").is_visible()


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_every_new_page_is_accessible_and_pictured(request, demo, size):
    context = request.getfixturevalue(size)
    booklet = _candidate(BOOKLET)
    ward7 = Unit.objects.get(name="Ward 7 Elderly Care")
    cycle = Cycle.objects.filter(project__title="Eating and drinking on the day of surgery").first()
    win = Notification.objects.filter(kind=Kind.SIGNAL).first()
    pages = {
        QI: {
            "queue": "/spread/?state=approved",
            "candidate": f"/spread/{_candidate('Falls huddle at handover').pk}/",
            "candidate-early-promise": f"/spread/{_candidate(SEPSIS).pk}/",
            "candidate-declined": f"/spread/{_candidate('SSKIN board at each bay').pk}/",
            "where-next": f"/spread/{booklet.pk}/wards/",
            "reach": f"/spread/{_candidate('Falls huddle at handover').pk}/reach/",
            "package": f"/spread/{booklet.pk}/package/",
            "nudge-settings": "/settings/nudges/",
            "units": "/units/",
        },
        NURSE: {
            "ward": f"/units/{ward7.pk}/",
            "learning": "/learning/?q=falls",
            "use-cycle": f"/learning/cycles/{cycle.pk}/use/",
            "wins": "/wins/",
            "thank": f"/wins/{win.pk}/thank/",
        },
    }
    for email, urls in pages.items():
        page = context.new_page()
        sign_in(page, email, DEMO_PASSWORD)
        for name, url in urls.items():
            page.goto(url)
            assert page.locator("h1").count() == 1, url
            _look(page, f"spread-page-{name}-{size}")
        page.close()
