"""A cycle's photos and documents: the list, adding one, opening one, removing one."""

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
from pdsa.models import Cycle, CycleFile
from pdsa.selectors import cycle_file_list, cycle_list
from pdsa.services import cycle_file_add, cycle_file_remove
from projects.selectors import can_edit_project


def file_rows(cycle: Cycle, files: list[CycleFile]) -> list[dict[str, Any]]:
    """Each file with where it opens (and its preview) and where it is removed."""
    rows = []
    for attachment in files:
        url = reverse("cycle-file", args=[cycle.pk, attachment.pk])
        rows.append(
            {
                "file": attachment,
                "url": url,
                "preview_url": f"{url}?preview=1",
                "remove_url": reverse("cycle-file-remove", args=[cycle.pk, attachment.pk]),
            }
        )
    return rows


@login_required
@idempotent_page
def cycle_files_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The cycle's photos and documents, and (for the team) a form to add one."""
    cycle = get_object_or_404(cycle_list(user=request.user), pk=pk)
    can_edit = can_edit_project(user=request.user, project=cycle.project)
    if request.method == "POST" and not can_edit:
        forbid("Only the project's team, the QI team and admins can change its cycles.")
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        added = save_or_refuse(
            form,
            lambda: cycle_file_add(
                by=request.user,
                cycle=cycle,
                upload=form.cleaned_data["file"],
                caption=form.cleaned_data["caption"],
            ),
        )
        if added is not None:
            messages.success(request, f"Added “{added}”.")
            return redirect("cycle-files", pk=cycle.pk)
    context = {
        "cycle": cycle,
        "form": form,
        "can_edit": can_edit,
        "files": file_rows(cycle, list(cycle.files.select_related("uploaded_by"))),
        "max_mb": max_upload_mb(),
    }
    if form.errors:
        return invalid_form_response(request, "pdsa/files.html", context)
    return render(request, "pdsa/files.html", context)


@login_required
@require_GET
def cycle_file_open(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """One photo or PDF, to people who may see the cycle (another organisation's: 404)."""
    attachment = get_object_or_404(cycle_file_list(user=request.user), cycle_id=pk, pk=file_pk)
    return file_response(attachment, preview=request.GET.get("preview") == "1")


@login_required
@require_POST
@idempotent_page
def cycle_file_delete(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """Remove a photo or PDF; sent again after it is gone, nothing happens."""
    attachment = cycle_file_list(user=request.user).filter(cycle_id=pk, pk=file_pk).first()
    if attachment is not None:
        cycle_file_remove(by=request.user, attachment=attachment)
        messages.success(request, f"Removed “{attachment}”.")
    return redirect("cycle-files", pk=pk)
