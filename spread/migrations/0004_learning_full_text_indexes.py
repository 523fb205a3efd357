"""Full-text indexes for the learning library's search, on PostgreSQL only.

The library (``spread.selectors.learning``) searches change ideas, cycles and projects by
their words; each table gets a GIN index of the very expression the search filters on
(``idea_text``, ``cycle_text``, ``project_text``), so PostgreSQL reads the index instead of
analysing every row's text. The expressions are copied here, as a migration must not change
when the code does; tests/spread/test_learning_index.py checks with EXPLAIN that the search
still uses these indexes. SQLite has no full-text operators: the library matches words there.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

CONFIG = "english"


def _indexes():
    return [
        (
            "projects",
            "ChangeIdea",
            GinIndex(
                SearchVector("title", weight="A", config=CONFIG)
                + SearchVector("description", "learning", weight="B", config=CONFIG),
                name="learning_idea_text",
            ),
        ),
        (
            "pdsa",
            "Cycle",
            GinIndex(
                SearchVector("title", "objective", "learning", weight="B", config=CONFIG),
                name="learning_cycle_text",
            ),
        ),
        (
            "projects",
            "Project",
            GinIndex(SearchVector("title", weight="C", config=CONFIG), name="learning_project_text"),
        ),
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for app, model, index in _indexes():
        schema_editor.add_index(apps.get_model(app, model), index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for app, model, index in _indexes():
        schema_editor.remove_index(apps.get_model(app, model), index)


class Migration(migrations.Migration):
    dependencies = [
        ("spread", "0003_package_parts_target_dates_and_offers"),
        ("projects", "0004_history_change_reason_text"),
        ("pdsa", "0004_history_change_reason_text"),
    ]

    operations = [migrations.RunPython(create, drop)]
