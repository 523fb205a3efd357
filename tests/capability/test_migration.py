"""The membership's hand-set capability level moves to a training record of its own."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("backend", "0002_history_change_reason_text"), ("capability", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_each_hand_set_level_above_awareness_becomes_a_record_set_by_hand_with_its_history():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    organisation = old.get_model("backend", "Organisation").objects.create(name="T", slug="t")
    User = old.get_model("backend", "User")
    Membership = old.get_model("backend", "Membership")
    for email, level in [("coach@t.example", "advanced"), ("nurse@t.example", "awareness")]:
        user = User.objects.create(email=email, full_name=email.split("@")[0].title())
        Membership.objects.create(
            user=user, organisation=organisation, role="coach", capability=level
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps

    people = list(new.get_model("capability", "Person").objects.all())
    assert [(p.email, p.level, p.set_level) for p in people] == [
        ("coach@t.example", "advanced", "advanced")
    ]
    assert people[0].set_reason.startswith("Set by hand on the membership")
    history = new.get_model("capability", "HistoricalPerson").objects.get()
    assert (history.history_type, history.level) == ("+", "advanced")
    assert "capability" not in {f.name for f in new.get_model("backend", "Membership")._meta.fields}
