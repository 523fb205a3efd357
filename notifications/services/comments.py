"""Telling a project's team about a new comment, in the commenter's transaction."""

from __future__ import annotations

from backend.comments import Comment
from notifications.rules.comments import comment_posted
from notifications.services.writing import notifications_write
from projects.models import Project


def comment_tell_team(
    *, comment: Comment, project: Project, cycle_id: int | None = None, about: str = ""
) -> int:
    """Notify the project's team (all but the author) of a comment on the project or on
    one of its cycles, in-app and by e-mail as each prefers; once per comment and person.

    Called from the receivers of the owning app's signal, inside the comment's
    transaction: the notifications commit or roll back with the comment, and e-mails go
    after commit. Returns how many notifications were new."""
    drafts = comment_posted(comment=comment, project=project, cycle_id=cycle_id, about=about)
    return notifications_write(drafts=drafts)
