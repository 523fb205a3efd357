"""The portfolio as the evidence reads it: the projects under way, their places and the
page each record has."""

from __future__ import annotations

from django.urls import reverse

from backend.models import Organisation
from projects.lifecycle import LIVE
from projects.models import Project

LIVE_WORDS = "projects under way (active, sustaining or spreading)"


def live_projects(organisation: Organisation) -> list[Project]:
    """The organisation's projects under way, with their unit, by title (one query)."""
    return list(
        Project.objects.filter(organisation=organisation, status__in=LIVE)
        .select_related("unit")
        .order_by("title")
    )


def project_url(project_id: int) -> str:
    return reverse("project-page", args=[project_id])


def where(project: Project) -> str:
    return f"{project.unit.name} · {project.get_status_display().lower()}"
