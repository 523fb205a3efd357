"""The learning library: "has this been tried before?" across every team's change ideas.

It searches change ideas that were tested (testing, adopted, adapted, abandoned), with
what they taught: the idea's title, description and learning, the title, objective and
learning of its cycles, and its context (project, unit, specialty). Abandoned ideas are
there on purpose: knowing what did not work saves a ward a month.

On PostgreSQL it is full-text search ('english' configuration, so "falls" finds "fall"
and "wristbands" finds "wristband"), ranked with titles above learning above context.
On SQLite every word must appear somewhere (plural "s" trimmed), ranked by where.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import reduce
from operator import and_, or_
from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat

from backend.models import User
from backend.selectors import organisation_ids
from pdsa.models import Cycle
from projects.models import ChangeIdea
from projects.selectors import significant_words

Status = ChangeIdea.Status
TRIED_STATUSES = (Status.TESTING, Status.ADOPTED, Status.ADAPTED, Status.ABANDONED)
SEARCH_CONFIG = "english"
_WORD = re.compile(r"\w+")
# Where a word was found counts for this much in the SQLite ranking.
FIELD_WEIGHTS = (("title", 4), ("learning", 3), ("description", 2))
RECENT_FIRST = (F("status_changed_at").desc(nulls_last=True), "-pk")
# How many of a description's longest telling words a suggestion searches for.
SUGGESTION_WORDS = 8


def _cycles() -> Prefetch:
    return Prefetch(
        "cycles",
        queryset=Cycle.objects.only(
            "id", "change_idea_id", "number", "title", "stage", "decision", "learning"
        ).order_by("number"),
    )


def _base(*, user: User, filters: Mapping[str, Any]) -> QuerySet[ChangeIdea]:
    ideas = (
        ChangeIdea.objects.filter(
            project__organisation_id__in=organisation_ids(user=user),
            status__in=TRIED_STATUSES,
        )
        .select_related("project__unit", "spread_candidate")
        .prefetch_related(_cycles())
    )
    if filters.get("status"):
        ideas = ideas.filter(status=filters["status"])
    if filters.get("unit_kind"):
        ideas = ideas.filter(project__unit__kind=filters["unit_kind"])
    if filters.get("specialty"):
        ideas = ideas.filter(project__unit__specialty__iexact=filters["specialty"])
    if filters.get("organisation"):
        ideas = ideas.filter(project__organisation_id=filters["organisation"])
    return ideas


def _cycle_text() -> Subquery:
    text = Concat(
        "title", Value(" "), "objective", Value(" "), "learning", output_field=TextField()
    )
    return Subquery(
        Cycle.objects.filter(change_idea=OuterRef("pk"))
        .values("change_idea")
        .annotate(text=StringAgg(text, delimiter=" "))
        .values("text")
    )


def _document() -> SearchVector:
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("learning", "description", weight="B", config=SEARCH_CONFIG)
        + SearchVector(
            Coalesce(_cycle_text(), Value(""), output_field=TextField()),
            weight="B",
            config=SEARCH_CONFIG,
        )
        + SearchVector(
            "project__title",
            "project__unit__name",
            "project__unit__specialty",
            weight="C",
            config=SEARCH_CONFIG,
        )
    )


def _full_text(ideas: QuerySet[ChangeIdea], wanted: SearchQuery) -> QuerySet[ChangeIdea]:
    vector = _document()
    return (
        ideas.annotate(document=vector, rank=SearchRank(vector, wanted))
        .filter(document=wanted)
        .order_by("-rank", *RECENT_FIRST)
    )


def _trim_plural(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _word_found(word: str) -> Q:
    in_cycles = Cycle.objects.filter(change_idea=OuterRef("pk")).filter(
        Q(title__icontains=word) | Q(objective__icontains=word) | Q(learning__icontains=word)
    )
    return (
        Q(title__icontains=word)
        | Q(description__icontains=word)
        | Q(learning__icontains=word)
        | Q(project__title__icontains=word)
        | Q(project__unit__name__icontains=word)
        | Q(project__unit__specialty__icontains=word)
        | Exists(in_cycles)
    )


def _word_rank(words: list[str]) -> Any:
    rank = Value(0, output_field=IntegerField())
    for word in words:
        for name, weight in FIELD_WEIGHTS:
            rank = rank + Case(
                When(**{f"{name}__icontains": word}, then=Value(weight)),
                default=Value(0),
                output_field=IntegerField(),
            )
    return rank


def _word_match(ideas: QuerySet[ChangeIdea], words: list[str], *, every: bool) -> QuerySet:
    found = [_word_found(word) for word in words]
    wanted = reduce(and_ if every else or_, found)
    return ideas.filter(wanted).annotate(rank=_word_rank(words)).order_by("-rank", *RECENT_FIRST)


def learning_search(
    *, user: User, query: str = "", filters: Mapping[str, Any] | None = None
) -> QuerySet[ChangeIdea]:
    """Tried change ideas of the user's organisations matching ``query``, best first, with
    their project, unit, cycles and spread candidate; a fixed number of queries per page.

    ``filters``: ``status``, ``unit_kind``, ``specialty``, ``organisation``. An empty
    query lists the most recently decided ideas first.
    """
    ideas = _base(user=user, filters=filters or {})
    query = query.strip()
    if not query:
        return ideas.order_by(*RECENT_FIRST)
    if connection.vendor == "postgresql":
        wanted = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
        return _full_text(ideas, wanted)
    words = [_trim_plural(word) for word in _WORD.findall(query.lower())]
    return _word_match(ideas, words, every=True)


def learning_suggestions(
    *, user: User, text: str, organisation_id: int | None = None, limit: int = 5
) -> list[ChangeIdea]:
    """Tried change ideas that share any telling word with ``text`` (a new project's title
    and problem, say), best first: "has this been tried before?" asked of a description
    rather than typed as a search, so any word may match, not every word. At most
    ``limit``, in a fixed number of queries."""
    words = sorted(significant_words(text).values(), key=len, reverse=True)[:SUGGESTION_WORDS]
    if not words:
        return []
    filters = {"organisation": organisation_id} if organisation_id else {}
    ideas = _base(user=user, filters=filters)
    if connection.vendor == "postgresql":
        wanted = reduce(or_, (SearchQuery(word, config=SEARCH_CONFIG) for word in words))
        return list(_full_text(ideas, wanted)[:limit])
    stems = [_trim_plural(word) for word in words]
    return list(_word_match(ideas, stems, every=False)[:limit])
