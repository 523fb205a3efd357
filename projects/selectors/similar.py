"""Similar projects: what was tried before, shown while a team registers a new one.

The score is meant to be explained to a nurse, not tuned: shared words between the new
title and an existing project's title and aim, plus a bonus for the same strategic aim
and for the same kind of unit. Every suggestion carries its reasons in words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from backend.models import Unit, User
from projects.models import Project
from projects.selectors.projects import project_list

# How many existing projects are scored at most: recent ones first.
CANDIDATE_LIMIT = 300
# Words searched for in titles when picking candidates; the longest are the most telling.
SEARCH_WORDS = 6
WORDING_WEIGHT = 0.6
SAME_AIM_WEIGHT = 0.25
SAME_UNIT_KIND_WEIGHT = 0.15
MIN_SCORE = 0.2

_STOP_WORDS = frozenset(
    re.findall(
        r"\w+",
        """a an and are as at be by for from has have how in into is it its of on or our per
        project reduce improve improving increase the their to up use using we with within
        without ward wards all more less""",
    )
)
_WORD = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    # Plurals only, so "falls" meets "fall" and "injuries" "injury"; the stem is also
    # what the candidate query searches for, and "fall" is found inside "falls".
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def significant_words(text: str) -> dict[str, str]:
    """The words that carry meaning in ``text``, by stem, each with how it was written."""
    words: dict[str, str] = {}
    for word in _WORD.findall(text.lower()):
        if len(word) >= 3 and word not in _STOP_WORDS:
            words.setdefault(_stem(word), word)
    return words


@dataclass
class SimilarProject:
    project: Project
    score: float
    reasons: list[str] = field(default_factory=list)
    shared_words: list[str] = field(default_factory=list)


def _candidates(
    *, user: User, words: Iterable[str], unit: Unit | None, aim_ids: list[int]
) -> list[Project]:
    wanted = Q()
    for word in sorted(words, key=len, reverse=True)[:SEARCH_WORDS]:
        wanted |= Q(title__icontains=word) | Q(aim_statement__icontains=word)
    if aim_ids:
        wanted |= Q(aims__in=aim_ids)
    if unit is not None:
        wanted |= Q(unit__kind=unit.kind)
    if not wanted:
        return []
    projects = project_list(user=user)
    if unit is not None:
        projects = projects.filter(organisation_id=unit.organisation_id)
    ids = projects.filter(wanted).values("id").distinct()
    return list(projects.filter(pk__in=ids).order_by("-updated_at")[:CANDIDATE_LIMIT])


def project_similar(
    *,
    user: User,
    title: str,
    unit: Unit | None = None,
    aim_ids: list[int] | None = None,
    exclude_id: int | None = None,
    limit: int = 10,
) -> list[SimilarProject]:
    """Existing projects like the one described, best first, each with its reasons.

    Candidates are the most recently updated projects (at most ``CANDIDATE_LIMIT``) that
    share a word of the title, an aim, or the kind of unit; the score is
    0.6 x word overlap (Dice, over stemmed significant words of title and aim statement)
    + 0.25 for a shared aim + 0.15 for the same unit kind. Three queries whatever the size.
    """
    aim_ids = aim_ids or []
    wanted_words = significant_words(title)
    found = []
    for project in _candidates(user=user, words=wanted_words.keys(), unit=unit, aim_ids=aim_ids):
        if project.pk == exclude_id:
            continue
        their_words = significant_words(f"{project.title} {project.aim_statement}")
        shared = sorted(wanted_words.keys() & their_words.keys())
        wording = 2 * len(shared) / (len(wanted_words) + len(their_words)) if wanted_words else 0.0
        score = WORDING_WEIGHT * wording
        reasons = []
        shared_aims = [aim for aim in project.aims.all() if aim.pk in aim_ids]
        if shared_aims:
            score += SAME_AIM_WEIGHT
            reasons.append("serves the same aim (" + ", ".join(a.title for a in shared_aims) + ")")
        if unit is not None and project.unit.kind == unit.kind:
            score += SAME_UNIT_KIND_WEIGHT
            if project.unit_id == unit.pk:
                reasons.append("on the same ward or team")
            else:
                reasons.append(f"the same kind of place ({project.unit.get_kind_display()})")
        if shared:
            words = ", ".join(their_words[stem] for stem in shared)
            reasons.append(f"uses the same words: {words}")
        if score >= MIN_SCORE:
            found.append(
                SimilarProject(
                    project=project,
                    score=round(min(score, 1.0), 2),
                    reasons=reasons,
                    shared_words=[their_words[stem] for stem in shared],
                )
            )
    found.sort(key=lambda item: (-item.score, -item.project.updated_at.timestamp()))
    return found[:limit]
