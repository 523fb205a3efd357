"""Where a notification points. Paths are relative to RIPPLE_BASE_URL; e-mails make them
absolute. They name API resources until the server-rendered pages exist; this is the one
place to change when they do."""

from __future__ import annotations

from django.conf import settings


def project_link(project_id: int) -> str:
    return f"/api/v1/projects/{project_id}/"


def cycle_link(cycle_id: int) -> str:
    return f"/api/v1/cycles/{cycle_id}/"


def measure_chart_link(measure_id: int) -> str:
    return f"/api/v1/measures/{measure_id}/chart/"


def measure_chart_svg_link(measure_id: int) -> str:
    return f"/api/v1/measures/{measure_id}/chart.svg"


def notifications_link() -> str:
    return "/api/v1/notifications/"


def preferences_link() -> str:
    return "/api/v1/notifications/preferences/"


def absolute(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.RIPPLE_BASE_URL.rstrip("/") + link
