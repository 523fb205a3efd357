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

Status = ChangeIdea.Status
TRIED_STATUSES = (Status.TESTING, Status.ADOPTED, Status.ADAPTED, Status.ABANDONED)
SEARCH_CONFIG = "english"
_WORD = re.compile(r"\w+")
# Where a word was found counts for this much in the SQLite ranking.
FIELD_WEIGHTS = (("title", 4), ("learning", 3), ("description", 2))
RECENT_FIRST = (F("status_changed_at").desc(nulls_last=True), "-pk")


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


def _full_text(ideas: QuerySet[ChangeIdea], query: str) -> QuerySet[ChangeIdea]:
    vector = (
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
    wanted = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
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


def _word_match(ideas: QuerySet[ChangeIdea], query: str) -> QuerySet[ChangeIdea]:
    words = [_trim_plural(word) for word in _WORD.findall(query.lower())]
    rank = Value(0, output_field=IntegerField())
    for word in words:
        in_cycles = Cycle.objects.filter(change_idea=OuterRef("pk")).filter(
            Q(title__icontains=word) | Q(objective__icontains=word) | Q(learning__icontains=word)
        )
        ideas = ideas.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(learning__icontains=word)
            | Q(project__title__icontains=word)
            | Q(project__unit__name__icontains=word)
            | Q(project__unit__specialty__icontains=word)
            | Exists(in_cycles)
        )
        for name, weight in FIELD_WEIGHTS:
            rank = rank + Case(
                When(**{f"{name}__icontains": word}, then=Value(weight)),
                default=Value(0),
                output_field=IntegerField(),
            )
    return ideas.annotate(rank=rank).order_by("-rank", *RECENT_FIRST)


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
        return _full_text(ideas, query)
    return _word_match(ideas, query)
