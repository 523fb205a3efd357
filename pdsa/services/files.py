"""Attaching photos and documents to a cycle, and removing them."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from backend.models import User
from backend.uploads import attach, detach
from pdsa.models import Cycle, CycleFile
from pdsa.services.common import ensure_can_edit, record_cycle_change


@transaction.atomic
def cycle_file_add(*, by: User, cycle: Cycle, upload: UploadedFile, caption: str = "") -> CycleFile:
    """Attach a photo or PDF to a cycle: checked by its content, an image's metadata (EXIF,
    location) removed, stored privately (see ``backend.uploads``)."""
    ensure_can_edit(user=by, project=cycle.project)
    attachment = CycleFile(cycle=cycle, uploaded_by=by)
    attachment._history_user = by
    attach(attachment, upload=upload, caption=caption)
    record_cycle_change(project_id=cycle.project_id)
    return attachment


@transaction.atomic
def cycle_file_remove(*, by: User, attachment: CycleFile) -> None:
    """Remove a cycle's photo or PDF (its record stays in the history; the file goes)."""
    ensure_can_edit(user=by, project=attachment.cycle.project)
    attachment._history_user = by
    detach(attachment)
