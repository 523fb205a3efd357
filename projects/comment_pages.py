"""Posting and deleting comments on a project from the pages (the coach's feedback on the
review page, the team's replies on the project page)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from backend.comments import comment_delete_page, comment_post_page
from backend.idempotency import idempotent_page
from projects.selectors import project_comment_list, project_get
from projects.services import project_comment_create, project_comment_delete


@login_required
@require_POST
@idempotent_page
def project_comment_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Comment on a project; its team is told."""
    project = project_get(user=request.user, pk=pk)
    return comment_post_page(
        request,
        create=lambda text: project_comment_create(project=project, by=request.user, text=text),
        back=reverse("project-page", args=[project.pk]),
        about=project.title,
    )


@login_required
@require_POST
def project_comment_remove(request: HttpRequest, pk: int, comment_id: int) -> HttpResponse:
    """Delete your own comment on a project."""
    project = project_get(user=request.user, pk=pk)
    comment = get_object_or_404(project_comment_list(project=project), pk=comment_id)
    return comment_delete_page(
        request,
        comment=comment,
        delete=lambda: project_comment_delete(comment=comment, by=request.user),
        back=reverse("project-page", args=[project.pk]),
    )


urlpatterns = [
    path("projects/<id:pk>/comments/", project_comment_new, name="project-comment-new"),
    path(
        "projects/<id:pk>/comments/<id:comment_id>/delete/",
        project_comment_remove,
        name="project-comment-delete",
    ),
]
