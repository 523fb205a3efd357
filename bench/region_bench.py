"""A regional rehearsal: one Ripple serving many trusts on PostgreSQL, Redis and Celery.

    DATABASE_URL=postgres://... REDIS_URL=redis://.../<n> \\
        .venv/bin/python bench/region_bench.py [--organisations 50] [--projects 20000]
            [--large 2000] [--workers 1,2] [--repeat 7] [--cold-repeat 3]

Seeds a throw-away database (``bench_region_<name>``, made and dropped here; the Redis
database in ``REDIS_URL`` is flushed, so give it one of its own) with PostgreSQL's COPY,
in three stages of the region's growth, measured in "large trusts" of ``--large``
projects: 1x (the large trust alone), 3x (it and the first smaller trusts) and 10x (all
``--organisations``: ``--projects`` projects in all). Each trust is shaped like
``portfolio_bench``'s: a hundred projects per coach, 124 aims in a three-level cascade,
an outcome, a process and a balancing measure per project plus one per bold and division
aim, 36 monthly points each (shifts, trends, outliers, common cause; every 20th measure
rebased), 10 PDSA cycles and 3 change ideas per project (a fifth adopted, some put
forward for spread and taken up). At 10x: about 61,000 measures, 2.2 million points and
200,000 cycles. Every person's e-mail is off, so the nightly jobs time the jobs, not the
mail server.

At each stage it reports:

- the seed time, and the batch SPC recompute storing the new trusts' readings (the
  backfill a bulk load needs; in this process, on the columnar path);
- each desk view's time and ratio to ``GET /api/v1/me/``, cold (cache emptied) and warm,
  read as the large trust's coach, QI team and board (``timing.py``): the caseload, the
  portfolio, drilling into a bold aim, the summary table's first page, and the desk pages
  where they are built;
- the whole summary table as CSV for a regional analyst who belongs to every trust: its
  rows, time, and the peak of Python memory allocated while it streams (tracemalloc, a
  second request), which stays flat as the rows grow.

Then, at 10x, the nightly jobs on real Celery workers (``--pool=solo`` processes consuming
from Redis, started here), first with 1 worker process and then with 2: the batch SPC
recompute of every measure, the reconcile, the nudge scan and the digests, each fanned
out per organisation by its beat task, timed from the beat task's publishing until every
organisation's share has finished. Between the runs the jobs' claims and notifications
are cleared, so both do the same work. Finally each job is run again as a second beat
would (its slot is claimed: nothing) and every organisation's share again as a
redelivered task would (nothing new: dedupe keys), and it says how many notifications
each wrote.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
# Celery's Django fix-up puts the working directory first on the import path: run from
# anywhere else, the bench would time that directory's code instead of this checkout's.
os.chdir(REPO)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.test_settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, models  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402
from timing import Endpoint, measure_endpoints  # noqa: E402

from backend.celery import app  # noqa: E402
from backend.models import Membership, Organisation, Unit, User  # noqa: E402
from notifications import services as notification_services  # noqa: E402
from notifications import tasks as notification_tasks  # noqa: E402
from notifications.models import JobRun, Notification, Preference  # noqa: E402
from projects import tasks as project_tasks  # noqa: E402
from projects.models import (  # noqa: E402
    ChangeIdea,
    DataPoint,
    Measure,
    MeasureReading,
    Project,
    ProjectMember,
    Rebase,
    StrategicAim,
)
from projects.services import readings_recompute  # noqa: E402

Cycle = apps.get_model("pdsa", "Cycle")
PROJECTS_PER_COACH = 100
CHART_MIX = ["xmr"] * 6 + ["p"] * 2 + ["run", "c"]
STATUS_MIX = [
    *["active"] * 10,
    *["proposed"] * 2,
    "on_hold",
    "spreading",
    "abandoned",
    *["sustaining"] * 2,
    *["completed"] * 3,
]
KINDS = ["ward"] * 6 + ["clinic", "community_team", "hr", "finance"]
POINTS = 36
CYCLES = 10


def months_back(count: int, today: date) -> list[date]:
    """The ``count`` month starts before this month, oldest first."""
    index = today.year * 12 + today.month - 1 - count
    return [date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(count)]


# --- COPY -----------------------------------------------------------------------------


class Table:
    """Rows of one model written with COPY: every column given, defaults filled in from
    the model, ids assigned here so that rows of other tables can point at them."""

    def __init__(self, model: type[models.Model], now: Any) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.next_id = (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1
        self.rows: list[tuple] = []
        self.defaults: dict[str, Any] = {}
        # Defaults drawn for each row: a unique field's, and a uuid's (a cycle's is unique
        # within its project, by a constraint rather than on the field).
        self.per_row: list[models.Field] = []
        for field in self.fields:
            if field.primary_key:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self.defaults[field.attname] = now
            elif field.has_default() and (field.unique or isinstance(field, models.UUIDField)):
                self.per_row.append(field)
            else:  # the field's default, or "" for text and None for what may be null
                self.defaults[field.attname] = field.get_default()
        self.json = {f.attname for f in self.fields if isinstance(f, models.JSONField)}

    def add(self, **values: Any) -> int:
        """Queue one row; returns its id."""
        pk = values.pop("id", None) or self.next_id
        self.next_id = max(self.next_id, pk + 1)
        for field in self.per_row:
            values.setdefault(field.attname, field.get_default())
        row = []
        for field in self.fields:
            if field.primary_key:
                row.append(pk)
                continue
            value = (
                values[field.attname] if field.attname in values else self.defaults[field.attname]
            )
            row.append(Jsonb(value) if field.attname in self.json and value is not None else value)
        self.rows.append(tuple(row))
        return pk

    def write(self) -> int:
        if not self.rows:
            return 0
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        table = connection.ops.quote_name(self.model._meta.db_table)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in self.rows:
                copy.write_row(row)
        written, self.rows = len(self.rows), []
        return written


class Region:
    """The region's trusts, seeded a few at a time."""

    def __init__(self, *, organisations: int, projects: int, large: int) -> None:
        self.rng = random.Random(20)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.periods = months_back(POINTS, self.today)
        rest = projects - large
        others = organisations - 1
        self.sizes = [large] + [
            rest // others + (1 if i < rest % others else 0) for i in range(others)
        ]
        self.seeded = 0
        self.password = make_password(None)
        self.people: dict[str, int] = {}
        self.analyst: int | None = None

    def tables(self) -> dict[str, Table]:
        models_ = {
            "org": Organisation,
            "unit": Unit,
            "user": User,
            "membership": Membership,
            "preference": Preference,
            "aim": StrategicAim,
            "project": Project,
            "link": Project.aims.through,
            "member": ProjectMember,
            "measure": Measure,
            "point": DataPoint,
            "rebase": Rebase,
            "idea": ChangeIdea,
            "cycle": Cycle,
        }
        if apps.is_installed("spread"):
            models_["candidate"] = apps.get_model("spread", "SpreadCandidate")
            models_["adoption"] = apps.get_model("spread", "Adoption")
        return {name: Table(model, self.now) for name, model in models_.items()}

    def grow_to(self, projects: int) -> list[int]:
        """Seed trusts, in order, until the region has at least ``projects``; their ids."""
        added = []
        total = sum(self.sizes[: self.seeded])
        while self.seeded < len(self.sizes) and total < projects:
            t = self.tables()
            added.append(self._trust(t, self.seeded, self.sizes[self.seeded]))
            total += self.sizes[self.seeded]
            self.seeded += 1
            for table in t.values():  # in this order: foreign keys point backwards
                table.write()
        self._analyst(added)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [t.model for t in self.tables().values()]
            ):
                cursor.execute(sql)
            cursor.execute("ANALYZE")
        return added

    def _user(self, t: dict[str, Table], email: str) -> int:
        user = t["user"].add(email=email, password=self.password)
        t["preference"].add(user_id=user, email=False, digest_weekday=0)
        return user

    def _analyst(self, organisations: list[int]) -> None:
        """A regional analyst, a member of every trust: reads every summary table."""
        t = self.tables()
        if self.analyst is None:
            self.analyst = self._user(t, "analyst@region.example")
        for org in organisations:
            t["membership"].add(user_id=self.analyst, organisation_id=org, role="frontline")
        for table in t.values():
            table.write()

    def _trust(self, t: dict[str, Table], index: int, size: int) -> int:
        org = t["org"].add(name=f"Trust {index}", slug=f"trust-{index}")
        site = t["unit"].add(organisation_id=org, name="Main site", level="site")
        divisions = [
            t["unit"].add(
                organisation_id=org, name=f"Division {i}", level="division", parent_id=site
            )
            for i in range(5)
        ]
        unit_count = max(10, size // 10)
        units = [
            t["unit"].add(
                organisation_id=org,
                name=f"Unit {i}",
                kind=KINDS[i % len(KINDS)],
                parent_id=divisions[i % 5],
            )
            for i in range(unit_count)
        ]
        named = {}
        for name, role in (("qi", "qi_team"), ("board", "leader")):
            named[name] = self._user(t, f"{name}{index}@region.example")
            t["membership"].add(user_id=named[name], organisation_id=org, role=role)
        coaches = []
        for i in range(max(1, size // PROJECTS_PER_COACH)):
            coaches.append(self._user(t, f"coach{index}-{i}@region.example"))
            t["membership"].add(user_id=coaches[-1], organisation_id=org, role="coach")
        if index == 0:
            self.people = {**named, "coach": coaches[0]}
        bold = [
            t["aim"].add(organisation_id=org, title=f"Bold aim {i}", quality_dimensions=["safe"])
            for i in range(4)
        ]
        divisional = [
            t["aim"].add(
                organisation_id=org,
                parent_id=parent,
                unit_id=divisions[k],
                title=f"Bold aim {b}, division {k}",
            )
            for b, parent in enumerate(bold)
            for k in range(5)
        ]
        wards = [
            t["aim"].add(
                organisation_id=org,
                parent_id=parent,
                unit_id=units[(i * 5 + k) % unit_count],
                title=f"Ward aim {i}.{k}",
            )
            for i, parent in enumerate(divisional)
            for k in range(5)
        ]
        for aim in [*bold, *divisional]:
            self._measure(t, org, "outcome", aim_id=aim)
        for i in range(size):
            self._project(t, org, i, units[i % unit_count], wards, coaches[i % len(coaches)], index)
        return org

    def _project(self, t, org, i, unit, wards, coach, index) -> None:
        rng = self.rng
        lead = self._user(t, f"lead{index}-{i}@region.example")
        t["membership"].add(user_id=lead, organisation_id=org, role="frontline")
        quiet = timedelta(days=rng.choice([1, 3, 7, 12, 20, 30, 45, 60]))
        project = t["project"].add(
            organisation_id=org,
            unit_id=unit,
            title=f"Project {index}-{i}",
            aim_statement="Reduce harm by 30% within a year.",
            status=rng.choice(STATUS_MIX),
            last_activity_at=self.now - quiet,
            started_on=self.today - timedelta(days=400),
        )
        if i % 10 != 9:  # a tenth are linked to no aim
            aims = {wards[i % len(wards)], wards[(i * 7) % len(wards)] if i % 4 == 0 else None}
            for aim in aims - {None}:
                t["link"].add(project_id=project, strategicaim_id=aim)
        t["member"].add(project_id=project, user_id=lead, role="lead")
        t["member"].add(project_id=project, user_id=coach, role="coach")
        for kind in ("outcome", "process", "balancing"):
            self._measure(t, org, kind, project_id=project)
        ideas = [
            t["idea"].add(
                project_id=project,
                title=f"Change {k} of project {i}",
                status="adopted" if rng.random() < 0.2 else "testing",
                status_changed_at=self.now - timedelta(days=30),
            )
            for k in range(3)
        ]
        for number in range(1, CYCLES + 1):
            self._cycle(t, project, ideas[number % 3], number, lead, i)
        if "candidate" in t and i % 20 == 0:
            candidate = t["candidate"].add(
                organisation_id=org,
                change_idea_id=ideas[0],
                origin_project_id=project,
                origin_unit_id=unit,
                origin="suggested",
                status="approved" if i % 40 else "proposed",
                evidence_strength="proven",
                evidence={"strength": "proven", "rules": ["shift"]},
            )
            for k in range(1 + i % 4):
                t["adoption"].add(
                    candidate_id=candidate,
                    unit_id=unit - 1 - k if unit - 1 - k > 0 else unit + 1,
                    status=["adopted", "testing", "planned", "adapted"][(k + i) % 4],
                )

    def _measure(self, t, org, kind, **owner) -> None:
        rng = self.rng
        chart = rng.choice(CHART_MIX)
        direction = rng.choice(["increase", "decrease"])
        target = None
        if rng.random() < 0.6:
            target = {"p": 0.85, "c": 8.0}.get(chart, 10.0 if direction == "decrease" else 12.0)
        measure = t["measure"].add(
            organisation_id=org,
            type=kind,
            name=f"{kind.title()} measure {rng.randrange(10**6)}",
            improvement_direction=direction,
            chart_type=chart,
            frequency="monthly",
            target=target,
            **owner,
        )
        pattern = rng.choices(["common", "shift", "trend", "outlier"], [5, 3, 1, 1])[0]
        step = rng.choice([-1, 1])
        for index, period in enumerate(self.periods):
            late = index >= POINTS - 8
            level = {
                "shift": step * 2.5 if late else 0.0,
                "trend": step * 0.6 * max(0, index - POINTS + 8),
                "outlier": step * 6.0 if index == POINTS - 1 else 0.0,
            }.get(pattern, 0.0)
            if chart == "p":
                denominator = rng.randint(80, 160)
                share = min(0.99, max(0.01, 0.8 + level / 25 + rng.gauss(0, 0.03)))
                t["point"].add(
                    measure_id=measure,
                    period=period,
                    numerator=round(denominator * share),
                    denominator=denominator,
                )
                continue
            value = max(0.0, 11.0 + level + rng.gauss(0, 1.0))
            t["point"].add(
                measure_id=measure,
                period=period,
                value=float(round(value)) if chart == "c" else round(value, 1),
            )
        if measure % 20 == 0:
            t["rebase"].add(
                measure_id=measure, starts_on=self.periods[24], reason="New process in place"
            )

    def _cycle(self, t, project, idea, number, owner, index) -> None:
        rng = self.rng
        start = self.today - timedelta(days=14 * (CYCLES - number + 1))
        fields = {"stage": "done", "decision": rng.choice(["adopt", "adapt", "abandon"])}
        fields["decided_at"] = self.now - timedelta(days=7 * (CYCLES - number))
        if number == CYCLES and index % 3 == 0:  # open, some of them overdue
            fields = {"stage": rng.choice(["plan", "do", "study", "act"])}
            fields["stage_changed_at"] = self.now - timedelta(days=rng.randint(1, 40))
        t["cycle"].add(
            project_id=project,
            change_idea_id=idea,
            number=number,
            title=f"Test {number}",
            owner_id=owner,
            planned_start=start,
            planned_end=start + timedelta(days=14),
            started_on=start,
            **fields,
        )


# --- the views ------------------------------------------------------------------------


def views(region: Region, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    people = {name: User.objects.get(pk=pk) for name, pk in region.people.items()}
    bold = StrategicAim.objects.filter(organisation__slug="trust-0", parent=None).order_by("title")
    trivial = Endpoint("/api/v1/me/", people["qi"], "trivial")
    endpoints = [
        Endpoint("/api/v1/caseload/", people["coach"], "a coach, 100 projects"),
        Endpoint("/api/v1/portfolio/", people["qi"], "the large trust's QI team"),
        Endpoint(f"/api/v1/portfolio/?aim={bold.first().pk}", people["qi"], "one aim, page 1"),
        Endpoint("/api/v1/portfolio/measures/", people["qi"], "page 1, 50 rows"),
        Endpoint("/caseload/", people["coach"], "desk: caseload", page=True),
        Endpoint("/portfolio/", people["qi"], "desk: portfolio", page=True),
        Endpoint("/portfolio/measures/", people["qi"], "desk: measures at a glance", page=True),
        Endpoint("/board/", people["board"], "desk: board", page=True),
    ]
    return measure_endpoints(trivial, endpoints, repeat=args.repeat, cold_repeat=args.cold_repeat)


def csv_export(region: Region) -> dict[str, float]:
    """The whole summary table as CSV for the regional analyst: rows, time, peak memory."""
    analyst = User.objects.get(pk=region.analyst)
    export = Endpoint("/api/v1/portfolio/measures/?format=csv", analyst, "every trust")
    rows = Measure.objects.count()
    started = time.perf_counter()
    status, size = export.get()
    seconds = time.perf_counter() - started
    assert status == 200
    tracemalloc.start()
    export.get()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"\nSummary table as CSV, every trust ({rows:,} measures): {seconds:.2f} s, "
        f"{size / 1e6:.1f} MB, {rows / seconds:,.0f} rows/s, "
        f"peak Python memory while streaming {peak / 1e6:.1f} MB"
    )
    return {"rows": rows, "seconds": seconds, "peak_mb": peak / 1e6}


# --- the nightly jobs -----------------------------------------------------------------


WORKER_LOG = Path(tempfile.gettempdir()) / "region_bench_workers.log"


def start_workers(count: int) -> list[subprocess.Popen]:
    """``count`` worker processes on the bench's database; their output goes to a log."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "DJANGO_SETTINGS_MODULE": "backend.test_settings",
    }
    log = WORKER_LOG.open("a")
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "backend",
                "worker",
                "--pool=solo",
                "-n",
                f"region{i}-{uuid.uuid4().hex[:6]}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "WARNING",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for i in range(count)
    ]
    deadline = time.monotonic() + 120
    while len(app.control.ping(timeout=1.0) or []) < count:
        if time.monotonic() > deadline:
            raise RuntimeError("the workers did not start")
    return workers


def cpu_seconds(pid: int) -> float:
    """A process's user and system CPU time so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(60)


def wait_for(done: Callable[[], bool], timeout: float = 3600) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError("a nightly job did not finish")
        time.sleep(0.2)


def nightly(organisations: int) -> dict[str, float]:
    """Each nightly job's wall time, from its beat task's publishing until every
    organisation's share is done."""
    slot = notification_services.daily_slot()
    measures = Measure.objects.count()
    timings = {}

    def shares_done(job: str) -> Callable[[], bool]:
        return lambda: (
            JobRun.objects.filter(
                job=job, slot__startswith=f"{slot}/org-", finished_at__isnull=False
            ).count()
            == organisations
        )

    started = time.perf_counter()
    since = timezone.now()
    project_tasks.readings_recompute.delay(True)
    wait_for(lambda: MeasureReading.objects.filter(computed_at__gte=since).count() == measures)
    timings["batch SPC recompute (every measure)"] = time.perf_counter() - started
    for job, task in (
        ("reconcile", notification_tasks.reconcile),
        ("nudges_scan", notification_tasks.nudges_scan),
        ("digests_send", notification_tasks.digests_send),
    ):
        started = time.perf_counter()
        task.delay()
        wait_for(shares_done(job))
        timings[job] = time.perf_counter() - started
    return timings


def clear_nights() -> None:
    JobRun.objects.all().delete()
    Notification.objects.all().delete()


def exactly_once(organisations: list[int]) -> None:
    """Run every job again as a second beat would, then every organisation's share as a
    redelivered task would: nothing new."""
    before = Notification.objects.count()
    slot = notification_services.daily_slot()
    beats = [
        task.apply().result
        for task in (
            notification_tasks.reconcile,
            notification_tasks.nudges_scan,
            notification_tasks.digests_send,
        )
    ]
    redelivered = [
        task.apply(args=(org, slot)).result
        for org in organisations
        for task in (
            notification_tasks.nudges_scan_organisation,
            notification_tasks.reconcile_organisation,
            notification_tasks.digests_send_organisation,
        )
    ]
    reconciled = notification_services.reconcile()
    created_again = (
        notification_services.nudges_scan()["created"]
        + notification_services.digests_send()["created"]
        + reconciled["wins"]
        + reconciled["adopted"]
    )
    after = Notification.objects.count()
    by_kind = dict(Notification.objects.values_list("kind").annotate(n=models.Count("id")))
    print(
        f"\nExactly once: {before:,} notifications written by the night ({by_kind}); a second "
        f"beat did {sum(b is not None for b in beats)} of {len(beats)} jobs; redelivered "
        f"shares did {sum(r is not None for r in redelivered)} of {len(redelivered)}; the "
        f"whole region scanned again in one process created "
        f"{created_again}; "
        f"notifications now {after:,} ({'nothing twice' if after == before else 'DUPLICATES'})."
    )


# --- main -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=50)
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--large", type=int, default=2_000, help="projects of the large trust")
    parser.add_argument("--stages", default="1,3,10", help="sizes, in large trusts")
    parser.add_argument("--workers", default="1,2", help="worker processes for the nights")
    parser.add_argument("--repeat", type=int, default=7, help="warm requests per endpoint")
    parser.add_argument("--cold-repeat", type=int, default=3, help="cold requests per endpoint")
    parser.add_argument(
        "--nights-only", action="store_true", help="seed the largest stage; time only the nights"
    )
    args = parser.parse_args()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the desk pages not built
    logging.getLogger("celery").setLevel(logging.WARNING)  # the repeated jobs run here
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        sys.exit(
            "The regional rehearsal needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL."
        )
    setup_test_environment()
    connection.settings_dict["TEST"]["NAME"] = f"bench_region_{connection.settings_dict['NAME']}"
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    print(f"Database: {database}; broker and cache: {settings.REDIS_URL}")
    with app.connection_for_write() as broker:  # the queue of an earlier run
        broker.default_channel.client.flushdb()
    try:
        region = Region(organisations=args.organisations, projects=args.projects, large=args.large)
        stages = [int(s) for s in args.stages.split(",")]
        for stage in stages[-1:] if args.nights_only else stages:
            started = time.perf_counter()
            added = region.grow_to(stage * args.large)
            seeded = time.perf_counter() - started
            started = time.perf_counter()
            stored = sum(readings_recompute(organisation_id=org)["stored"] for org in added)
            recomputed = time.perf_counter() - started
            print(
                f"\n=== {stage}x: {Organisation.objects.count()} trusts, "
                f"{Project.objects.count():,} projects, {Measure.objects.count():,} measures, "
                f"{DataPoint.objects.count():,} points, {Cycle.objects.count():,} cycles ===\n"
                f"Seeded {len(added)} trust(s) with COPY in {seeded:.1f} s; their {stored:,} "
                f"SPC readings stored by the batch recompute in {recomputed:.1f} s "
                f"({stored / recomputed:,.0f} measures/s)"
            )
            if not args.nights_only:
                cache.clear()
                views(region, args)
                csv_export(region)
        organisations = list(Organisation.objects.values_list("pk", flat=True))
        for count in [int(w) for w in args.workers.split(",")]:
            clear_nights()
            workers = start_workers(count)
            load = os.getloadavg()[0]
            try:
                before = [cpu_seconds(worker.pid) for worker in workers]
                timings = nightly(len(organisations))
                busy = [cpu_seconds(w.pid) - b for w, b in zip(workers, before, strict=True)]
            finally:
                stop_workers(workers)
            total = sum(timings.values())
            print(
                f"\nNightly jobs, {count} worker process(es), {len(organisations)} trusts "
                f"(worker log: {WORKER_LOG}):"
            )
            for job, seconds in timings.items():
                print(f"  {job:<40}{seconds:9.1f} s")
            print(f"  {'all':<40}{total:9.1f} s")
            print(
                f"  the workers' CPU: {', '.join(f'{seconds:.0f} s' for seconds in busy)}; "
                f"load average {load:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
            )
        exactly_once(organisations)
    finally:
        cache.clear()
        connection.creation.destroy_test_db(database, verbosity=0)


if __name__ == "__main__":
    main()
