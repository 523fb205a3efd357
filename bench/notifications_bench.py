"""Benchmark the notifications jobs over a large trust: time and database queries.

    .venv/bin/python bench/notifications_bench.py [--projects 500,5000]

For each size, seeds a fresh database (a throw-away test database: PostgreSQL when
DATABASE_URL is set, else in-memory SQLite) with N projects across five organisations,
each with a lead, a member and one of N/50 coaches, two monthly measures with 24 points,
and three PDSA cycles. About a fifth of projects are stalled, a tenth have an overdue
cycle, a tenth a study pending, a tenth a data gap, and a fifth a shift to celebrate. Then
it times, with the query count of each:

1. the nudge scan, first run (writes the nudges and enqueues their e-mails);
2. the nudge scan again (finds them all written: creates nothing);
3. the reconcile (win detection over every measure with recent data: SPC, celebrations);
4. the weekly digests (every coach's caseload ranked by need).

The queries grow only with the number of batches (2,000 ids per read, 500 rows per
insert), never per project; the bench prints the batches alongside. Tasks go to Celery's
in-memory broker, so enqueueing is timed but nothing is delivered.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
# Celery's Django fix-up puts the working directory first on the import path: run from
# anywhere else, the bench would time that directory's code instead of this checkout's.
os.chdir(REPO)
os.environ.pop("REDIS_URL", None)  # in-memory broker and a local cache: no services touched
os.environ["CELERY_BROKER_URL"] = "memory://"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.test_settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    override_settings,
    setup_test_environment,
)
from django.utils import timezone  # noqa: E402

from backend.models import Membership, Organisation, Unit, User  # noqa: E402
from notifications.models import Notification, NudgeSettings  # noqa: E402
from notifications.services import digests_send, nudges_scan, reconcile  # noqa: E402
from pdsa.models import Cycle  # noqa: E402
from projects.models import DataPoint, Measure, Project, ProjectMember  # noqa: E402

ORGANISATIONS = 5
PROJECTS_PER_COACH = 50
POINTS = 24
BIG_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 10_000_000},
    }
}


def months_back(count: int, today: date) -> list[date]:
    index = today.year * 12 + today.month - 1 - count
    return [date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(count)]


def seed(projects: int, rng: random.Random) -> None:
    """A large trust, written with bulk inserts (no history: this is load, not a record)."""
    now = timezone.now()
    today = timezone.localdate(now)
    password = make_password(None)
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Bench Trust {i}", slug=f"bench-{i}") for i in range(ORGANISATIONS)
    )
    NudgeSettings.objects.bulk_create(
        [NudgeSettings(organisation=orgs[0], stall_days=14), NudgeSettings(organisation=orgs[1])]
    )
    units = Unit.objects.bulk_create(
        Unit(organisation=orgs[i % ORGANISATIONS], name=f"Ward {i}", kind=Unit.Kind.WARD)
        for i in range(max(ORGANISATIONS, projects // 10))
    )
    coach_count = max(1, projects // PROJECTS_PER_COACH)
    users = User.objects.bulk_create(
        User(email=f"bench{i}@example.org", password=password)
        for i in range(2 * projects + coach_count)
    )
    leads, members = users[:projects], users[projects : 2 * projects]
    coaches = users[2 * projects :]
    memberships = []
    for i in range(projects):
        org = orgs[i % ORGANISATIONS]
        memberships += [
            Membership(user=leads[i], organisation=org, role=Membership.Role.FRONTLINE),
            Membership(user=members[i], organisation=org, role=Membership.Role.FRONTLINE),
        ]
    for coach in coaches:  # coaches work across the trusts of the bench
        memberships += [
            Membership(user=coach, organisation=org, role=Membership.Role.COACH) for org in orgs
        ]
    Membership.objects.bulk_create(memberships, batch_size=5000)
    rows = []
    for i in range(projects):
        stalled = rng.random() < 0.2
        quiet = timedelta(days=rng.randint(22, 60) if stalled else rng.randint(0, 10))
        rows.append(
            Project(
                organisation=orgs[i % ORGANISATIONS],
                unit=units[i % len(units)],
                title=f"Project {i}",
                status=Project.Status.ACTIVE,
                last_activity_at=now - quiet,
            )
        )
    project_rows = Project.objects.bulk_create(rows, batch_size=2000)
    team = []
    for i, project in enumerate(project_rows):
        team += [
            ProjectMember(project=project, user=leads[i], role=ProjectMember.Role.LEAD),
            ProjectMember(project=project, user=members[i], role=ProjectMember.Role.MEMBER),
            ProjectMember(project=project, user=coaches[i % coach_count], role="coach"),
        ]
    ProjectMember.objects.bulk_create(team, batch_size=5000)
    _seed_measures(project_rows, today, rng)
    _seed_cycles(project_rows, leads, now, today, rng)


def _seed_measures(project_rows: list[Project], today: date, rng: random.Random) -> None:
    measures = Measure.objects.bulk_create(
        (
            Measure(
                organisation_id=project.organisation_id,
                project=project,
                name=f"Measure {k} of {project.title}",
                improvement_direction="decrease",
                frequency="monthly",
                target=8.0,
                type=Measure.Type.OUTCOME if k == 0 else Measure.Type.PROCESS,
            )
            for project in project_rows
            for k in range(2)
        ),
        batch_size=2000,
    )
    points = []
    for measure in measures:
        gap = 4 if rng.random() < 0.1 else 0
        periods = months_back(POINTS + gap, today)[:POINTS]
        shift = rng.random() < 0.2
        for index, period in enumerate(periods):
            value = rng.gauss(10.0, 1.0) - (2.5 if shift and index >= POINTS - 8 else 0.0)
            points.append(DataPoint(measure=measure, period=period, value=round(value, 1)))
    DataPoint.objects.bulk_create(points, batch_size=10_000)


def _seed_cycles(project_rows, leads, now, today, rng: random.Random) -> None:
    cycles = []
    for i, project in enumerate(project_rows):
        for number in range(1, 4):
            stage, extra = Cycle.Stage.DONE, {"decision": "adapt", "decided_at": now}
            roll = rng.random()
            if number == 3 and roll < 0.1:
                end = today - timedelta(days=rng.randint(8, 30))
                stage, extra = Cycle.Stage.DO, {"planned_start": end - timedelta(14)}
                extra["planned_end"] = end
            elif number == 3 and roll < 0.2:
                changed = now - timedelta(days=rng.randint(8, 30))
                stage, extra = Cycle.Stage.STUDY, {"stage_changed_at": changed}
            cycles.append(
                Cycle(
                    project=project,
                    number=number,
                    title=f"Test {number}",
                    owner=leads[i],
                    stage=stage,
                    **extra,
                )
            )
    Cycle.objects.bulk_create(cycles, batch_size=5000)


def measured(name: str, work) -> dict:
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        start = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - start
    return {"step": name, "seconds": seconds, "queries": len(queries), "result": result}


def run(projects: int) -> list[dict]:
    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    seed(projects, random.Random(projects))
    seeded = time.perf_counter() - started
    print(
        f"\n{projects:,} projects seeded in {seeded:.1f} s: "
        f"{Measure.objects.count():,} measures, {DataPoint.objects.count():,} points, "
        f"{Cycle.objects.count():,} cycles, {User.objects.count():,} people"
    )
    steps = [
        measured("nudge scan, first run", nudges_scan),
        measured("nudge scan, second run", nudges_scan),
        measured("reconcile (celebrations)", reconcile),
        measured("weekly digests", digests_send),
    ]
    for step in steps:
        print(
            f"  {step['step']:<26} {step['seconds']:7.2f} s  {step['queries']:5d} queries  "
            f"{step['result']}"
        )
    print(f"  notifications written: {Notification.objects.count():,}")
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", default="500,5000", help="comma-separated sizes")
    sizes = [int(size) for size in parser.parse_args().projects.split(",")]
    setup_test_environment()
    if connection.vendor != "sqlite":  # its own database, apart from the test suite's
        connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    print(f"Database: {connection.vendor} ({database})")
    try:
        with override_settings(CACHES=BIG_CACHE):
            results = {size: run(size) for size in sizes}
    finally:
        connection.creation.destroy_test_db(database, verbosity=0)
    print("\nQueries by step and size (they grow with batches of 2,000 ids / 500 rows only):")
    for index, step in enumerate(results[sizes[0]]):
        counts = "  ".join(f"{size:>6,}: {results[size][index]['queries']:4d}" for size in sizes)
        print(f"  {step['step']:<26} {counts}")


if __name__ == "__main__":
    main()
