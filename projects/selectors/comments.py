"""Comments on projects, oldest first, with their authors."""

from __future__ import annotations

from django.db.models import QuerySet

from projects.models import Project, ProjectComment


def project_comment_list(*, project: Project) -> QuerySet[ProjectComment]:
    """The project's comments, oldest first (a conversation reads downwards), with their
    authors in the same query. The caller has already scoped ``project`` to the user."""
    return ProjectComment.objects.filter(project=project).select_related("author")
