"""Saying a project back to its team in words: the Model for Improvement's aim as one
sentence ("What are we trying to accomplish?": what, how much, by when)."""

from __future__ import annotations

from datetime import date


def _number(value: float) -> str:
    return f"{value:g}"


def aim_sentence(
    *,
    what: str,
    how_much: str = "",
    baseline: float | None = None,
    target: float | None = None,
    by_when: date | None = None,
) -> str:
    """The aim as one sentence, from whichever parts are given: "We will reduce inpatient
    falls by 40%, from 7 to 4, by 31 December 2026." Empty without ``what``."""
    what = what.strip().rstrip(".")
    if not what:
        return ""
    if what[1:2].islower():  # "Reduce falls" reads "we will reduce falls"; "ED waits" stays
        what = what[0].lower() + what[1:]
    sentence = f"We will {what}"
    if how_much.strip():
        sentence += f" {how_much.strip().rstrip('.')}"
    numbers = ""
    if baseline is not None and target is not None:
        numbers = f"from {_number(baseline)} to {_number(target)}"
    elif target is not None:
        numbers = f"to {_number(target)}"
    if numbers:
        sentence += f", {numbers}"
    if by_when is not None:
        sentence += f"{',' if numbers else ''} by {by_when.day} {by_when:%B %Y}"
    return sentence + "."
