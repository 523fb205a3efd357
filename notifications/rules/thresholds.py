"""Per-organisation nudge thresholds, with the defaults where an organisation has none."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from notifications.models import NudgeSettings


def _default(name: str) -> int:
    return NudgeSettings._meta.get_field(name).default


@dataclass(frozen=True)
class Thresholds:
    stall_days: int = _default("stall_days")
    overdue_days: int = _default("overdue_days")
    missing_periods: int = _default("missing_periods")
    study_pending_days: int = _default("study_pending_days")


DEFAULT_THRESHOLDS = Thresholds()


class ThresholdBook(dict[int, Thresholds]):
    """Thresholds by organisation id; an organisation without settings gets the defaults."""

    def __missing__(self, organisation_id: int) -> Thresholds:
        return DEFAULT_THRESHOLDS

    def smallest(self, name: str) -> int:
        """The most eager threshold of any organisation: what a query may pre-filter by."""
        return min([getattr(DEFAULT_THRESHOLDS, name)] + [getattr(t, name) for t in self.values()])


def thresholds_by_organisation(organisation_ids: Iterable[int] | None = None) -> ThresholdBook:
    """Every organisation's thresholds in one query (or only those of ``organisation_ids``)."""
    rows = NudgeSettings.objects.all()
    if organisation_ids is not None:
        rows = rows.filter(organisation_id__in=list(organisation_ids))
    return ThresholdBook(
        {
            row.organisation_id: Thresholds(
                stall_days=row.stall_days,
                overdue_days=row.overdue_days,
                missing_periods=row.missing_periods,
                study_pending_days=row.study_pending_days,
            )
            for row in rows
        }
    )
