"""The desk in real Chromium, as the people who use it, on the demo data `make run` seeds:
the coach's caseload, review and feedback that a nurse then reads on a phone; the board
page and its A4 landscape print; the portfolio, an aim, the summary table and a chart
page; another organisation's coach meeting 404 pages. Every page is checked with axe-core
at 1280x800 and 390x844 and pictured under test-output/screenshots/."""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from backend.models import User
from notifications.models import Kind, Notification
from pdsa.models import Cycle
from projects.models import Measure, Project, StrategicAim
from tests.pages.conftest import DESK, PHONE, assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "ripple-demo"
PHONE_BUDGET = 100 * 1024


@pytest.fixture
def demo(transactional_db: None) -> None:
    """The demo organisations as `make run` seeds them."""
    call_command("seed_demo", verbosity=0)


def _context(browser: Any, live_server: Any, size: dict[str, int]) -> Any:
    context = browser.new_context(
        viewport=size,
        device_scale_factor=1,
        is_mobile=size == PHONE,
        has_touch=size == PHONE,
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(15_000)
    return context


def _signed_in(browser: Any, live_server: Any, email: str, size: dict[str, int]) -> Any:
    page = _context(browser, live_server, size).new_page()
    sign_in(page, email, DEMO_PASSWORD)
    return page


def _look(page: Any, name: str) -> None:
    screenshot(page, name)
    assert_accessible(page)


def test_a_coach_reviews_leaves_feedback_and_the_nurse_reads_it_on_a_phone(
    browser, live_server, demo
):
    coach = _signed_in(browser, live_server, "coach@demo.example", DESK)
    assert coach.url.endswith("/caseload/")
    first = coach.locator(".ripple-caseload__row").first
    assert first.get_by_role("heading").inner_text() == "Insulin visits on time"
    assert "stalled: no activity for 35 days" in first.inner_text()
    _look(coach, "desk-caseload")

    coach.get_by_role("link", name="Falls huddle at handover").click()
    coach.get_by_role("heading", name="What needs you").wait_for()
    _look(coach, "desk-review")
    coach.get_by_role("link", name=re.compile("Cycle 8: Huddle sheet for agency staff")).click()
    coach.get_by_label("Add a comment").fill("Try the sheet on nights too, then study both.")
    coach.get_by_role("button", name="Post comment").click()
    coach.get_by_text("Comment posted. The team has been told.").wait_for()
    _look(coach, "desk-cycle-feedback")

    nurse = _signed_in(browser, live_server, "nurse@demo.example", PHONE)
    told = Notification.objects.filter(kind=Kind.COMMENT, recipient__email="nurse@demo.example")
    assert told.filter(body__contains="Try the sheet on nights too").exists()
    nurse.goto("/notifications/")
    nurse.get_by_text(re.compile("Sam Okafor commented on cycle 8")).first.click()
    nurse.get_by_text("Try the sheet on nights too, then study both.").wait_for()
    assert "/cycles/" in nurse.url
    _look(nurse, "phone-cycle-feedback")


def _pdf_pages(page: Any) -> list[str]:
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    return [sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages]


def test_the_board_lands_on_are_we_on_track_and_prints_without_cutting_anything(
    browser, live_server, demo
):
    board = _signed_in(browser, live_server, "board@demo.example", DESK)
    assert board.url.endswith("/board/")
    bold = StrategicAim.objects.filter(organisation__slug="demo-trust", parent=None)
    for aim in bold:
        section = board.locator(
            "section.ripple-board__aim", has=board.get_by_role("heading", name=aim.title)
        )
        assert section.locator("svg.ripple-mdc").count() == 2, aim.title
        assert section.locator("figure svg").count() == 1, aim.title
    _look(board, "desk-board")

    sheets = _pdf_pages(board)
    assert 1 <= len(sheets) <= 4
    # Every chart whole on one sheet: as many charts begin on each sheet (the line under
    # a chart's title: "XmR chart · lower is better ...") as end there (its legend).
    starts = [len(re.findall(r"\b\w'? chart · |XmR chart · ", text)) for text in sheets]
    ends = [text.count("Process limits") for text in sheets]
    assert starts == ends, (starts, ends)
    assert sum(ends) == bold.count()
    # The aims' measures table on one sheet, header to last row.
    rows = [m.name for m in Measure.objects.filter(aim__organisation__slug="demo-trust")]
    table_sheets = {i for i, text in enumerate(sheets) for name in rows if name in text}
    header = [i for i, text in enumerate(sheets) if "The aims\u2019 measures" in text]
    assert header and all(i in table_sheets for i in header)
    assert len({i for i in table_sheets if i >= header[0]}) >= 1
    last_row_sheet = max(i for i, t in enumerate(sheets) if rows[-1] in t)
    assert last_row_sheet in (header[0], header[0] + 1)
    board.emulate_media(media="print")
    screenshot(board, "desk-board-print")

    board.emulate_media(media="screen")
    board.get_by_role("link", name="Every measure\u2019s icons").click()
    _look(board, "desk-summary")
    board.locator("table tbody th a").first.click()
    board.get_by_role("heading", name="What this chart says").wait_for()
    assert board.get_by_role("table").locator("tbody tr").count() >= 2
    _look(board, "desk-chart")
    with board.expect_download() as saved:
        board.get_by_role("button", name="chart as PNG").click()
    png = Path(saved.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1920, 1040)  # the chart at twice its size


def test_the_board_prints_each_chart_whole_on_a_sheet(browser, live_server, demo):
    board = _signed_in(browser, live_server, "board@demo.example", DESK)
    board.emulate_media(media="print")
    # A4 landscape, 10 mm margins: 277 x 190 mm of page, in CSS pixels.
    sheet_height = 190 / 25.4 * 96
    for box in board.locator(".ripple-keep").evaluate_all(
        "(els) => els.map((e) => e.getBoundingClientRect().height)"
    ):
        assert box < sheet_height, "a block taller than a sheet would be cut"


@pytest.mark.parametrize("size", [DESK, PHONE], ids=["desk", "phone"])
def test_every_desk_page_reads_well_at_desk_and_phone_sizes(browser, live_server, demo, size):
    width = size["width"]
    qi = _signed_in(browser, live_server, "qi@demo.example", size)
    assert qi.url.endswith("/portfolio/")
    project = Project.objects.get(title="Falls huddle at handover")
    measure = Measure.objects.get(project=project, type="outcome")
    aim = StrategicAim.objects.get(title="Zero avoidable harm")
    coach = User.objects.get(email="coach@demo.example")
    for path, name in (
        ("/portfolio/", "portfolio"),
        (f"/portfolio/aims/{aim.pk}/", "aim"),
        ("/portfolio/measures/?variation_icon=improvement_low", "summary-filtered"),
        (f"/measures/{measure.pk}/", "chart"),
        (f"/caseload/?coach={coach.pk}", "caseload-of-a-coach"),
        (f"/caseload/projects/{project.pk}/", "review"),
        ("/board/", "board"),
    ):
        response = qi.goto(path)
        assert response.status == 200, path
        _look(qi, f"desk-{name}-{width}")
        # Nothing but a table's own scroll area is wider than the screen.
        assert qi.evaluate("document.documentElement.scrollWidth") <= width + 1, path


def test_another_organisations_coach_gets_404_pages(browser, live_server, demo):
    other = _signed_in(browser, live_server, "coach@other.example", DESK)
    assert other.url.endswith("/caseload/")
    project = Project.objects.get(title="Falls huddle at handover")
    cycle = Cycle.objects.filter(project=project).first()
    measure = Measure.objects.filter(project=project).first()
    aim = StrategicAim.objects.filter(organisation=project.organisation).first()
    coach = User.objects.get(email="coach@demo.example")
    for path in (
        f"/projects/{project.pk}/",
        f"/caseload/projects/{project.pk}/",
        f"/cycles/{cycle.pk}/",
        f"/measures/{measure.pk}/",
        f"/portfolio/aims/{aim.pk}/",
        f"/caseload/?coach={coach.pk}",
    ):
        assert other.goto(path).status == 404, path
    _look(other, "desk-other-trust-404")


def _transfer(context: Any, path: str) -> dict[str, int]:
    """Bytes on the wire as Chromium counts them for a first visit to ``path``."""
    page = context.new_page()
    devtools = context.new_cdp_session(page)
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
    page.goto(path, wait_until="networkidle")
    page.wait_for_timeout(300)
    page.close()
    return sizes


def test_every_phone_page_moves_100_kb_or_less_in_production(browser, live_server, demo):
    nurse = _signed_in(browser, live_server, "nurse@demo.example", PHONE)
    cookies = nurse.context.cookies()
    project = Project.objects.get(title="Falls huddle at handover")
    cycle = Cycle.objects.filter(project=project, stage="study").first()
    measure = Measure.objects.filter(project=project).first()
    for path in (
        "/",
        f"/projects/{project.pk}/",
        f"/cycles/{cycle.pk}/",
        f"/cycles/new/?project={project.pk}",
        f"/data/new/?measure={measure.pk}",
        "/notifications/",
    ):
        fresh = _context(browser, live_server, PHONE)  # nothing cached yet
        fresh.add_cookies(cookies)
        sizes = _transfer(fresh, path)
        fresh.close()
        total = sum(sizes.values())
        print(f"\n{path}: {total} bytes over {len(sizes)} requests")
        assert not any("desk.css" in url for url in sizes), path
        assert total <= PHONE_BUDGET, sizes
