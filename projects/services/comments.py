"""Comments on a project: coaching feedback and the team's replies."""

from __future__ import annotations

from django.db import transaction

from backend.comments import comment_text, ensure_comment_author
from backend.errors import refuse
from backend.models import User
from backend.selectors import role_in
from projects.models import Project, ProjectComment
from projects.signals import project_comment_posted


@transaction.atomic
def project_comment_create(*, project: Project, by: User, text: str) -> ProjectComment:
    """Comment on a project. Everyone in its organisation reads the project, so everyone
    may comment on it (a coach's feedback, a board member's thanks); the text is refused
    when empty, too long or holding an NHS number. Sends ``project_comment_posted`` in
    the transaction, so the team hears of it (the notifications app listens)."""
    if role_in(user=by, organisation_id=project.organisation_id) is None:
        refuse("Only members of the project's organisation can comment on it.")
    comment = ProjectComment.objects.create(project=project, author=by, text=comment_text(text))
    project_comment_posted.send(sender=ProjectComment, comment=comment, by=by)
    return comment


@transaction.atomic
def project_comment_delete(*, comment: ProjectComment, by: User) -> None:
    """Delete a comment; only its author may."""
    ensure_comment_author(comment=comment, by=by)
    comment.delete()
