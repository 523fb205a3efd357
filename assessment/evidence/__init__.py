"""Evidence for the key tests, computed from what Ripple holds.

One function per key test Ripple can speak to, registered under its code with
``@evidence_for("O1")``. Each reads the organisation's data as it stands on ``as_of``
(windows such as "the last 12 months" end then; the state of projects is today's) and
returns an ``Evidence``: a sentence, the figures (compared year on year by label), the
records behind them (each linked to its page), where to see it in Ripple, and how it was
counted. Every function is a fixed handful of queries, whatever the size of the
organisation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from backend.models import Organisation

ROWS_KEPT = 60


@dataclass
class Evidence:
    statement: str
    figures: list[dict[str, Any]]
    method: str
    source: dict[str, str]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self, as_of: date) -> dict[str, Any]:
        data = asdict(self)
        data["more_rows"] = max(0, len(self.rows) - ROWS_KEPT)
        data["rows"] = self.rows[:ROWS_KEPT]
        data["as_of"] = as_of.isoformat()
        return data


Computation = Callable[[Organisation, date], Evidence]
_REGISTRY: dict[str, Computation] = {}


def evidence_for(code: str) -> Callable[[Computation], Computation]:
    """Register the function that computes a key test's evidence."""

    def register(function: Computation) -> Computation:
        _REGISTRY[code] = function
        return function

    return register


def computed_codes() -> list[str]:
    """The key tests Ripple computes evidence for."""
    _load()
    return sorted(_REGISTRY)


def compute(code: str, organisation: Organisation, as_of: date) -> dict[str, Any] | None:
    """The key test's evidence as stored on an answer, or None when Ripple holds none."""
    _load()
    function = _REGISTRY.get(code)
    return function(organisation, as_of).as_json(as_of) if function else None


def _load() -> None:
    # The modules register themselves when imported.
    from assessment.evidence import capability, leadership, operating, support, vision  # noqa: F401


def year_before(as_of: date) -> tuple[datetime, datetime]:
    """The twelve months up to and including ``as_of``, as aware datetimes [start, end)."""
    start = as_of - timedelta(days=365)
    return _aware(start + timedelta(days=1)), _aware(as_of + timedelta(days=1))


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def share(part: int, whole: int) -> int:
    """``part`` of ``whole`` as a whole percentage (0 when there is nothing to share)."""
    return round(100 * part / whole) if whole else 0


def figure(label: str, value: int | float | str, unit: str = "") -> dict[str, Any]:
    """One figure of the evidence; figures with the same label are compared year on year."""
    return {"label": label, "value": value, "unit": unit}


def row(label: str, detail: str = "", url: str | None = None) -> dict[str, Any]:
    """One record behind a figure, with the page it comes from."""
    return {"label": label, "detail": detail, "url": url}
