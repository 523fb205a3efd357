"""Comments on a project: coaching feedback and the team's replies."""

from __future__ import annotations

from django.db import models

from backend.comments import Comment
from projects.models.portfolio import Project


class ProjectComment(Comment):
    """A comment on a project, read by everyone who reads the project; its team is told."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="comments")

    class Meta(Comment.Meta):
        indexes = [models.Index(fields=["project", "created_at"])]
