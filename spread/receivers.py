"""Spread listens to PDSA: an "adopt" decision may put the change forward for spread."""

from __future__ import annotations

from typing import Any

from backend.models import User
from pdsa.models import Cycle
from spread import services


def suggest_on_adopt(
    sender: type[Cycle], *, cycle: Cycle, decision: str, by: User | None, **kwargs: Any
) -> None:
    """Suggest the adopted change for spread when its measures show a real win.

    Runs inside the decision's transaction (the SPC readings are cached and the writes
    are a few rows), so the suggestion commits or rolls back with the decision.
    """
    if decision == Cycle.Decision.ADOPT:
        services.candidate_suggest(cycle=cycle, by=by)
