"""Where a notification points: the phone pages a person reads it on. Paths are relative to
RIPPLE_BASE_URL (the pages follow them as they are; e-mails make them absolute). API
clients have the subject's ids in the row itself."""

from __future__ import annotations

from backend.site import absolute_url


def project_link(project_id: int) -> str:
    return f"/projects/{project_id}/"


def cycle_link(cycle_id: int) -> str:
    return f"/cycles/{cycle_id}/"


def comment_link(*, comment_id: int, project_id: int, cycle_id: int | None = None) -> str:
    """A comment where the team reads it: on its cycle's page, or its project's."""
    page = cycle_link(cycle_id) if cycle_id is not None else project_link(project_id)
    return f"{page}#comment-{comment_id}"


def measure_link(project_id: int, measure_id: int) -> str:
    """The measure's chart on its project's page."""
    return f"/projects/{project_id}/#measure-{measure_id}"


def measure_chart_svg_link(measure_id: int) -> str:
    """The full chart (served with session sign-in too, so it opens from an e-mail)."""
    return f"/api/v1/measures/{measure_id}/chart.svg"


def home_link() -> str:
    """The signed-in person's projects: where a digest leads."""
    return "/"


def preferences_link() -> str:
    """The page where a person chooses what they hear about, and when."""
    return "/notifications/preferences/"


def absolute(link: str) -> str:
    """A link at the configured site address (``RIPPLE_BASE_URL``), for an e-mail."""
    return absolute_url(link)


def measure_chart_json_link(measure_id: int) -> str:
    """The chart's data: points, limits, signals and icons."""
    return f"/api/v1/measures/{measure_id}/chart/"


def unit_link(unit_id: int) -> str:
    """A unit's page, where the changes offered to it wait to be taken up."""
    return f"/units/{unit_id}/#offered"


def win_link(win_id: int) -> str:
    """A win on the wins page."""
    return f"/wins/#win-{win_id}"
