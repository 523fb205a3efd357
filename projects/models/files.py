"""Photos and documents attached to a project (a poster, the new form, a huddle board)."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from backend.uploads import Attachment
from projects.models.portfolio import Project


class ProjectFile(Attachment):
    """A photo or PDF of a project; checked, cleaned and served as ``backend.uploads`` says."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="files")

    history = HistoricalRecords()

    class Meta(Attachment.Meta):
        indexes = [models.Index(fields=["project", "-created_at"])]
