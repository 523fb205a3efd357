"""A cycle's tasks: what, who, by when, and ticking them off as they are done."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from backend.errors import forbid
from backend.idempotency import idempotent_page
from backend.pages import save_or_refuse
from pdsa.pages.common import TasksForm
from pdsa.pages.cycles import cycle_response
from pdsa.selectors import cycle_list
from pdsa.services import cycle_update
from projects.selectors import can_edit_project


@login_required
@require_POST
@idempotent_page
def cycle_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the plan's tasks (the whole list: each one's words, who, when and done)."""
    cycle = get_object_or_404(cycle_list(user=request.user), pk=pk)
    if not can_edit_project(user=request.user, project=cycle.project):
        forbid("Only the project's team, the QI team and admins can change its cycles.")
    form = TasksForm(request.POST, cycle=cycle)
    if form.is_valid():
        saved = save_or_refuse(
            form, lambda: cycle_update(cycle=cycle, by=request.user, tasks=form.changes())
        )
        if saved is not None:
            messages.success(request, "Tasks saved.")
            return redirect(reverse("cycle-page", args=[cycle.pk]) + "#tasks")
    return cycle_response(request, cycle, form=None, can_edit=True, tasks_form=form)
