"""A measure's periods: the first day of a day, a week (Monday), a month or a quarter.

The one home for period arithmetic: the data services check periods with it, the pages
suggest the next one with it, and the missing-data nudge counts ended periods with it.
"""

from __future__ import annotations

from datetime import date, timedelta

from projects.models import Frequency

_NAMES = {
    Frequency.WEEKLY: "a Monday, the first day of its week",
    Frequency.MONTHLY: "the first day of the month",
    Frequency.QUARTERLY: "the first day of a quarter",
}


def period_start(day: date, frequency: str) -> date:
    """The first day of the period of ``frequency`` that contains ``day``."""
    if frequency == Frequency.DAILY:
        return day
    if frequency == Frequency.WEEKLY:
        return day - timedelta(days=day.weekday())
    if frequency == Frequency.MONTHLY:
        return day.replace(day=1)
    if frequency == Frequency.QUARTERLY:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    raise ValueError(f"unknown frequency {frequency!r}")


def next_period(start: date, frequency: str) -> date:
    """The first day of the period after the one that starts on ``start``."""
    if frequency == Frequency.DAILY:
        return start + timedelta(days=1)
    if frequency == Frequency.WEEKLY:
        return start + timedelta(days=7)
    months = 3 if frequency == Frequency.QUARTERLY else 1
    month_index = start.year * 12 + start.month - 1 + months
    return date(month_index // 12, month_index % 12 + 1, 1)


def period_problem(period: date, frequency: str, today: date) -> str | None:
    """What is wrong with ``period`` as a data point's period, if anything, in words."""
    if period > today:
        return "is in the future; data are recorded for periods that have started."
    start = period_start(period, frequency)
    if start != period:
        return f"must be {_NAMES[frequency]}, e.g. {start.isoformat()}."
    return None


def likely_next_period(last: date | None, frequency: str, today: date) -> date:
    """The period a new data point is most likely for: the one after the last recorded,
    unless that has not started yet (then the current one)."""
    current = period_start(today, frequency)
    if last is None:
        return current
    following = next_period(last, frequency)
    return following if following <= today else current


def ended_periods(first: date, today: date, frequency: str, *, at_most: int) -> int:
    """How many periods from ``first`` onwards have ended by ``today`` (counting stops at
    ``at_most``, which is all a threshold needs). A period has ended on its next one's first day.
    """
    count = 0
    start = period_start(first, frequency)
    while count < at_most:
        start = next_period(start, frequency)
        if start > today:
            break
        count += 1
    return count
