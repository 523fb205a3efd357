"""The learning library's search uses its full-text indexes on PostgreSQL: EXPLAIN shows
them, so a search reads the index, not every row's text."""

from __future__ import annotations

import pytest
from django.db import connection

from backend.models import Membership
from spread.selectors import learning_search
from tests.factories import ChangeIdeaFactory, CycleFactory, ProjectFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
INDEXES = ("learning_idea_text", "learning_cycle_text", "learning_project_text")


@pytest.fixture
def library(organisation, ward):
    project = ProjectFactory(organisation=organisation, unit=ward, title="Fewer falls")
    for index in range(30):
        idea = ChangeIdeaFactory(
            project=project, title=f"Idea {index}", status="adopted", learning="Kept it up."
        )
        CycleFactory(project=project, change_idea=idea, number=index + 1, learning="Routine.")
    return project


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        # A table this small is cheaper to read whole, or through its primary key, than
        # through a full-text index, so the planner would rightly do that here; forbidding
        # both shows whether the full-text indexes can serve the search at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
    return queryset.explain()


def test_the_search_reads_the_ideas_cycles_and_projects_indexes(library, member):
    plan = _plan(learning_search(user=member(Membership.Role.FRONTLINE), query="falls routine"))

    for index in INDEXES:
        assert f"Bitmap Index Scan on {index}" in plan, plan


def test_the_indexes_exist_with_the_search_expressions(library):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [list(INDEXES)]
        )
        found = dict(cursor.fetchall())

    assert set(found) == set(INDEXES)
    assert all(
        "USING gin" in definition and "'english'" in definition for definition in found.values()
    )
