"""The learning library's search uses its full-text indexes on PostgreSQL: at the size of a
trust's library, EXPLAIN shows PostgreSQL reading them rather than every row's text."""

from __future__ import annotations

import pytest
from django.db import connection

from backend.models import Membership
from pdsa.models import Cycle
from projects.models import ChangeIdea, Project
from spread.selectors import learning_search
from tests.factories import ChangeIdeaFactory, CycleFactory, ProjectFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
INDEXES = ("learning_idea_text", "learning_cycle_text", "learning_project_text")


@pytest.fixture
def library(organisation, ward):
    """300 projects, 1,500 tested ideas and 3,000 cycles; "brief" is in one idea, one cycle
    and one project title, as a word someone searches for is."""
    projects = Project.objects.bulk_create(
        Project(organisation=organisation, unit=ward, title=f"Project {i}", status="active")
        for i in range(300)
    )
    ideas = ChangeIdea.objects.bulk_create(
        ChangeIdea(project=projects[i % 300], title=f"Idea {i}", status="adopted",
                   learning="Kept it up at handover.")
        for i in range(1500)
    )  # fmt: skip
    Cycle.objects.bulk_create(
        Cycle(project=idea.project, change_idea=idea, number=n + 1 + 2 * i, title="Test",
              learning="Routine now.")
        for i, idea in enumerate(ideas)
        for n in range(2)
    )  # fmt: skip
    ProjectFactory(organisation=organisation, unit=ward, title="Briefing before the round")
    briefed = ChangeIdeaFactory(project=projects[0], title="Safety brief", status="adopted")
    CycleFactory(project=projects[1], change_idea=ideas[1], number=99999, learning="A brief.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return briefed


def test_the_search_reads_the_ideas_cycles_and_projects_indexes(library, member):
    searched = learning_search(user=member(Membership.Role.FRONTLINE), query="brief")

    plan = searched.explain()

    for index in INDEXES:
        assert f"Bitmap Index Scan on {index}" in plan, plan
    assert len(searched) == 2  # the idea named for it, and the idea whose cycle taught it


def test_the_indexes_exist_with_the_search_expressions(library):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [list(INDEXES)]
        )
        found = dict(cursor.fetchall())

    assert set(found) == set(INDEXES)
    for definition in found.values():
        assert "USING gin" in definition and "'english'" in definition
