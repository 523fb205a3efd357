"""Comments: the project's team hears when someone comments on its project or a cycle.

Who hears: everyone on the team but the author. Which occurrence: the comment itself
(its id is the period), so each comment is said once to each person, however often the
writer runs.
"""

from __future__ import annotations

from backend.comments import Comment
from notifications import links
from notifications.models import Kind
from notifications.rules.drafts import Draft, drafts_for_recipients
from notifications.rules.team import everyone, team_by_project
from projects.models import Project

# An e-mail subject and a list line stay short; the whole comment is in the body.
PREVIEW_CHARS = 80


def _preview(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= PREVIEW_CHARS else line[: PREVIEW_CHARS - 1].rstrip() + "…"


def comment_posted(
    *, comment: Comment, project: Project, cycle_id: int | None = None, about: str = ""
) -> list[Draft]:
    """Drafts telling the project's team (all but the author) of a new comment on the
    project, or on one of its cycles (``cycle_id``, with ``about`` naming it: "cycle 3
    'Falls huddle'")."""
    team = everyone(team_by_project([project.pk]).get(project.pk, {}))
    recipients = [user_id for user_id in team if user_id != comment.author_id]
    subject = about or project.title
    return drafts_for_recipients(
        recipients,
        organisation_id=project.organisation_id,
        kind=Kind.COMMENT,
        subject_type="cycle" if cycle_id is not None else "project",
        subject_id=cycle_id if cycle_id is not None else project.pk,
        period=f"comment-{comment.pk}",
        title=f"{comment.author_name} commented on {subject}: {_preview(comment.text)}",
        body=f"{comment.author_name} commented on {subject} ({project.title}):\n\n{comment.text}",
        link=links.comment_link(comment_id=comment.pk, project_id=project.pk, cycle_id=cycle_id),
        evidence={"comment_id": comment.pk},
        project_id=project.pk,
        cycle_id=cycle_id,
    )
