"""When the Wi-Fi drops: what was saved on the phone reaches the server exactly once."""

from __future__ import annotations

import datetime

import pytest

from pdsa.models import Cycle
from projects.models import DataPoint
from tests.pages.conftest import outbox, screenshot, sign_in

pytestmark = pytest.mark.browser


def _resend(page, item) -> dict:
    """Send a kept submission again by hand, as a phone would whose first answer was lost."""
    return page.evaluate(
        """async (item) => {
            const csrf = document.cookie.split('; ').find((c) => c.startsWith('csrftoken='));
            const response = await fetch(item.url, {
                method: 'POST', body: item.body, credentials: 'same-origin',
                headers: {'Content-Type': 'application/x-www-form-urlencoded',
                          'Idempotency-Key': item.key, 'X-CSRFToken': csrf.split('=')[1]}});
            return {status: response.status, url: response.url};
        }""",
        item,
    )


def test_a_cycle_saved_offline_reaches_the_server_once_when_the_connection_returns(
    page, phone, ward_team
):
    project = ward_team["project"]
    sign_in(page, ward_team["nurse"].email)
    page.goto(f"/cycles/new/?project={project.pk}")

    phone.set_offline(True)
    page.get_by_label("Title", exact=True).fill("Huddle on nights")
    page.get_by_label("Question", exact=True).fill("Do nights have time for it?")
    page.get_by_label("Prediction", exact=True).fill("Yes, at 10pm.")
    page.get_by_role("button", name="Save cycle").click()

    status = page.get_by_role("status")
    status.get_by_text("Waiting to send (1)").wait_for()
    page.get_by_text("Saved on this phone").wait_for()
    screenshot(page, "quick-log-saved-offline")
    kept = outbox(page)
    assert len(kept) == 1 and kept[0]["key"]
    assert not Cycle.objects.exists()

    phone.set_offline(False)
    # Ask the database only once the page is done: with SQLite in memory the live server
    # shares the test's connection, which two threads must not use at once.
    status.get_by_text("Sent: 1 saved on this phone.").wait_for()
    assert outbox(page) == []
    assert Cycle.objects.filter(project=project).count() == 1

    # The answer to that send could have been lost on the way back: sending the same
    # submission again with its key replays the first answer and saves nothing new.
    again = _resend(page, kept[0])
    cycle = Cycle.objects.get(project=project)
    assert again == {"status": 200, "url": f"{page.url.split('/cycles')[0]}/cycles/{cycle.pk}/"}
    assert Cycle.objects.filter(project=project).count() == 1
    assert cycle.title == "Huddle on nights"
    assert [q.prediction for q in cycle.questions.all()] == ["Yes, at 10pm."]


def test_a_data_point_saved_offline_reaches_the_server_once_when_the_connection_returns(
    page, phone, ward_team
):
    falls = ward_team["falls"]
    sign_in(page, ward_team["nurse"].email)
    page.goto(f"/data/new/?measure={falls.pk}")
    before = DataPoint.objects.filter(measure=falls).count()

    phone.set_offline(True)
    page.get_by_label("Period", exact=True).fill("2025-04-01")
    page.get_by_label("Value", exact=True).fill("5")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("status").get_by_text("Waiting to send (1)").wait_for()
    kept = outbox(page)
    assert DataPoint.objects.filter(measure=falls).count() == before

    # Offline, the phone can still open another page it has seen, and the outbox waits.
    page.reload()
    page.get_by_role("status").get_by_text("Waiting to send (1)").wait_for()

    phone.set_offline(False)
    page.get_by_role("status").get_by_text("Sent: 1 saved on this phone.").wait_for()
    assert DataPoint.objects.filter(measure=falls).count() == before + 1
    assert _resend(page, kept[0])["status"] == 200
    assert DataPoint.objects.filter(measure=falls).count() == before + 1
    assert DataPoint.objects.get(measure=falls, period=datetime.date(2025, 4, 1)).value == 5


def test_a_page_opened_before_opens_again_offline(page, phone, ward_team):
    project = ward_team["project"]
    sign_in(page, ward_team["nurse"].email)
    page.goto(f"/projects/{project.pk}/")
    page.evaluate("() => navigator.serviceWorker.ready")
    page.reload()  # now under the worker's control, which keeps a copy of the page
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    phone.set_offline(True)
    page.reload()
    page.get_by_role("heading", name=project.title, level=1).wait_for()
    page.goto("/notifications/")
    page.get_by_role("heading", name="You are offline").wait_for()
    screenshot(page, "offline-page-not-seen-before")


def test_a_submission_refused_when_sent_later_is_kept_to_put_right(page, phone, ward_team):
    sign_in(page, ward_team["nurse"].email)
    page.goto(f"/cycles/new/?project={ward_team['project'].pk}")

    phone.set_offline(True)
    page.get_by_label("Title", exact=True).fill("Huddle for bed 3")
    page.get_by_label("Question", exact=True).fill("Does it help?")
    page.get_by_label("Prediction", exact=True).fill("Yes for NHS no. 943 476 5919")
    page.get_by_role("button", name="Save cycle").click()
    page.get_by_role("status").get_by_text("Waiting to send (1)").wait_for()
    phone.set_offline(False)

    page.get_by_role("status").get_by_text("Not sent: 1").wait_for()
    screenshot(page, "outbox-refused")
    page.get_by_role("button", name="Check what could not be sent (1)").click()
    prediction = page.get_by_label("Prediction", exact=True)
    page.locator(".nhsuk-form-group--error", has=prediction).get_by_text(
        "This looks like it contains an NHS number"
    ).wait_for()
    assert page.get_by_label("Title", exact=True).input_value() == "Huddle for bed 3"
    assert not Cycle.objects.exists()

    prediction.fill("Yes, for most patients")
    page.get_by_role("button", name="Save cycle").click()
    page.get_by_role("heading", name="Huddle for bed 3").wait_for()
    assert Cycle.objects.get().questions.get().prediction == "Yes, for most patients"
