"""How Ripple writes counts and dates in a sentence, so every page and message agrees."""

from __future__ import annotations

from datetime import date


def plural(count: int, one: str, many: str | None = None) -> str:
    """``count`` and the noun that agrees with it: "1 project", "1,204 projects"."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def day(value: date) -> str:
    """A date as people write it, with no leading zero: "5 Mar 2026"."""
    return f"{value.day} {value:%b %Y}"
