"""Posting and deleting comments on a cycle from its page (a coach's feedback on the test,
the team's replies)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from backend.comments import comment_delete_page, comment_post_page
from backend.idempotency import idempotent_page
from pdsa.selectors import cycle_comment_list, cycle_scope
from pdsa.services import cycle_comment_create, cycle_comment_delete


@login_required
@require_POST
@idempotent_page
def cycle_comment_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Comment on a cycle; the project's team is told."""
    cycle = get_object_or_404(cycle_scope(user=request.user).select_related("project"), pk=pk)
    return comment_post_page(
        request,
        create=lambda text: cycle_comment_create(cycle=cycle, by=request.user, text=text),
        back=reverse("cycle-page", args=[cycle.pk]),
        about=f"cycle {cycle.number}: {cycle.title}",
    )


@login_required
@require_POST
def cycle_comment_remove(request: HttpRequest, pk: int, comment_id: int) -> HttpResponse:
    """Delete your own comment on a cycle."""
    cycle = get_object_or_404(cycle_scope(user=request.user), pk=pk)
    comment = get_object_or_404(cycle_comment_list(cycle=cycle), pk=comment_id)
    return comment_delete_page(
        request,
        comment=comment,
        delete=lambda: cycle_comment_delete(comment=comment, by=request.user),
        back=reverse("cycle-page", args=[cycle.pk]),
    )


urlpatterns = [
    path("cycles/<id:pk>/comments/", cycle_comment_new, name="cycle-comment-new"),
    path(
        "cycles/<id:pk>/comments/<id:comment_id>/delete/",
        cycle_comment_remove,
        name="cycle-comment-delete",
    ),
]
