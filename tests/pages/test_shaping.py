"""Starting and shaping a project on pages, on a phone, from nothing to a spread candidate.

A frontline nurse with no project registers one (and is shown a similar project and a
change another ward tried), the coach approves it, the nurse builds the driver diagram,
adds a measure from the library, pastes 20 months of data and logs a cycle testing the
change idea; the cycle is marked on the measure's chart. The data show special-cause
improvement since the change started, the team adopts it, and it becomes a spread
candidate. Every step is a page; every page is checked with axe-core.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from backend import demo
from backend.demo import DEMO_PASSWORD
from backend.models import Organisation, Unit
from pdsa.models import Cycle
from projects.models import ChangeIdea, DataPoint, Measure, Project, ProjectMember
from projects.services import aim_create, measure_definition_create
from spread.models import SpreadCandidate
from tests.factories import ChangeIdeaFactory, ProjectFactory, ProjectMemberFactory
from tests.pages.conftest import assert_accessible, screenshot, sign_in, user_named

pytestmark = pytest.mark.browser

FALLS = "Inpatient falls per 1,000 bed days"
# Falls per month (and bed days in thousands): a year around 8, then 8 months around 4
# once the change is in: a shift below the centre line since the change started.
BEFORE = [(8, 1.00), (7, 0.95), (9, 1.05), (8, 1.00), (7, 0.98), (8, 1.02), (9, 1.00),
          (8, 0.97), (7, 1.01), (8, 1.00), (9, 1.03), (8, 0.99)]  # fmt: skip
AFTER = [(4, 1.00), (3, 0.98), (4, 1.02), (5, 1.00), (4, 0.97), (3, 1.01), (4, 1.00), (4, 0.99)]


def months_ending_last_month(count: int) -> list[date]:
    first = date.today().replace(day=1)
    months = []
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


@pytest.fixture
def demo_trust(transactional_db):
    """Demo Trust (which approves new projects) with its people and wards, a bold aim, a
    measure in its library, and Ward 10's falls project with a change it adopted."""
    demo.seed()
    trust = Organisation.objects.get(slug="demo-trust")
    qi = user_named("qi@demo.example")
    aim_create(by=qi, organisation=trust, title="Zero avoidable harm", quality_dimensions=["safe"])
    measure_definition_create(
        by=qi,
        organisation=trust,
        name=FALLS,
        operational_definition="Falls reported on the ward, per 1,000 occupied bed days.",
        numerator_definition="Inpatient falls (Datix)",
        denominator_definition="Occupied bed days, in thousands",
        unit="per 1,000 bed days",
        improvement_direction="decrease",
        chart_type="u",
        frequency="monthly",
    )
    ward10 = Unit.objects.get(organisation=trust, name="Ward 10 Elderly Care")
    earlier = ProjectFactory(
        organisation=trust,
        unit=ward10,
        title="Falls huddle at handover",
        aim_statement="Reduce falls at night on Ward 10 by a third.",
        status=Project.Status.ACTIVE,
    )
    ProjectMemberFactory(
        project=earlier, user=user_named("hca@demo.example"), role=ProjectMember.Role.LEAD
    )
    ChangeIdeaFactory(
        project=earlier,
        title="Toilet offered at the 2am check",
        status=ChangeIdea.Status.ADOPTED,
        learning="Offering the toilet at the night check cut falls at night by half.",
    )
    return {"trust": trust, "earlier": earlier}


def _wait_for_message(page, text: str) -> None:
    page.locator(".nhsuk-notification-banner", has_text=text).wait_for()


def test_a_nurse_starts_a_project_on_a_phone_and_its_change_becomes_a_spread_candidate(
    browser, live_server, demo_trust
):
    months = months_ending_last_month(len(BEFORE) + len(AFTER))
    change_started = months[len(BEFORE)]

    def phone():
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=1,
            is_mobile=True,
            has_touch=True,
            base_url=live_server.url,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.set_default_timeout(15_000)
        return context

    nurse_phone, coach_phone = phone(), phone()
    page = nurse_phone.new_page()

    # 1. The nurse has no project yet, and registers one.
    sign_in(page, "nurse@demo.example", DEMO_PASSWORD)
    page.get_by_text("You are not on the team of any active project yet").wait_for()
    page.get_by_role("link", name="Register a project").click()
    page.get_by_role("heading", name="Register a project").wait_for()
    page.get_by_label("What is the project called?").fill("Fewer falls at night on Ward 7")
    page.get_by_label("What is the problem?").fill(
        "Patients fall at night when they get up to go to the toilet alone."
    )
    aside = page.locator("#ripple-tried-before")
    similar = aside.get_by_role("link", name="Falls huddle at handover")
    similar.wait_for()
    tried = aside.get_by_role("link", name="Toilet offered at the 2am check")
    tried.wait_for()
    assert aside.get_by_text("Adopted").count() == 1
    screenshot(page, "shaping-01-register-tried-before")
    # The person registering can open them (without losing what they typed).
    for link in (similar, tried):
        opened = page.request.get(link.get_attribute("href"))
        assert opened.ok and "Falls huddle at handover" in opened.text()
    page.get_by_label("What will you improve?").fill("reduce falls at night on Ward 7")
    page.get_by_label("By how much? (optional)").fill("by half")
    page.get_by_label("Where is it now? (optional)").fill("8")
    page.get_by_label("Where do you want it to be? (optional)").fill("4")
    page.get_by_label("By when?").fill(f"{date.today().year + 1}-03-31")
    page.get_by_label(re.compile("Zero avoidable harm")).check()
    page.locator("[data-ripple-aim]").get_by_text("We will reduce falls at night").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Fewer falls at night on Ward 7").wait_for()
    project = Project.objects.get(title="Fewer falls at night on Ward 7")
    assert (project.status, project.approval) == ("proposed", "pending")
    assert project.aim_statement == (
        f"We will reduce falls at night on Ward 7 by half, from 8 to 4, by 31 March "
        f"{date.today().year + 1}."
    )
    page.get_by_text("Waiting for approval").wait_for()
    screenshot(page, "shaping-02-project-waiting")
    assert_accessible(page)

    # 2. The coach is told, and approves it.
    coach = coach_phone.new_page()
    sign_in(coach, "coach@demo.example", DEMO_PASSWORD)
    coach.goto("/notifications/")
    coach.get_by_role("link", name=f"Waiting for your approval: {project.title}").click()
    coach.get_by_role("link", name="Approve it or return it to the team").click()
    coach.get_by_role("heading", name=project.title).wait_for()
    screenshot(coach, "shaping-03-coach-approves")
    assert_accessible(coach)
    coach.get_by_label("Approve: the team can start testing").check()
    coach.get_by_role("button", name="Send your decision").click()
    _wait_for_message(coach, "You approved")
    project.refresh_from_db()
    assert (project.status, project.approval) == ("active", "approved")
    assert project.members.filter(user__email="coach@demo.example", role="coach").exists()

    # 3. The nurse builds the driver diagram with a change idea.
    page.goto(f"/projects/{project.pk}/")
    page.get_by_text("Waiting for approval").wait_for(state="detached")
    page.get_by_role("link", name="Build the driver diagram").click()
    page.get_by_role("heading", name="Driver diagram").wait_for()
    page.get_by_label("Primary driver").fill("Patients are safe when they get up at night")
    page.get_by_role("button", name="Add the primary driver").click()
    _wait_for_message(page, "Saved “Patients are safe")
    page.get_by_label("Secondary driver").fill("Toileting at night")
    page.get_by_role("button", name="Add the secondary driver").click()
    _wait_for_message(page, "Saved “Toileting at night")
    page.get_by_label("Change idea").fill("Offer the toilet at the 2am check")
    page.get_by_label("Toileting at night").check()
    page.get_by_role("button", name="Add the change idea").click()
    _wait_for_message(page, "Saved “Offer the toilet")
    screenshot(page, "shaping-04-driver-diagram")
    assert_accessible(page)
    idea = ChangeIdea.objects.get(project=project)
    assert [d.title for d in idea.drivers.all()] == ["Toileting at night"]

    # 4. A measure from the library.
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="Add a measure").click()
    page.get_by_label("Search the measure library").fill("falls")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=re.compile(rf"Use this measure\s*: {FALLS}")).click()
    page.locator(".nhsuk-inset-text").get_by_text("Falls reported on the ward").wait_for()
    assert page.get_by_label(re.compile("A count of events for an amount")).is_checked()
    screenshot(page, "shaping-05-measure-from-library")
    assert_accessible(page)
    page.get_by_role("button", name="Add the measure").click()
    _wait_for_message(page, f"Added “{FALLS}”")
    measure = Measure.objects.get(project=project)
    assert (measure.chart_type, measure.definition.name) == ("u", FALLS)

    # 5. 20 months pasted from a spreadsheet: first with a typo, which saves nothing.
    rows = [
        f"{month:%b %Y}\t{falls}\t{bed_days:.2f}"
        for month, (falls, bed_days) in zip(months, BEFORE + AFTER, strict=True)
    ]
    typo = rows.copy()
    typo[6] = typo[6].replace("\t9\t", "\tnine\t")
    page.get_by_label("Paste the cells").fill("\n".join(typo))
    page.get_by_role("button", name="Save all the values").click()
    summary = page.locator(".nhsuk-error-summary")
    summary.get_by_text("Row 7, count (numerator): A valid number is required.").wait_for()
    assert DataPoint.objects.filter(measure=measure).count() == 0
    screenshot(page, "shaping-06-paste-with-a-bad-row")
    page.get_by_label("Paste the cells").fill("\n".join(rows))
    page.get_by_role("button", name="Save all the values").click()
    _wait_for_message(page, "Saved 20 new values.")
    assert DataPoint.objects.filter(measure=measure).count() == 20
    screenshot(page, "shaping-07-data-saved")
    assert_accessible(page)

    # 6. A cycle testing the change idea, linked to the measure (ticked: an outcome).
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("button", name="Log a PDSA cycle").click()
    page.get_by_role("heading", name="Log a PDSA cycle").wait_for()
    assert page.get_by_label("Project", exact=True).input_value() == str(project.pk)
    measure_box = page.get_by_label(re.compile(f"{re.escape(FALLS)} \\(outcome\\)"))
    assert measure_box.is_checked()
    page.get_by_label("Change idea", exact=True).select_option(label=idea.title)
    page.get_by_label("Title", exact=True).fill("Toilet at 2am on bay A")
    page.get_by_label("Objective", exact=True).fill("Does offering the toilet at 2am stop falls?")
    page.get_by_label("Question", exact=True).fill("How many falls at night on bay A?")
    page.get_by_label("Prediction", exact=True).fill("None in the first week")
    page.get_by_label("When does the test start?").fill(change_started.isoformat())
    screenshot(page, "shaping-08-quick-log")
    assert_accessible(page)
    page.get_by_role("button", name="Save cycle").click()
    page.get_by_role("heading", name="Toilet at 2am on bay A").wait_for()
    cycle = Cycle.objects.get(project=project)
    assert list(cycle.measures.all()) == [measure] and cycle.change_idea == idea

    # 7. The cycle is on the measure's chart on the project page.
    page.goto(f"/projects/{project.pk}/")
    chart = page.locator(f"#measure-{measure.pk}-chart")
    chart.get_by_role("img", name=re.compile(f"Chart of {re.escape(FALLS)}, 20 points")).wait_for()
    chart.locator("summary").click()
    chart.get_by_role("link", name=f"PDSA 1: {cycle.title}").wait_for()
    svg = page.request.get(f"/api/v1/measures/{measure.pk}/chart.svg").text()
    assert f"PDSA 1 starts: {cycle.title}" in svg
    screenshot(page, "shaping-09-cycle-on-the-chart")
    assert_accessible(page)

    # 8. The data show improvement since the change started; the team adopts the change.
    page.goto(f"/cycles/{cycle.pk}/")
    page.get_by_role("button", name="Save and start the test").click()
    page.get_by_label("What happened?").wait_for()
    page.get_by_label("What happened?").fill("Offered at every 2am check on bay A.")
    page.get_by_label("When did the test start?").fill(change_started.isoformat())
    page.get_by_role("button", name="Save and move to Study").click()
    page.get_by_label("Result for question 1").fill("No falls at night on bay A.")
    page.get_by_label("What did you learn?").fill("Patients accept the offer; it is quick.")
    page.get_by_role("button", name="Save and move to Act").click()
    page.get_by_label("Adopt").check()
    screenshot(page, "shaping-10-act")
    page.get_by_role("button", name="Finish cycle").click()
    page.get_by_role("button", name="Log the next cycle").wait_for()
    candidate = SpreadCandidate.objects.get(change_idea=idea)
    assert candidate.evidence_strength == SpreadCandidate.EvidenceStrength.PROVEN
    assert candidate.evidence["rules"][0] == "shift"
    page.goto(f"/projects/{project.pk}/")
    page.locator("#driver-diagram ~ ul").get_by_text("Put forward for spread").wait_for()
    screenshot(page, "shaping-11-spread-candidate")
    nurse_phone.close()
    coach_phone.close()


@pytest.fixture
def shaped(demo_trust):
    """Ward 7's project with a team, a diagram, a measure with data and a rebase, a cycle
    with a task and a photo; and a project waiting for approval."""
    from pdsa.services import cycle_create, cycle_file_add
    from projects.services import (
        change_idea_create,
        data_points_upsert,
        driver_create,
        measure_create,
        project_approve,
        project_create,
        project_file_add,
        rebase_create,
    )
    from tests.backend.test_uploads import MINIMAL_PDF, photo_with_location, upload

    nurse, coach = user_named("nurse@demo.example"), user_named("coach@demo.example")
    trust = demo_trust["trust"]
    ward7 = Unit.objects.get(organisation=trust, name="Ward 7 Elderly Care")
    project = project_create(by=nurse, unit=ward7, title="Fewer falls on Ward 7",
                             aim_statement="We will halve falls on Ward 7.")  # fmt: skip
    project = project_approve(by=coach, project=project)
    primary = driver_create(by=nurse, project=project, kind="primary", title="Safe at night")
    secondary = driver_create(
        by=nurse, project=project, kind="secondary", title="Toileting", parent=primary
    )
    idea = change_idea_create(
        by=nurse, project=project, title="Toilet at the 2am check", drivers=[secondary]
    )
    measure = measure_create(
        by=nurse, project=project, name="Falls", chart_type="c", improvement_direction="decrease"
    )
    months = months_ending_last_month(14)
    data_points_upsert(
        measure=measure,
        by=nurse,
        rows=[{"period": m, "value": v} for m, v in zip(months, [6, 7, 5, 6, 8, 6, 7, 5, 6, 7,
                                                                   3, 2, 3, 2], strict=True)],
    )  # fmt: skip
    rebase_create(by=nurse, measure=measure, starts_on=months[10], reason="Night checks began")
    cycle, _ = cycle_create(
        by=nurse, project=project, title="2am check on bay A", change_idea=idea,
        objective="Does it stop falls?", planned_start=months[10], measures=[measure],
        tasks=[{"what": "Tell the night staff", "who": "Priya"}],
    )  # fmt: skip
    cycle_file_add(by=nurse, cycle=cycle, upload=upload(photo_with_location()), caption="Bay A")
    project_file_add(
        by=nurse,
        project=project,
        upload=upload(MINIMAL_PDF, "poster.pdf", "application/pdf"),
        caption="Poster",
    )
    waiting = project_create(
        by=user_named("hca@demo.example"),
        unit=Unit.objects.get(organisation=trust, name="Ward 10 Elderly Care"),
        title="Safer mealtimes",
        problem="Choking risk at lunch.",
    )
    return {"project": project, "measure": measure, "cycle": cycle, "waiting": waiting}


@pytest.mark.parametrize("size", ["phone", "desk"])
def test_every_shaping_page_reads_well_at_a_phone_and_a_desk(size, request, shaped):
    context = request.getfixturevalue(size)
    page = context.new_page()
    project, measure, cycle = shaped["project"], shaped["measure"], shaped["cycle"]
    as_nurse = [
        ("register", "/projects/new/"),
        ("project", f"/projects/{project.pk}/"),
        ("team", f"/projects/{project.pk}/team/"),
        ("diagram", f"/projects/{project.pk}/diagram/"),
        ("measure-library", f"/projects/{project.pk}/measures/new/?q=falls"),
        ("measure-new", f"/projects/{project.pk}/measures/new/?new=1"),
        ("data", f"/measures/{measure.pk}/data/"),
        ("project-files", f"/projects/{project.pk}/files/"),
        ("quick-log", f"/cycles/new/?project={project.pk}"),
        ("next-cycle", f"/cycles/new/?after={cycle.pk}"),
        ("cycle", f"/cycles/{cycle.pk}/"),
        ("cycle-files", f"/cycles/{cycle.pk}/files/"),
    ]
    sign_in(page, "nurse@demo.example", DEMO_PASSWORD)
    for name, url in as_nurse:
        page.goto(url)
        page.locator("h1").wait_for()
        screenshot(page, f"shaping-{size}-{name}")
        assert_accessible(page)
    page.goto(f"/projects/{project.pk}/diagram/")
    page.locator("details.ripple-item__change").first.locator("summary").click()
    screenshot(page, f"shaping-{size}-diagram-change-open")
    assert_accessible(page)
    # The confirm step, as a phone whose preview never came back shows it.
    page.route("**/projects/new/preview/**", lambda route: route.abort())
    page.goto("/projects/new/")
    page.get_by_label("What is the project called?").fill("Falls at night")
    page.get_by_label("What is the problem?").fill("Falls when patients get up at night.")
    page.get_by_label("What will you improve?").fill("reduce falls at night")
    page.get_by_label("By when?").fill(f"{date.today().year + 1}-06-30")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check your project").wait_for()
    screenshot(page, f"shaping-{size}-register-confirm")
    assert_accessible(page)
    context.clear_cookies()
    sign_in(page, "coach@demo.example", DEMO_PASSWORD)
    page.goto(f"/projects/{shaped['waiting'].pk}/approval/")
    page.locator("h1").wait_for()
    screenshot(page, f"shaping-{size}-approval")
    assert_accessible(page)


def test_registering_without_javascript_shows_what_was_tried_on_a_confirm_step(
    browser, live_server, demo_trust
):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        base_url=live_server.url,
        java_script_enabled=False,
        locale="en-GB",
    )
    page = context.new_page()
    sign_in(page, "nurse@demo.example", DEMO_PASSWORD)
    page.goto("/projects/new/")
    page.get_by_label("What is the project called?").fill("Falls at night")
    page.get_by_label("What is the problem?").fill("Falls when patients get up at night.")
    page.get_by_label("What will you improve?").fill("reduce falls at night")
    page.get_by_label("By when?").fill(f"{date.today().year + 1}-06-30")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check your project").wait_for()
    page.get_by_role("link", name="Falls huddle at handover").wait_for()
    page.get_by_role("link", name="Toilet offered at the 2am check").wait_for()
    page.get_by_text(
        f"We will reduce falls at night by 30 June {date.today().year + 1}."
    ).wait_for()
    screenshot(page, "shaping-register-confirm-without-javascript")
    page.get_by_role("button", name="Change the details").click()
    assert page.get_by_label("What is the project called?").input_value() == "Falls at night"
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Register the project").click()
    page.get_by_role("heading", name="Falls at night").wait_for()
    assert Project.objects.get(title="Falls at night").approval == "pending"
    context.close()


def test_an_upload_that_is_not_a_photo_or_pdf_is_refused_on_a_phone(page, shaped, tmp_path):
    letter = tmp_path / "huddle.jpg"
    letter.write_text("Dear team, this is a letter, not a photo.")
    sign_in(page, "nurse@demo.example", DEMO_PASSWORD)
    page.goto(f"/projects/{shaped['project'].pk}/files/")
    page.get_by_label("Photo or PDF").set_input_files(str(letter))
    page.get_by_role("button", name="Attach").click()
    page.locator(".nhsuk-error-summary").get_by_text(
        "Choose a photo (JPEG, PNG or WebP) or a PDF. Other files cannot be attached."
    ).wait_for()
    screenshot(page, "shaping-upload-refused")
    assert_accessible(page)
    assert shaped["project"].files.count() == 1  # only the poster


PHONE_PAGE_BUDGET_BYTES = 100 * 1024


def _first_visit_bytes(phone, live_server, path: str) -> dict[str, int]:
    """Bytes on the wire (compressed bodies and headers) of a phone's first visit to
    ``path``, signed in as ``phone``'s cookies, nothing cached, by Chromium's own count."""
    fresh = phone.browser.new_context(viewport={"width": 390, "height": 844},
                                      base_url=live_server.url)  # fmt: skip
    fresh.add_cookies(phone.cookies())
    visit = fresh.new_page()
    devtools = fresh.new_cdp_session(visit)
    devtools.send("Network.enable")
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    devtools.on(
        "Network.responseReceived", lambda e: urls.update({e["requestId"]: e["response"]["url"]})
    )
    devtools.on(
        "Network.loadingFinished",
        lambda e: sizes.update(
            {urls.get(e["requestId"], e["requestId"]): int(e["encodedDataLength"])}
        ),
    )
    visit.goto(path, wait_until="networkidle")
    visit.wait_for_timeout(500)
    fresh.close()
    return sizes


def test_the_shaping_pages_a_phone_opens_most_download_in_under_100_kb(
    page, phone, live_server, shaped
):
    sign_in(page, "nurse@demo.example", DEMO_PASSWORD)
    project, measure = shaped["project"], shaped["measure"]
    for path in (
        "/projects/new/",
        f"/projects/{project.pk}/",
        f"/projects/{project.pk}/diagram/",
        f"/measures/{measure.pk}/data/",
        f"/cycles/{shaped['cycle'].pk}/",
    ):
        sizes = _first_visit_bytes(phone, live_server, path)
        total = sum(sizes.values())
        print(f"\n{path}: {total} bytes over {len(sizes)} requests")
        for url, size in sorted(sizes.items(), key=lambda item: -item[1])[:6]:
            print(f"  {size:>7}  {url}")
        assert total < PHONE_PAGE_BUDGET_BYTES, sizes
