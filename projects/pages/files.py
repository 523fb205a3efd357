"""A project's photos and documents: the list, adding one, opening one, removing one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from backend.errors import forbid
from backend.idempotency import idempotent_page
from backend.pages import invalid_form_response, save_or_refuse
from backend.uploads import AttachmentForm, file_response, max_upload_mb
from projects.models import Project, ProjectFile
from projects.selectors import can_edit_project, project_file_list, project_files, project_get
from projects.services import project_file_add, project_file_remove


def file_rows(project: Project, files: list[ProjectFile]) -> list[dict[str, Any]]:
    """Each file with where it opens (and its preview) and where it is removed."""
    return [
        {
            "file": attachment,
            "url": reverse("project-file", args=[project.pk, attachment.pk]),
            "preview_url": reverse("project-file", args=[project.pk, attachment.pk]) + "?preview=1",
            "remove_url": reverse("project-file-remove", args=[project.pk, attachment.pk]),
        }
        for attachment in files
    ]


@login_required
@idempotent_page
def project_files_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's photos and documents, and (for its team) a form to add one."""
    project = project_get(user=request.user, pk=pk)
    can_edit = can_edit_project(user=request.user, project=project)
    if request.method == "POST" and not can_edit:
        forbid("Only the project's team, its coach and the QI team can add photos and documents.")
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        added = save_or_refuse(
            form,
            lambda: project_file_add(
                by=request.user,
                project=project,
                upload=form.cleaned_data["file"],
                caption=form.cleaned_data["caption"],
            ),
        )
        if added is not None:
            messages.success(request, f"Added “{added}”.")
            return redirect("project-files", pk=project.pk)
    context = {
        "project": project,
        "form": form,
        "can_edit": can_edit,
        "files": file_rows(project, project_files(project=project)),
        "max_mb": max_upload_mb(),
    }
    if form.errors:
        return invalid_form_response(request, "projects/files.html", context)
    return render(request, "projects/files.html", context)


@login_required
@require_GET
def project_file_open(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """One photo or PDF, to people who may see the project (another organisation's: 404)."""
    attachment = get_object_or_404(project_file_list(user=request.user), project_id=pk, pk=file_pk)
    return file_response(attachment, preview=request.GET.get("preview") == "1")


@login_required
@require_POST
@idempotent_page
def project_file_delete(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """Remove a photo or PDF; sent again after it is gone, nothing happens."""
    attachment = project_file_list(user=request.user).filter(project_id=pk, pk=file_pk).first()
    if attachment is not None:
        project_file_remove(by=request.user, attachment=attachment)
        messages.success(request, f"Removed “{attachment}”.")
    return redirect("project-files", pk=pk)
