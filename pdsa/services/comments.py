"""Comments on a cycle: a coach's feedback on the test and the team's replies."""

from __future__ import annotations

from django.db import transaction

from backend.comments import comment_text, ensure_comment_author
from backend.errors import refuse
from backend.models import User
from backend.selectors import role_in
from pdsa.models import Cycle, CycleComment
from pdsa.signals import cycle_comment_posted


@transaction.atomic
def cycle_comment_create(*, cycle: Cycle, by: User, text: str) -> CycleComment:
    """Comment on a cycle. Everyone in the project's organisation reads its cycles, so
    everyone may comment; the text is refused when empty, too long or holding an NHS
    number. Sends ``cycle_comment_posted`` in the transaction, so the project's team hears
    of it (the notifications app listens)."""
    if role_in(user=by, organisation_id=cycle.project.organisation_id) is None:
        refuse("Only members of the project's organisation can comment on its cycles.")
    comment = CycleComment.objects.create(cycle=cycle, author=by, text=comment_text(text))
    cycle_comment_posted.send(sender=CycleComment, comment=comment, by=by)
    return comment


@transaction.atomic
def cycle_comment_delete(*, comment: CycleComment, by: User) -> None:
    """Delete a comment; only its author may."""
    ensure_comment_author(comment=comment, by=by)
    comment.delete()
