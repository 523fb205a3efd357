""" "Has this been tried before?": what a team sees beside the form as it registers a project.

Two kinds of answer: projects like the one described (this app's ``project_similar``), and
changes other teams tried, with what they learned (the learning library). The library is
the spread app's, built on PDSA cycles, and this app must not import it; so spread lends
its search here in its ``AppConfig.ready()`` (``register_learning_source``), as apps lend
their header links to ``backend.navigation``. Without spread installed, the learning part
is simply empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from backend.models import User


@dataclass(frozen=True)
class TriedChange:
    """A change a team tried, as a learning-library entry: what, where, what became of it."""

    title: str
    outcome: str  # the change idea's status: testing, adopted, adapted or abandoned
    outcome_label: str
    unit_name: str
    project_title: str
    learning: str
    url: str


# ``source(user=..., text=..., organisation_id=..., limit=...)`` -> the best matches first.
LearningSource = Callable[..., list[TriedChange]]
_learning_sources: dict[str, LearningSource] = {}


def register_learning_source(name: str, source: LearningSource) -> None:
    """Lend a search of tried changes (idempotent by name, so a reloaded app does not
    repeat)."""
    _learning_sources[name] = source


def tried_changes(
    *, user: User, text: str, organisation_id: int, limit: int = 5
) -> list[TriedChange]:
    """Changes tried in ``organisation_id`` that match words of ``text``, best first."""
    if not text.strip():
        return []
    found: list[TriedChange] = []
    for source in _learning_sources.values():
        found += source(user=user, text=text, organisation_id=organisation_id, limit=limit)
    return found[:limit]
