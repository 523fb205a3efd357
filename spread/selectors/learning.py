"""The learning library: "has this been tried before?" across every team's change ideas.

It searches change ideas that were tested (testing, adopted, adapted, abandoned), with
what they taught: the idea's title, description and learning, the title, objective and
learning of its cycles, and its context (project, unit, specialty). Abandoned ideas are
there on purpose: knowing what did not work saves a ward a month.

On PostgreSQL it is full-text search ('english' configuration, so "falls" finds "fall"
and "wristbands" finds "wristband"), ranked with titles above learning above context.
Ideas, cycles and projects each have a full-text index of their words, and every word of
a search narrows the ideas through them: a word in an idea's title and another in its
cycle's learning find it together, and no row's whole text is read. A phrase in quotes or
"or" (websearch syntax) is matched against the whole text of the ideas holding any of the
words. On SQLite every word must appear somewhere (plural "s" trimmed), ranked by where.
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

from backend.models import Unit, User
from backend.selectors import organisation_ids
from pdsa.models import Cycle
from projects.models import ChangeIdea, Project, StrategicAim
from projects.selectors import significant_words

Status = ChangeIdea.Status
TRIED_STATUSES = (Status.TESTING, Status.ADOPTED, Status.ADAPTED, Status.ABANDONED)
SEARCH_CONFIG = "english"
_WORD = re.compile(r"\w+")
_SIGNED_WORD = re.compile(r"(-?)(\w+)")
# Words, each perhaps marked "-" to leave out: no quotes or other websearch syntax.
_PLAIN = re.compile(r"^[\w\s-]*$")
# Where a word was found counts for this much in the SQLite ranking.
FIELD_WEIGHTS = (("title", 4), ("learning", 3), ("description", 2))
# How many of a description's longest telling words a suggestion searches for.
SUGGESTION_WORDS = 8
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
    if filters.get("aim"):
        # The aim, or an aim beneath it in the cascade (division, then ward).
        aim = filters["aim"]
        serving = Project.objects.filter(
            Q(aims=aim) | Q(aims__parent=aim) | Q(aims__parent__parent=aim)
        )
        ideas = ideas.filter(project__in=serving.values("pk"))
    return ideas


def idea_text() -> SearchVector:
    """A change idea's own words, as its full-text index holds them (titles weigh most)."""
    return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "description", "learning", weight="B", config=SEARCH_CONFIG
    )


def cycle_text() -> SearchVector:
    """A cycle's words, as its full-text index holds them."""
    return SearchVector("title", "objective", "learning", weight="B", config=SEARCH_CONFIG)


def project_text() -> SearchVector:
    """A project's title, as its full-text index holds it (context weighs least)."""
    return SearchVector("title", weight="C", config=SEARCH_CONFIG)


def _cycles_text() -> Subquery:
    text = Concat(
        "title", Value(" "), "objective", Value(" "), "learning", output_field=TextField()
    )
    return Subquery(
        Cycle.objects.filter(change_idea=OuterRef("pk"))
        .values("change_idea")
        .annotate(text=StringAgg(text, delimiter=" "))
        .values("text")
    )


def _any_of(words: list[str]) -> SearchQuery | None:
    found = None
    for word in words:
        one = SearchQuery(word, config=SEARCH_CONFIG)
        found = one if found is None else found | one
    return found


def _searchable(words: list[str]) -> set[str]:
    """The words PostgreSQL can search by: a stop word ("the", "at") has no lexeme, and
    the search ignores it, as its websearch syntax does."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM unnest(%s::text[]) AS word "
            "WHERE numnode(plainto_tsquery(%s::regconfig, word)) > 0",
            [words, SEARCH_CONFIG],
        )
        return {row[0] for row in cursor.fetchall()}


def _hits(words: SearchQuery) -> QuerySet:
    """Ideas holding ``words`` anywhere (the idea, a cycle, the project, the unit), each
    table searched through its own full-text index (``spread/migrations/0004``)."""
    ideas = ChangeIdea.objects.annotate(text=idea_text()).filter(text=words)
    cycles = Cycle.objects.annotate(text=cycle_text()).filter(text=words, change_idea__isnull=False)
    projects = Project.objects.annotate(text=project_text()).filter(text=words)
    # Units are few (hundreds), so their names and specialties need no index.
    units = Unit.objects.annotate(
        text=SearchVector("name", "specialty", config=SEARCH_CONFIG)
    ).filter(text=words)
    return (
        ideas.order_by()
        .values("pk")
        .union(
            cycles.order_by().values("change_idea_id"),
            ChangeIdea.objects.filter(project__in=projects.order_by().values("pk"))
            .order_by()
            .values("pk"),
            ChangeIdea.objects.filter(project__unit__in=units.order_by().values("pk"))
            .order_by()
            .values("pk"),
        )
    )


def _whole_text() -> SearchVector:
    """Everything an idea is found by: its words, its cycles' and its context's."""
    return (
        idea_text()
        + SearchVector(
            Coalesce(_cycles_text(), Value(""), output_field=TextField()),
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


def _full_text(ideas: QuerySet[ChangeIdea], query: str) -> QuerySet[ChangeIdea]:
    terms = [(sign == "-", word) for sign, word in _SIGNED_WORD.findall(query)]
    if not _PLAIN.match(query) or any(word.lower() == "or" for _, word in terms):
        # A phrase in quotes, or "or": websearch syntax over the whole text, narrowed
        # first (through the indexes) to the ideas holding any of the words.
        wanted = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
        words = _any_of([word for negated, word in terms if not negated and word != "or"])
        if words is not None:
            ideas = ideas.filter(pk__in=_hits(words))
        return (
            ideas.annotate(document=_whole_text(), rank=SearchRank(_whole_text(), wanted))
            .filter(document=wanted)
            .order_by("-rank", *RECENT_FIRST)
        )
    # Plain words: each must be somewhere (and none marked "-"), so each narrows the ideas
    # through the indexes; nothing reads the whole text.
    searchable = _searchable([word for _, word in terms])
    terms = [(negated, word) for negated, word in terms if word in searchable]
    if not terms:
        return ideas.none()
    for negated, word in terms:
        hits = _hits(SearchQuery(word, config=SEARCH_CONFIG))
        ideas = ideas.exclude(pk__in=hits) if negated else ideas.filter(pk__in=hits)
    wanted = _any_of([word for negated, word in terms if not negated])
    if wanted is None:
        return ideas.order_by(*RECENT_FIRST)
    # Ideas whose own words (title, description, learning) hold a word first, then those
    # found through a cycle or the context; the most recently decided first within each.
    # Read through the ideas' index too: ranking by weight would analyse every hit's text.
    return _own_words_first(ideas, wanted)


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


def _word_match(ideas: QuerySet[ChangeIdea], words: list[str], *, every: bool) -> QuerySet:
    """SQLite's search: every word (or any, for suggestions) somewhere, ranked by where."""
    rank = Value(0, output_field=IntegerField())
    for word in words:
        for name, weight in FIELD_WEIGHTS:
            rank = rank + Case(
                When(**{f"{name}__icontains": word}, then=Value(weight)),
                default=Value(0),
                output_field=IntegerField(),
            )
    wanted = reduce(and_ if every else or_, [_word_found(word) for word in words])
    return ideas.filter(wanted).annotate(rank=rank).order_by("-rank", *RECENT_FIRST)


def _own_words_first(ideas: QuerySet[ChangeIdea], wanted: SearchQuery) -> QuerySet[ChangeIdea]:
    # Ideas whose own words (title, description, learning) hold a word first, then those
    # found through a cycle or the context; the most recently decided first within each.
    # Read through the ideas' index: ranking by weight would analyse every hit's text.
    own = ChangeIdea.objects.annotate(text=idea_text()).filter(text=wanted, pk=OuterRef("pk"))
    return ideas.annotate(rank=Exists(own)).order_by("-rank", *RECENT_FIRST)


def learning_search(
    *, user: User, query: str = "", filters: Mapping[str, Any] | None = None
) -> QuerySet[ChangeIdea]:
    """Tried change ideas of the user's organisations matching ``query``, best first, with
    their project, unit, cycles and spread candidate; a fixed number of queries per page.

    ``filters``: ``status``, ``unit_kind``, ``specialty``, ``organisation``, ``aim`` (a
    strategic aim the idea's project serves). An empty
    query lists the most recently decided ideas first.
    """
    ideas = _base(user=user, filters=filters or {})
    query = query.strip()
    if not query:
        return ideas.order_by(*RECENT_FIRST)
    if connection.vendor == "postgresql":
        return _full_text(ideas, query)
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
        wanted = _any_of(sorted(_searchable(words)))
        if wanted is None:
            return []
        return list(_own_words_first(ideas.filter(pk__in=_hits(wanted)), wanted)[:limit])
    stems = [_trim_plural(word) for word in words]
    return list(_word_match(ideas, stems, every=False)[:limit])


def learning_aims(*, user: User) -> QuerySet[StrategicAim]:
    """The bold aims of the user's organisations, to filter the library by (a project
    serving an aim beneath one counts too)."""
    return (
        StrategicAim.objects.filter(
            organisation_id__in=organisation_ids(user=user), parent__isnull=True
        )
        .only("id", "title")
        .order_by("title")
    )
