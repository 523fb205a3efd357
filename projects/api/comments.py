"""Comments on a project (``/api/v1/projects/{id}/comments/``)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request

from backend.comments import CommentSerializer, CommentsView, CommentView
from backend.models import User
from backend.schema import ErrorSerializer
from projects import selectors, services
from projects.models import Project, ProjectComment


@extend_schema(tags=["comments"])
class ProjectCommentsView(CommentsView):
    """Comments on a project, oldest first; anyone in its organisation may add one and
    the project's team is told (in-app and by e-mail, as each prefers)."""

    def record(self, request: Request, pk: int) -> Project:
        return get_object_or_404(selectors.project_list(user=request.user), pk=pk)

    def comment_list(self, record: Project):
        return selectors.project_comment_list(project=record)

    def comment_create(self, record: Project, by: User, text: str) -> ProjectComment:
        return services.project_comment_create(project=record, by=by, text=text)

    @extend_schema(responses=CommentSerializer(many=True))
    def get(self, request: Request, pk: int):
        return super().get(request, pk)

    @extend_schema(
        request=CommentSerializer, responses={201: CommentSerializer, 400: ErrorSerializer}
    )
    def post(self, request: Request, pk: int):
        return super().post(request, pk)


@extend_schema(tags=["comments"])
class ProjectCommentView(CommentView):
    """Delete your own comment on a project."""

    def comment(self, request: Request, pk: int, comment_id: int) -> ProjectComment:
        project = get_object_or_404(selectors.project_list(user=request.user), pk=pk)
        return get_object_or_404(selectors.project_comment_list(project=project), pk=comment_id)

    def comment_delete(self, comment: ProjectComment, by: User) -> None:
        services.project_comment_delete(comment=comment, by=by)

    @extend_schema(responses={204: None, 403: ErrorSerializer, 404: ErrorSerializer})
    def delete(self, request: Request, pk: int, comment_id: int):
        return super().delete(request, pk, comment_id)
