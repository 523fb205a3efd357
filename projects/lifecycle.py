"""The project lifecycle: which status may follow which, and what a refusal says.

proposed -> active, on hold or abandoned; active -> on hold, sustaining, spreading,
completed or abandoned; on hold -> active or abandoned; sustaining -> active (it slipped),
spreading, completed or abandoned; spreading -> sustaining or completed. Completed and
abandoned are final for the team: only the QI team or an administrator reopens them
(completed -> active, sustaining or spreading; abandoned -> proposed or active).
"""

from __future__ import annotations

from projects.models import Project

Status = Project.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PROPOSED: frozenset({Status.ACTIVE, Status.ON_HOLD, Status.ABANDONED}),
    Status.ACTIVE: frozenset(
        {Status.ON_HOLD, Status.SUSTAINING, Status.SPREADING, Status.COMPLETED, Status.ABANDONED}
    ),
    Status.ON_HOLD: frozenset({Status.ACTIVE, Status.ABANDONED}),
    Status.SUSTAINING: frozenset(
        {Status.ACTIVE, Status.SPREADING, Status.COMPLETED, Status.ABANDONED}
    ),
    Status.SPREADING: frozenset({Status.SUSTAINING, Status.COMPLETED}),
    Status.COMPLETED: frozenset(),
    Status.ABANDONED: frozenset(),
}
REOPENINGS: dict[str, frozenset[str]] = {
    Status.COMPLETED: frozenset({Status.ACTIVE, Status.SUSTAINING, Status.SPREADING}),
    Status.ABANDONED: frozenset({Status.PROPOSED, Status.ACTIVE}),
}
# Completed or abandoned: the team's work is over (only the QI team reopens it).
FINAL = frozenset(REOPENINGS)
# Not over: from proposed to spreading, on hold included (coaches still look after it).
OPEN = frozenset(Status.values) - FINAL
# Under way: cycles to run and data to collect, so stalls and missing data are nudged.
LIVE = frozenset({Status.ACTIVE, Status.SUSTAINING, Status.SPREADING})
# Statuses a project can only reach once it has run: the aim was being worked on.
NEEDS_A_START = frozenset({Status.SUSTAINING, Status.SPREADING, Status.COMPLETED})


def _label(status: str) -> str:
    return Status(status).label.lower()


def _listed(statuses: frozenset[str]) -> str:
    ordered = [_label(status) for status in Status.values if status in statuses]
    return ordered[0] if len(ordered) == 1 else f"{', '.join(ordered[:-1])} or {ordered[-1]}"


def next_statuses(current: str, *, may_reopen: bool) -> list[str]:
    """The statuses a project may move to next, in lifecycle order."""
    allowed = TRANSITIONS[current] | (REOPENINGS.get(current, frozenset()) if may_reopen else set())
    return [status for status in Status.values if status in allowed]


def transition_refusal(current: str, wanted: str, *, may_reopen: bool) -> str | None:
    """Why the move from ``current`` to ``wanted`` is refused, or None when it is allowed."""
    if wanted == current:
        return f"The project is already {_label(current)}."
    if current in FINAL:
        if not may_reopen:
            return (
                f"This project is {_label(current)}; only the QI team or an administrator "
                "can reopen it."
            )
        if wanted not in REOPENINGS[current]:
            return (
                f"A {_label(current)} project can be reopened as "
                f"{_listed(REOPENINGS[current])}, not {_label(wanted)}."
            )
        return None
    if wanted in TRANSITIONS[current]:
        return None
    if current == Status.PROPOSED and wanted in NEEDS_A_START:
        return (
            f"A proposed project cannot be {_label(wanted)}: start it (make it active) "
            "first, or abandon it."
        )
    return (
        f"A project cannot go from {_label(current)} to {_label(wanted)}; from "
        f"{_label(current)} it can go to {_listed(TRANSITIONS[current])}."
    )
