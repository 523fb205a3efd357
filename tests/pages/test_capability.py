"""The capability and self-assessment pages in Chromium, as the people who use them: the
QI team reads the pyramid's gaps, imports training records and opens this year's
assessment; a leader reads and compares it; staff add their own training and find a
practitioner; a partner sees their projects. Every page is checked with axe-core at a
desk's 1280x800 and a phone's 390x844, and pictured."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from assessment import services as assessment_services
from assessment.pages import current_year
from backend.models import Membership, Unit
from capability import services
from capability.levels import Level
from capability.models import Person, TrainingRecord
from projects.models import ProjectMember
from tests.factories import (
    CourseFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ProjectFactory,
    ProjectMemberFactory,
    UnitFactory,
    UserFactory,
)
from tests.pages.conftest import (
    DESK,
    PASSWORD,
    assert_accessible,
    follow_header_link,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.browser
Role = Membership.Role
YEAR = current_year()
BAD_CSV = (
    "email,name,unit,course,completed_on\n"
    "kim.lee@trust.example,Kim Lee,Ward 12 Surgical,QI practitioner programme,2026-03-02\n"
    "ola.ade@trust.example,Ola Ade,Ward 12 Surgical,Underwater basket weaving,2026-03-02\n"
)


def _look(page: Any, name: str) -> None:
    screenshot(page, name)
    assert_accessible(page)


@pytest.fixture
def trust(transactional_db) -> dict[str, Any]:
    """Demo-sized, built quickly: Medicine, Surgery and Corporate, a catalogue, headcounts,
    trained people, a partner on a team, and last year's and this year's assessments."""
    cache.clear()  # counts of training are cached by organisation
    organisation = OrganisationFactory(name="Riverside Trust", slug="riverside")
    site = UnitFactory(organisation=organisation, name="Riverside", level=Unit.Level.SITE)
    units = {}
    for division, wards in [
        ("Medicine", [("Ward 7 Elderly Care", "ward")]),
        ("Surgery", [("Ward 12 Surgical", "ward")]),
        ("Corporate", [("HR", "hr"), ("Finance", "finance")]),
    ]:
        units[division] = UnitFactory(
            organisation=organisation,
            name=division,
            parent=site,
            level=Unit.Level.DIVISION,
            kind="other",
        )
        for name, kind in wards:
            units[name] = UnitFactory(
                organisation=organisation, name=name, kind=kind, parent=units[division]
            )
    people = {}
    for key, role, unit in [
        ("qi", Role.QI_TEAM, None),
        ("board", Role.LEADER, None),
        ("nurse", Role.FRONTLINE, "Ward 7 Elderly Care"),
        ("partner", Role.LIVED_EXPERIENCE_PARTNER, None),
    ]:
        user = UserFactory(
            email=f"{key}@riverside.example", password=PASSWORD, full_name=f"{key.title()} Person"
        )
        MembershipFactory(
            user=user, organisation=organisation, role=role, home_unit=units.get(unit)
        )
        people[key] = user
    qi = people["qi"]
    courses = {
        Level.FOUNDATION: CourseFactory(
            organisation=organisation,
            level=Level.FOUNDATION,
            name="Quality improvement foundations",
        ),
        Level.PRACTITIONER: CourseFactory(
            organisation=organisation, level=Level.PRACTITIONER, name="QI practitioner programme"
        ),
    }
    for unit, staff in [
        ("Ward 7 Elderly Care", 120),
        ("Ward 12 Surgical", 240),
        ("HR", 60),
        ("Finance", 40),
    ]:
        services.headcount_set(by=qi, unit=units[unit], staff=staff)
    today = timezone.localdate()
    for index in range(40):
        unit = ["Ward 7 Elderly Care", "Ward 12 Surgical", "HR", "Finance"][index % 4]
        level = (
            Level.PRACTITIONER
            if index % 10 == 0 and unit != "Ward 12 Surgical"
            else (Level.FOUNDATION)
        )
        person = PersonFactory(
            organisation=organisation, unit=units[unit], full_name=f"Staff Member {index}"
        )
        TrainingRecord.objects.create(
            person=person,
            course=courses[level],
            status="approved",
            source="import",
            completed_on=today - timedelta(days=20 * (index % 12) + 5),
        )
    services.levels_refresh(
        person_ids=Person.objects.values_list("pk", flat=True), by=qi, reason="Built for the test."
    )
    project = ProjectFactory(
        organisation=organisation,
        unit=units["Ward 7 Elderly Care"],
        title="Falls huddle at handover",
    )
    ProjectMemberFactory(
        project=project, user=people["partner"], role=ProjectMember.Role.LIVED_EXPERIENCE_PARTNER
    )
    ProjectFactory(organisation=organisation, unit=units["HR"], title="Wellbeing check-ins")
    last = assessment_services.assessment_start(
        by=qi, organisation=organisation, year=YEAR - 1, as_of=today - timedelta(days=365)
    )
    for answer in last.answers.all():
        assessment_services.answer_update(
            by=qi, answer=answer, rating=2, narrative="We were starting out."
        )
    assessment_services.assessment_agree(by=people["board"], assessment=last)
    this = assessment_services.assessment_start(by=qi, organisation=organisation, year=YEAR)
    for answer in this.answers.exclude(code__in=["L4", "S2"]):
        assessment_services.answer_update(
            by=qi, answer=answer, rating=3, narrative="In place in most divisions."
        )
    return {"organisation": organisation, "units": units, "project": project, **people}


def test_the_qi_team_sees_the_gaps_imports_records_and_opens_the_assessment(page, desk, trust):
    sign_in(page, trust["qi"].email)
    page.goto("/capability/")
    gaps = page.locator(".ripple-gaps li", has_text="Surgery needs")
    assert "12 more practitioners" in gaps.inner_text()
    _look(page, "capability-pyramid-phone")

    tab = desk.new_page()
    sign_in(tab, trust["qi"].email)
    tab.goto("/capability/")
    _look(tab, "capability-pyramid-desk")

    tab.goto("/capability/records/import/")
    tab.get_by_label("The CSV file").set_input_files(
        files=[{"name": "hr.csv", "mimeType": "text/csv", "buffer": BAD_CSV.encode()}]
    )
    tab.get_by_role("button", name="Import").click()
    summary = tab.locator(".nhsuk-error-summary")
    summary.get_by_text(
        "Row 3: there is no course called 'Underwater basket weaving' in the catalogue."
    ).wait_for()
    _look(tab, "capability-import-refused-desk")
    assert not Person.objects.filter(email="kim.lee@trust.example").exists()

    good = BAD_CSV.replace("Underwater basket weaving", "QI practitioner programme")
    tab.get_by_label("The CSV file").set_input_files(
        files=[{"name": "hr.csv", "mimeType": "text/csv", "buffer": good.encode()}]
    )
    tab.get_by_role("button", name="Import").click()
    tab.get_by_text("Imported 2 rows: 2 records added").wait_for()
    _look(tab, "capability-records-desk")

    follow_header_link(tab, "Self-assessment")
    tab.get_by_role("link", name=f"{YEAR}/{(YEAR + 1) % 100:02d}").click()
    tab.get_by_role("heading", name="Summary by domain").wait_for()
    assert tab.locator(".ripple-evidence").count() >= 8
    _look(tab, "assessment-this-year-desk")


def test_a_leader_reads_the_assessment_compares_it_and_prints_it(page, desk, trust):
    tab = desk.new_page()
    sign_in(tab, trust["board"].email)
    tab.goto(f"/assessment/{YEAR}/")
    last_label = f"{YEAR - 1}/{YEAR % 100:02d}"
    tab.get_by_label("Compare with").select_option(str(YEAR - 1))
    tab.get_by_role("button", name="Compare").click()
    tab.get_by_text(f"{last_label}: 2: Emerging. This year: one step up.").first.wait_for()
    _look(tab, "assessment-compared-desk")
    tab.emulate_media(media="print")
    assert not tab.get_by_role("button", name="Compare").is_visible()
    screenshot(tab, "assessment-print")
    tab.emulate_media(media="screen")

    tab.get_by_role("link", name="How it was counted, and the records behind it (C3)").click()
    tab.get_by_role("heading", name="The figures").wait_for()
    _look(tab, "assessment-evidence-desk")

    sign_in(page, trust["board"].email)
    page.goto(f"/assessment/{YEAR}/?compare={YEAR - 1}")
    _look(page, "assessment-compared-phone")


def test_staff_add_their_training_and_find_a_practitioner(page, trust):
    sign_in(page, trust["nurse"].email)
    page.get_by_role("link", name="My training").click()
    page.get_by_label("Course", exact=True).select_option(
        label="QI practitioner programme (Practitioner, The QI team)"
    )
    page.get_by_label("When did you finish it?").fill("2026-02-02")
    page.get_by_label("Or attach it (optional)").set_input_files(
        files=[
            {
                "name": "certificate.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4 certificate",
            }
        ]
    )
    page.get_by_role("button", name="Add it to my record").click()
    page.get_by_text("waiting for the QI team to approve it").wait_for()
    _look(page, "capability-my-training-phone")
    assert TrainingRecord.objects.get(person__user=trust["nurse"]).evidence_file

    page.get_by_role("link", name="the skills directory").first.click()
    page.get_by_label("Trained to at least").select_option("practitioner")
    page.get_by_role("button", name="Find people").click()
    page.get_by_text("Staff Member 0").wait_for()
    _look(page, "capability-directory-phone")


def test_a_partner_sees_the_projects_they_are_part_of(page, trust):
    sign_in(page, trust["partner"].email)
    follow_header_link(page, "My part in projects")
    page.get_by_role("link", name="Falls huddle at handover").wait_for()
    _look(page, "capability-partner-phone")


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_the_qi_teams_other_pages_are_accessible_and_pictured(page, desk, trust, size):
    tab = desk.new_page() if size == "desk" else page
    assert tab.viewport_size["width"] == (DESK["width"] if size == "desk" else 390)
    sign_in(tab, trust["qi"].email)
    nurse = services.person_ensure(user=trust["nurse"], organisation=trust["organisation"])
    services.record_add(
        by=trust["nurse"],
        person=nurse,
        course=nurse.organisation.courses.get(level=Level.PRACTITIONER),
        completed_on=timezone.localdate(),
    )
    for name, path in [
        ("approvals", "/capability/approvals/"),
        ("person", f"/capability/people/{nurse.pk}/"),
        ("targets", "/capability/targets/"),
        ("courses", "/capability/courses/"),
        ("partners", "/capability/partners/"),
        ("engagement", "/capability/engagement/"),
        ("answer", f"/assessment/{YEAR}/C3/"),
        ("assessments", "/assessment/"),
    ]:
        tab.goto(path)
        assert tab.evaluate("document.documentElement.scrollWidth") <= tab.viewport_size["width"]
        _look(tab, f"capability-{name}-{size}")
    assert ProjectMember.objects.exists()
