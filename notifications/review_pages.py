"""The coach's review of one project: what needs them there, the progress score and the
evidence behind it (with an override, kept in history), the cycles waiting for study or
a decision, the missing data, and the coaching feedback.

What needs the coach is the project's caseload row (``project_attention_get``: the same
rules, reasons and next action); the score and its evidence are pdsa's
(``pdsa.progress``); the override goes through ``project_progress_override``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from backend.comments import CommentForm
from backend.errors import forbid
from backend.idempotency import idempotent_page
from backend.kept_pages import kept_page
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from notifications.selectors import project_attention_get
from pdsa.models import Cycle
from pdsa.progress import progress_evidence
from pdsa.selectors import cycle_scope, progress_override_history
from pdsa.services import project_progress_override
from projects.models import Project
from projects.selectors import can_edit_project, project_comment_list, project_get
from projects.serializers import progress_of

SCORES = [f"{tenths / 10:.1f}" for tenths in range(5, 51, 5)]
WAITING = (Cycle.Stage.STUDY, Cycle.Stage.ACT)


class ProgressOverrideForm(PageForm):
    score = forms.ChoiceField(
        label="Progress score",
        choices=[("", "Use the computed score"), *((s, s) for s in SCORES)],
        required=False,
        help_text="The IHI scale, 0.5 to 5.0.",
    )
    reason = forms.CharField(
        label="Why is the computed score not right?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed to set a score: others read it beside the score.",
    )


def _waiting(request: HttpRequest, project: Project) -> list[dict[str, Any]]:
    now = timezone.now()
    # Only what the list shows: the cycle serializer's related rows (``cycle_list``) would
    # cost four queries more.
    cycles = (
        cycle_scope(user=request.user)
        .filter(project=project, stage__in=WAITING)
        .only("number", "title", "stage", "stage_changed_at", "updated_at")
        .order_by("stage_changed_at", "number")
    )
    return [
        {
            "cycle": cycle,
            "days": max(0, (now - (cycle.stage_changed_at or cycle.updated_at)).days),
            "needs": "a study of its results"
            if cycle.stage == Cycle.Stage.STUDY
            else "a decision: adopt, adapt or abandon",
        }
        for cycle in cycles
    ]


def _context(request: HttpRequest, project: Project, form: ProgressOverrideForm) -> dict:
    return {
        "project": project,
        "attention": project_attention_get(project=project),
        "progress": progress_of(project),
        "evidence": progress_evidence(project=project),
        "overrides": progress_override_history(project=project),
        "waiting": _waiting(request, project),
        "comments": list(project_comment_list(project=project)),
        "comment_form": CommentForm(),
        "form": form,
        "can_edit": can_edit_project(user=request.user, project=project),
    }


@login_required
@kept_page
@idempotent_page
def project_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The coach's review of a project (every member of its organisation may read it; the
    project's editors may override the score)."""
    project = project_get(user=request.user, pk=pk)
    initial = {}
    if project.progress_override is not None:
        initial = {
            "score": f"{project.progress_override:.1f}",
            "reason": project.progress_override_reason,
        }
    form = ProgressOverrideForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_edit_project(user=request.user, project=project):
            forbid("Only the project's team, the QI team and admins can set its progress score.")
        if form.is_valid():
            score = form.cleaned_data["score"]
            saved = save_or_refuse(
                form,
                lambda: project_progress_override(
                    project=project,
                    by=request.user,
                    score=Decimal(score) if score else None,
                    reason=form.cleaned_data["reason"],
                ),
            )
            if saved is not None:
                messages.success(
                    request,
                    f"Progress score set to {score}." if score else "Using the computed score.",
                )
                return redirect("project-review", pk=project.pk)
    context = _context(request, project, form)
    if form.errors:
        return invalid_form_response(request, "notifications/desk/review.html", context)
    return render(request, "notifications/desk/review.html", context)


urlpatterns = [path("caseload/projects/<id:pk>/", project_review, name="project-review")]
