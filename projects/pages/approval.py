"""Approving a new project (a coach or the QI team), or returning it to the team with a
reason; and the team sending a returned project again."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from backend.errors import forbid
from backend.idempotency import idempotent_page
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from projects.models import Project
from projects.selectors import can_approve_projects, project_get
from projects.services import project_approval_request, project_approve, project_return

Approval = Project.Approval


class ApprovalForm(PageForm):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            ("approve", "Approve: the team can start testing"),
            ("return", "Return it to the team to reshape"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to approve it or return it"},
    )
    note = forms.CharField(
        label="Your note to the team",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when you return it: what should they change?",
    )

    def field_for(self, service_field: str | None) -> str | None:
        return "note" if service_field == "reason" else super().field_for(service_field)


@login_required
@idempotent_page
def project_approval(request: HttpRequest, pk: int) -> HttpResponse:
    """A waiting project as its approver reads it, with approve and return."""
    project = project_get(user=request.user, pk=pk)
    if not can_approve_projects(user=request.user, organisation_id=project.organisation_id):
        forbid("Only a coach or the QI team can approve a project or return it to the team.")
    waiting = project.approval in (Approval.PENDING, Approval.RETURNED)
    if not waiting and request.method == "POST":
        return redirect("project-page", pk=project.pk)  # decided already (a resend)
    form = ApprovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["decision"] == "approve":
            done = save_or_refuse(
                form, lambda: project_approve(by=request.user, project=project, note=data["note"])
            )
            said = f"You approved “{project.title}”. The team has been told."
        else:
            done = save_or_refuse(
                form,
                lambda: project_return(by=request.user, project=project, reason=data["note"]),
            )
            said = f"You returned “{project.title}” to the team with your note."
        if done is not None:
            messages.success(request, said)
            return redirect("project-page", pk=project.pk)
    context = {"project": project, "form": form, "waiting": waiting}
    if form.errors:
        return invalid_form_response(request, "projects/approval.html", context)
    return render(request, "projects/approval.html", context)


@login_required
@require_POST
@idempotent_page
def project_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    """The team sends a returned project for approval again."""
    project = project_get(user=request.user, pk=pk)
    if project.approval == Approval.RETURNED:
        project_approval_request(by=request.user, project=project)
        messages.success(request, "Sent for approval again. Your coach has been told.")
    return redirect("project-page", pk=project.pk)
