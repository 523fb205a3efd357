"""The demo portfolio: what it must show, checked with the SPC engine itself."""

from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.apps import apps
from django.utils import timezone

from backend import demo as backend_demo
from backend.models import Organisation, User
from projects import demo
from projects.demo import series
from projects.models import Measure, Project, ProjectMember, StrategicAim
from projects.selectors import measures_spc
from projects.spc import analyse
from tests.conftest import chromium_path
from tests.factories import CycleFactory

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


@pytest.fixture
def demo_trust(db) -> Organisation:
    backend_demo.seed()
    demo.seed()
    return Organisation.objects.get(slug="demo-trust")


def _rows_in_projects_tables() -> int:
    return sum(model.objects.count() for model in apps.get_app_config("projects").get_models())


def test_seeding_again_changes_nothing(demo_trust):
    before = _rows_in_projects_tables()

    demo.seed()

    assert _rows_in_projects_tables() == before


def test_the_demo_has_bold_aims_cascading_to_a_ward(demo_trust):
    aims = StrategicAim.objects.filter(organisation=demo_trust)
    ward_aim = aims.get(unit__name="Ward 7 Elderly Care")

    assert 3 <= aims.filter(parent=None).count() <= 5
    assert ward_aim.parent.unit.level == "division"
    assert ward_aim.parent.parent.parent is None
    assert Measure.objects.filter(aim__organisation=demo_trust).count() >= 2


def test_the_demo_has_projects_in_every_stage_across_wards_and_support_services(demo_trust):
    projects = Project.objects.filter(organisation=demo_trust)

    assert projects.count() >= 15
    assert set(projects.values_list("status", flat=True)) == set(Project.Status.values)
    assert {"ward", "hr", "finance", "it", "estates"} <= set(
        projects.values_list("unit__kind", flat=True)
    )
    assert Project.objects.filter(organisation__slug="other-trust").count() == 1


def test_the_demo_nurse_and_coaches_have_their_places(demo_trust):
    nurse, coach, coach2 = (
        User.objects.get(email=f"{name}@demo.example") for name in ("nurse", "coach", "coach2")
    )
    nurse_places = ProjectMember.objects.filter(user=nurse)
    coached = Project.objects.filter(members__user=coach, members__role="coach")
    ward7 = Project.objects.filter(unit__name="Ward 7 Elderly Care")

    assert nurse_places.count() >= 2
    assert nurse_places.filter(role="lead").exists()
    assert set(ward7) <= set(coached)
    assert coached.count() > Project.objects.filter(members__user=coach2).count() > 0


def test_the_demo_has_a_stalled_active_project(demo_trust):
    stalled = Project.objects.filter(
        organisation=demo_trust,
        status="active",
        last_activity_at__lt=timezone.now() - timedelta(days=21),
    )

    assert stalled.exists()


def test_the_demo_charts_show_every_pattern(demo_trust):
    measures = list(Measure.objects.filter(organisation=demo_trust))
    readings = measures_spc(measures)

    assert sum(reading and len(reading["points"]) >= 24 for reading in readings.values()) >= 12
    rules = {rule for r in readings.values() for point in r["points"] for rule in point["rules"]}
    assert {"shift", "trend", "astronomical"} <= rules
    assert any(not any(point["rules"] for point in r["points"]) for r in readings.values()), (
        "a chart of common-cause variation only"
    )
    assurance = {r["assurance_icon"] for r in readings.values()}
    assert {"consistent_pass", "inconsistent", "consistent_fail"} <= assurance
    variation = {r["variation_icon"] for r in readings.values()}
    assert {"common_cause", "improvement_low", "improvement_high", "concern_high"} <= variation


def test_the_ward_7_falls_chart_improves_after_the_huddle_started(demo_trust):
    falls = Measure.objects.get(project__title="Falls huddle at handover", chart_type="u")

    points = measures_spc([falls])[falls.pk]["points"]

    after = points[series.CHANGE_AT :]
    assert all(point["point_type"] == "special_cause_improvement" for point in after)
    assert not any(
        p["point_type"] == "special_cause_improvement" for p in points[: series.CHANGE_AT]
    )
    assert falls.history.filter(history_type="~").first().history_user.email == "coach@demo.example"


@pytest.mark.parametrize(
    "title", ["Falls huddle at handover", "Hip fracture: theatre within 36 hours"]
)
def test_the_chart_json_of_a_demo_measure_equals_the_engine_on_the_same_data(
    api, demo_trust, title
):
    measure = Measure.objects.filter(project__title=title).order_by("pk").first()
    rebase_at = []
    periods = [point.period for point in measure.data_points.order_by("period")]
    for rebase in measure.rebases.all():
        rebase_at.append(next(p for p in periods if p >= rebase.starts_on).isoformat())
    document = {
        "chart": measure.chart_type,
        "points": [
            {"x": point.period.isoformat(), "y": point.numerator, "n": point.denominator}
            for point in measure.data_points.order_by("period")
        ],
        "options": {
            "improvement_direction": measure.improvement_direction,
            "target": measure.target,
            "fix_after_n_points": measure.fix_after_n_points,
            "rebase_at": rebase_at,
        },
    }
    viewer = User.objects.get(email="board@demo.example")

    chart = api(viewer).get(f"/api/v1/measures/{measure.pk}/chart/").json()

    assert chart["spc"] == analyse(document)


@pytest.mark.browser
def test_a_demo_chart_renders_in_chromium_with_its_icons(api, demo_trust):
    from playwright.sync_api import sync_playwright

    falls = Measure.objects.get(project__title="Falls huddle at handover", chart_type="u")
    change = falls.data_points.order_by("period")[series.CHANGE_AT].period
    cycle = CycleFactory(
        project=falls.project,
        number=1,
        title="Falls huddle at handover",
        stage="act",
        started_on=change + timedelta(days=3),
        ended_on=change + timedelta(days=40),
    )
    cycle.measures.add(falls)
    viewer = User.objects.get(email="board@demo.example")
    svg = api(viewer).get(f"/api/v1/measures/{falls.pk}/chart.svg").content
    ElementTree.fromstring(svg)
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / "projects-falls-chart.svg"
    path.write_bytes(svg)

    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=args)
        page = browser.new_page(viewport={"width": 980, "height": 540})
        page.goto(path.as_uri())
        page.screenshot(path=str(OUTPUT / "projects-falls-chart.png"))
        icons = page.locator("g.icon")
        titles = [icons.nth(i).locator("title").text_content() for i in range(icons.count())]
        boxes = [icons.nth(i).bounding_box() for i in range(icons.count())]
        cycles = page.locator("g.cycle").count()
        browser.close()

    assert titles == [
        "Special cause improvement: lower values",
        "Assurance: hit and miss; the target may or may not be met",
    ]
    assert all(box and box["width"] > 40 and box["height"] > 40 for box in boxes)
    assert cycles == 2


def test_the_demo_approves_new_projects_and_some_wait(demo_trust):
    from projects.selectors import approval_queue

    assert demo_trust.projects_need_approval
    waiting = approval_queue(user=User.objects.get(email="coach@demo.example"))
    assert "Safer mealtimes for people with dementia" in [p.title for p in waiting]
    started = Project.objects.filter(organisation=demo_trust, status="active")
    assert started.exists()
    assert not started.exclude(approval__in=["approved", ""]).exists()


def test_the_ward_7_falls_project_shows_its_huddle_board_and_poster(demo_trust):
    from PIL import Image

    project = Project.objects.get(organisation=demo_trust, title="Falls huddle at handover")
    files = {f.kind: f for f in project.files.all()}

    assert set(files) == {"image", "pdf"}
    with files["image"].file.open() as board, Image.open(board) as image:
        assert image.size == (640, 400)
