"""The learning library's answer to "has this been tried before?" while a team registers a
project: lent to ``projects.tried_before`` in ``SpreadConfig.ready()``."""

from __future__ import annotations

from django.urls import reverse

from backend.models import User
from projects.tried_before import TriedChange
from spread.selectors import learning_suggestions

# Enough of what a team learned to judge whether to open it.
LEARNING_WORDS = 40


def _gist(text: str) -> str:
    words = text.split()
    return " ".join(words[:LEARNING_WORDS]) + (" …" if len(words) > LEARNING_WORDS else "")


def tried_changes(*, user: User, text: str, organisation_id: int, limit: int) -> list[TriedChange]:
    """Tried changes of the organisation matching ``text``, each linked to where it was
    tried (the change idea on its project's page)."""
    return [
        TriedChange(
            title=idea.title,
            outcome=idea.status,
            outcome_label=idea.get_status_display(),
            unit_name=idea.project.unit.name,
            project_title=idea.project.title,
            learning=_gist(idea.learning or idea.description),
            url=reverse("project-page", args=[idea.project_id]) + "#driver-diagram",
        )
        for idea in learning_suggestions(
            user=user, text=text, organisation_id=organisation_id, limit=limit
        )
    ]
