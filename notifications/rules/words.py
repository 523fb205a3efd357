"""Small helpers so every message reads the same way."""

from __future__ import annotations

from backend.words import plural

# Charts whose plotted values are proportions: read as percentages.
PROPORTION_CHARTS = frozenset({"p", "pp"})


def number(value: float | None, chart: str | None = None) -> str:
    """12.0 -> "12", 0.12345 -> "0.12", 1234.5 -> "1,234.5"; on a p chart 0.123 -> "12.3%"."""
    if value is None:
        return "-"
    if chart in PROPORTION_CHARTS:
        return f"{number(value * 100)}%"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


PERIOD_WORDS = {
    "daily": ("day", "days"),
    "weekly": ("week", "weeks"),
    "monthly": ("month", "months"),
    "quarterly": ("quarter", "quarters"),
}


def periods(count: int, frequency: str) -> str:
    one, many = PERIOD_WORDS.get(frequency, ("period", "periods"))
    return plural(count, one, many)
