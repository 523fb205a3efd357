"""The skills escalator: four levels of improvement skill, from the many to the few, and
how each is worded for people (the gaps in words, a person's record).

Foundation is a basic awareness of improvement, for everyone; Practitioner leads
improvement projects with the method; Advanced leads programmes, coaches and teaches;
Expert is the small group recognised by peers for deep experience. Someone at a level
has the skills of the levels below it, so they count towards those levels' targets too.
"""

from __future__ import annotations

from django.db import models


class Level(models.TextChoices):
    FOUNDATION = "foundation", "Foundation"
    PRACTITIONER = "practitioner", "Practitioner"
    ADVANCED = "advanced", "Advanced"
    EXPERT = "expert", "Expert"


# From the many to the few: the order of the pyramid's tiers, bottom up.
LEVELS: tuple[str, ...] = tuple(Level.values)
NOT_YET = "Not yet trained"

# How a number of people at each level is said: (one, many).
PEOPLE_WORDS = {
    Level.FOUNDATION: ("person with foundation training", "people with foundation training"),
    Level.PRACTITIONER: ("practitioner", "practitioners"),
    Level.ADVANCED: ("advanced practitioner", "advanced practitioners"),
    Level.EXPERT: ("expert", "experts"),
}

DESCRIPTIONS = {
    Level.FOUNDATION: "A basic awareness of improvement: for everyone.",
    Level.PRACTITIONER: "Leads improvement projects with the method.",
    Level.ADVANCED: "Leads programmes, coaches and teaches.",
    Level.EXPERT: "Recognised by peers for deep experience and leadership in improvement.",
}


def rank(level: str) -> int:
    """0 for no level, then 1 (foundation) to 4 (expert)."""
    return LEVELS.index(level) + 1 if level in LEVELS else 0


def at_least(level: str) -> list[str]:
    """The levels at or above ``level``: whom a count "trained to at least" includes."""
    return list(LEVELS[LEVELS.index(level) :])


def highest(levels: list[str]) -> str:
    """The highest of ``levels``, or "" when there are none."""
    return max(levels, key=rank, default="")


def label(level: str) -> str:
    """A level as people read it; no level is "Not yet trained"."""
    return Level(level).label if level in LEVELS else NOT_YET


def people(count: int, level: str) -> str:
    """``count`` people at ``level``, in words: "12 practitioners", "1 expert"."""
    one, many = PEOPLE_WORDS[Level(level)]
    return f"{count:,} {one if count == 1 else many}"
