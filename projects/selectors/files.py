"""Reading a project's photos and documents."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.models import User
from backend.selectors import organisation_ids
from projects.models import Project, ProjectFile


def project_file_list(*, user: User) -> QuerySet[ProjectFile]:
    """Photos and documents of the projects the user may see (every project of their
    organisations), with the project and who added them."""
    return ProjectFile.objects.filter(
        project__organisation_id__in=organisation_ids(user=user)
    ).select_related("project", "uploaded_by")


def project_files(*, project: Project) -> list[ProjectFile]:
    """One project's photos and documents, newest first, in one query; the caller has
    read the project through a scoped selector."""
    return list(ProjectFile.objects.filter(project=project).select_related("uploaded_by"))
