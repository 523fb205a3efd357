"""Attaching photos and documents to a project, and removing them."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from backend.models import User
from backend.uploads import attach, detach
from projects.models import Project, ProjectFile
from projects.services.projects import ensure_can_edit_project


@transaction.atomic
def project_file_add(
    *, by: User, project: Project, upload: UploadedFile, caption: str = ""
) -> ProjectFile:
    """Attach a photo or PDF to a project: checked by its content, an image's metadata
    (EXIF, location) removed, stored privately (see ``backend.uploads``)."""
    ensure_can_edit_project(by=by, project=project, action="add photos and documents to")
    attachment = ProjectFile(project=project, uploaded_by=by)
    attachment._history_user = by
    attach(attachment, upload=upload, caption=caption)
    Project.objects.filter(pk=project.pk).update(last_activity_at=timezone.now())
    return attachment


@transaction.atomic
def project_file_remove(*, by: User, attachment: ProjectFile) -> None:
    """Remove a project's photo or PDF (its record stays in the history; the file goes)."""
    ensure_can_edit_project(
        by=by, project=attachment.project, action="remove photos and documents of"
    )
    attachment._history_user = by
    detach(attachment)
