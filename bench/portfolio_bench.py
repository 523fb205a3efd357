"""Benchmark the read views over a large trust against a trivial authenticated endpoint.

    .venv/bin/python bench/portfolio_bench.py [--projects 2000] [--repeat 7] [--cold-repeat 3]

Seeds a throw-away database with one large trust, using bulk inserts: 2,000 projects in
200 units, 124 strategic aims in a three-level cascade (4 bold aims, 5 division aims
under each, 5 ward aims under each of those), 6,000 project measures (an outcome, a
process and a balancing measure per project: XmR, p, run and c charts, some with a
target, some rebased) plus one measure for each bold and division aim, 36 monthly
points each (about 217,000 points, showing shifts, trends, outliers and common cause),
20,000 PDSA cycles (10 per project, most decided, some overdue), 6,000 change ideas (a
fifth adopted) with what they taught, changes put forward for spread and taken up by
other units, a celebration on every third project's outcome measure among a year of
nudges (about 104,000 notifications in all), and 20 coaches with 100 projects each. For
capability: a headcount for every unit (20,000 staff), 10,000 people on the training
records (the leads among them) with 13,000 approved courses across the last two years,
and this year's self-assessment with its evidence computed (the time that takes is
printed).

Then it requests, as the people who would, each through Django's test client (the whole
WSGI stack: middleware, knox token authentication, DRF, rendering; no socket, whose cost
would be the same for every endpoint and only shrink the ratios):

- ``GET /api/v1/me/``: the trivial authenticated endpoint every other is divided by;
- ``GET /api/v1/caseload/`` as a coach with 100 projects (skipped, saying so, while the
  endpoint answers 404: it belongs to the notifications app);
- ``GET /api/v1/portfolio/`` as the QI team;
- ``GET /api/v1/portfolio/?aim=<a bold aim>``: drilling into one aim, first page;
- ``GET /api/v1/portfolio/measures/``: the summary table's first page (50 rows);
- ``GET /api/v1/portfolio/measures/?format=csv``: the whole table, every measure;
- the desk's pages, signed in with a session as a page is: the caseload (a coach), a
  project's review (one of that coach's projects), the portfolio, a bold aim's page, the
  summary table (first page, and sorted by the latest signal), a chart page (as the QI
  team) and the board page (as a leader).
- the pages, signed in with a session as a browser is: the spread review queue and a
  candidate's page as the QI team, the learning library searched for a word a twentieth
  of the ideas' learning holds, and the wins page, as a nurse.
- the capability pyramid, the skills directory and the self-assessment, as the API's
  JSON and as the pages (signed in with a session, the whole page rendered).

Each is timed **cold** (the cache emptied before every request, so every chart the view
needs is analysed again and every page and answer is drawn; the database's own caches
are warm) and **warm** (what the request before left in the cache: SPC results, and the
pages and API answers ``kept_page`` and ``kept_answer`` keep until a table they read
changes; nothing is written between the requests), and printed as the median time and
its ratio to the trivial endpoint's median, with the request's query count. Finally it
times reading every measure's full cached SPC result against its small cached summary,
the choice the portfolio views rest on.

PostgreSQL and Redis when ``DATABASE_URL`` and ``REDIS_URL`` are set (the database is
``bench_<name>``, made and dropped here; the Redis database named in ``REDIS_URL`` is
flushed, so give it one of its own), else in-memory SQLite and a local-memory cache.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
# Celery's Django fix-up puts the working directory first on the import path: run from
# anywhere else, the bench would time that directory's code instead of this checkout's.
os.chdir(REPO)
# WhiteNoise's note that static files are not collected: the bench serves none.
warnings.filterwarnings("ignore", "No directory at")
os.environ["CELERY_BROKER_URL"] = "memory://"  # nothing here enqueues; never touch a broker
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.test_settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from timing import Endpoint, measure_endpoints, ms  # noqa: E402

from assessment import services as assessment_services  # noqa: E402
from assessment.pages import current_year  # noqa: E402
from backend.models import Membership, Organisation, Unit, User  # noqa: E402
from capability.levels import LEVELS  # noqa: E402
from capability.models import Course, Headcount, Person, TrainingRecord  # noqa: E402
from projects.models import (  # noqa: E402
    ChangeIdea,
    DataPoint,
    Measure,
    Project,
    ProjectMember,
    Rebase,
    StrategicAim,
)
from projects.selectors import measures_spc_readings, measures_spc_summaries  # noqa: E402
from projects.services import readings_recompute  # noqa: E402

Cycle = apps.get_model("pdsa", "Cycle")
UNITS = 200
COACHES = 20
CHART_MIX = ["xmr"] * 6 + ["p"] * 2 + ["run", "c"]
# What the ideas taught: twenty lessons, so a word of one is in about a twentieth of them.
LEARNING = [
    f"The {what} works when {who} leads it; {why}."
    for what, who, why in zip(
        ["huddle", "checklist", "leaflet", "board", "round", "prompt", "card", "call",
         "review", "audit", "sticker", "bundle", "alarm", "timer", "poster", "tray",
         "trolley", "sheet", "signage", "mat"],
        ["the nurse in charge", "the ward clerk", "a healthcare assistant", "the matron",
         "the pharmacist", "a physiotherapist", "the junior doctor", "a volunteer",
         "the night sister", "the consultant", "a student nurse", "the bed manager",
         "the porter", "the therapist", "the dietitian", "the housekeeper", "the coach",
         "a patient partner", "the team leader", "the charge nurse"],
        ["nights were the hard part", "it needed printing first", "agency staff missed it",
         "breaks got in the way", "weekends slipped", "it took two weeks to stick",
         "it fitted into handover", "patients liked it", "families asked for it",
         "it replaced a form", "it saved time by noon", "it was dropped at busy times",
         "the ward moved beds", "staff turnover undid it", "it needed a champion",
         "it slowed the round", "it was quick to learn", "it was copied from elsewhere",
         "it needed a reminder", "the data showed it"],
        strict=True,
    )
]  # fmt: skip
STATUS_MIX = (
    ["active"] * 10 + ["proposed"] * 2 + ["on_hold", "spreading", "abandoned"]
    + ["sustaining"] * 2 + ["completed"] * 3
)  # fmt: skip


def months_back(count: int, today: date) -> list[date]:
    """The ``count`` month starts before this month, oldest first."""
    index = today.year * 12 + today.month - 1 - count
    return [date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(count)]


# --- seeding --------------------------------------------------------------------------


class Seed:
    """A large trust, written with bulk inserts (no history: this is load, not a record)."""

    def __init__(self, *, projects: int, measures: int, points: int, cycles: int) -> None:
        self.rng = random.Random(projects)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.project_count = projects
        self.measures_per_project = measures
        self.points = points
        self.cycles_per_project = cycles

    def run(self) -> dict[str, User]:
        self.organisation = Organisation.objects.create(name="Bench Trust", slug="bench")
        self._units()
        people = self._people()
        self._aims()
        self._projects()
        self._measures()
        self._changes_and_cycles()
        self._capability()
        self.people = people
        return people

    def _capability(self) -> None:
        """Headcounts, the catalogue, 10,000 trained people and their courses: the many
        with foundation, fewer at each level up (the leads are practitioners)."""
        org = self.organisation
        Headcount.objects.bulk_create(
            Headcount(organisation=org, unit=unit, staff=100) for unit in self.units
        )
        courses = Course.objects.bulk_create(
            Course(organisation=org, name=f"{level.title()} course", level=level)
            for level in LEVELS
        )
        people, records = [], []
        for i in range(10_000):
            level = LEVELS[0 if i % 10 else 1] if i % 200 else LEVELS[2 + (i % 400 == 0)]
            user = self.leads[i] if i < len(self.leads) else None
            people.append(
                Person(
                    organisation=org,
                    email=f"person{i}@bench.example",
                    full_name=f"Person {i}",
                    unit=self.units[i % UNITS],
                    user=user,
                    level=level,
                    level_rank=LEVELS.index(level) + 1,
                    records_level=level,
                    listed=i % 13 != 0,
                )
            )
        people = Person.objects.bulk_create(people, batch_size=5000)
        for i, person in enumerate(people):
            for rung in range(LEVELS.index(person.level) + 1)[-2:]:
                records.append(
                    TrainingRecord(
                        person=person,
                        course=courses[rung],
                        completed_on=self.today - timedelta(days=(i * 7 + rung * 90) % 720),
                        status="approved",
                        source="import",
                    )
                )
        TrainingRecord.objects.bulk_create(records, batch_size=5000)

    def _units(self) -> None:
        org = self.organisation
        site = Unit.objects.create(organisation=org, name="Main site", level="site")
        divisions = Unit.objects.bulk_create(
            Unit(organisation=org, name=f"Division {i}", level="division", parent=site)
            for i in range(5)
        )
        kinds = ["ward"] * 6 + ["clinic", "community_team", "hr", "finance"]
        self.units = Unit.objects.bulk_create(
            Unit(
                organisation=org,
                name=f"Unit {i}",
                kind=kinds[i % len(kinds)],
                parent=divisions[i % 5],
            )
            for i in range(UNITS)
        )
        self.divisions = divisions

    def _people(self) -> dict[str, User]:
        password = make_password(None)
        staff = {
            "qi": Membership.Role.QI_TEAM,
            "board": Membership.Role.LEADER,
            "nurse": Membership.Role.FRONTLINE,
        }
        named = User.objects.bulk_create(
            User(email=f"{name}@bench.example", password=password) for name in staff
        )
        self.coaches = User.objects.bulk_create(
            User(email=f"coach{i}@bench.example", password=password) for i in range(COACHES)
        )
        self.leads = User.objects.bulk_create(
            User(email=f"lead{i}@bench.example", password=password)
            for i in range(self.project_count)
        )
        Membership.objects.bulk_create(
            [
                *(
                    Membership(user=user, organisation=self.organisation, role=role)
                    for user, role in zip(named, staff.values(), strict=True)
                ),
                *(
                    Membership(user=coach, organisation=self.organisation, role="coach")
                    for coach in self.coaches
                ),
                *(
                    Membership(user=lead, organisation=self.organisation, role="frontline")
                    for lead in self.leads
                ),
            ],
            batch_size=5000,
        )
        return {**dict(zip(staff, named, strict=True)), "coach": self.coaches[0]}

    def _aims(self) -> None:
        org = self.organisation
        bold = StrategicAim.objects.bulk_create(
            StrategicAim(organisation=org, title=f"Bold aim {i}", quality_dimensions=["safe"])
            for i in range(4)
        )
        divisional = StrategicAim.objects.bulk_create(
            StrategicAim(
                organisation=org,
                parent=parent,
                unit=self.divisions[k],
                title=f"{parent.title}, division {k}",
            )
            for parent in bold
            for k in range(5)
        )
        self.ward_aims = StrategicAim.objects.bulk_create(
            StrategicAim(
                organisation=org,
                parent=parent,
                unit=self.units[(i * 5 + k) % UNITS],
                title=f"{parent.title}, ward {k}",
            )
            for i, parent in enumerate(divisional)
            for k in range(5)
        )
        self.aims_with_measures = [*bold, *divisional]

    def _projects(self) -> None:
        rows = []
        for i in range(self.project_count):
            quiet = timedelta(days=self.rng.choice([1, 3, 7, 12, 20, 30, 45, 60]))
            rows.append(
                Project(
                    organisation=self.organisation,
                    unit=self.units[i % UNITS],
                    title=f"Project {i}",
                    aim_statement="Reduce harm by 30% within a year.",
                    status=self.rng.choice(STATUS_MIX),
                    last_activity_at=self.now - quiet,
                    started_on=self.today - timedelta(days=400),
                )
            )
        self.projects = Project.objects.bulk_create(rows, batch_size=2000)
        links = []
        for i, project in enumerate(self.projects):
            if i % 10 == 9:
                continue  # a tenth are linked to no aim
            aims = {self.ward_aims[i % len(self.ward_aims)]}
            if i % 4 == 0:
                aims.add(self.ward_aims[(i * 7) % len(self.ward_aims)])
            links += [
                Project.aims.through(project_id=project.pk, strategicaim_id=aim.pk) for aim in aims
            ]
        Project.aims.through.objects.bulk_create(links, batch_size=5000)
        ProjectMember.objects.bulk_create(
            [
                member
                for i, project in enumerate(self.projects)
                for member in (
                    ProjectMember(project=project, user=self.leads[i], role="lead"),
                    ProjectMember(project=project, user=self.coaches[i % COACHES], role="coach"),
                )
            ],
            batch_size=5000,
        )

    def _measures(self) -> None:
        kinds = ["outcome", "process", "balancing"]
        rows = []
        for project in self.projects:
            for k in range(self.measures_per_project):
                rows.append(self._measure(kinds[k % 3], project=project))
        rows += [self._measure("outcome", aim=aim) for aim in self.aims_with_measures]
        self.measures = Measure.objects.bulk_create(rows, batch_size=2000)
        periods = months_back(self.points, self.today)
        points = []
        for measure in self.measures:
            points += self._series(measure, periods)
            if len(points) >= 50_000:
                DataPoint.objects.bulk_create(points, batch_size=10_000)
                points = []
        DataPoint.objects.bulk_create(points, batch_size=10_000)
        Rebase.objects.bulk_create(
            Rebase(measure=measure, starts_on=periods[24], reason="New process in place")
            for measure in self.measures[::20]
        )

    def _measure(self, kind: str, **owner) -> Measure:
        chart = self.rng.choice(CHART_MIX)
        direction = self.rng.choice(["increase", "decrease"])
        target = None
        if self.rng.random() < 0.6:
            target = {"p": 0.85, "c": 8.0}.get(chart, 10.0 if direction == "decrease" else 12.0)
        return Measure(
            organisation=self.organisation,
            type=kind,
            name=f"{kind.title()} measure {self.rng.randrange(10**6)}",
            improvement_direction=direction,
            chart_type=chart,
            frequency="monthly",
            target=target,
            **owner,
        )

    def _series(self, measure: Measure, periods: list[date]) -> list[DataPoint]:
        pattern = self.rng.choices(["common", "shift", "trend", "outlier"], [5, 3, 1, 1])[0]
        step = self.rng.choice([-1, 1])
        rows = []
        for index, period in enumerate(periods):
            late = index >= len(periods) - 8
            level = {
                "shift": step * 2.5 if late else 0.0,
                "trend": step * 0.6 * max(0, index - len(periods) + 8),
                "outlier": step * 6.0 if index == len(periods) - 1 else 0.0,
            }.get(pattern, 0.0)
            if measure.chart_type == "p":
                denominator = self.rng.randint(80, 160)
                share = min(0.99, max(0.01, 0.8 + level / 25 + self.rng.gauss(0, 0.03)))
                rows.append(
                    DataPoint(
                        measure=measure,
                        period=period,
                        numerator=round(denominator * share),
                        denominator=denominator,
                    )
                )
                continue
            value = max(0.0, 11.0 + level + self.rng.gauss(0, 1.0))
            if measure.chart_type == "c":
                value = float(round(value))
            rows.append(DataPoint(measure=measure, period=period, value=round(value, 1)))
        return rows

    def _changes_and_cycles(self) -> None:
        ideas = ChangeIdea.objects.bulk_create(
            (
                ChangeIdea(
                    project=project,
                    title=f"Change {k} of {project.title}",
                    status="adopted" if self.rng.random() < 0.2 else "testing",
                    status_changed_at=self.now - timedelta(days=30),
                    learning=self.rng.choice(LEARNING),
                )
                for project in self.projects
                for k in range(3)
            ),
            batch_size=5000,
        )
        cycles = []
        for i, project in enumerate(self.projects):
            for number in range(1, self.cycles_per_project + 1):
                cycles.append(self._cycle(project, ideas[3 * i + number % 3], number, i))
        Cycle.objects.bulk_create(cycles, batch_size=5000)
        if apps.is_installed("spread"):
            self._spread([idea for idea in ideas if idea.status == "adopted"])
        if apps.is_installed("notifications"):
            self._celebrations()
            self._nudges()

    def _celebrations(self) -> None:
        """A sustained improvement on every third project's outcome measure, told to its
        lead and its coach (one row each, as the celebration rules write them)."""
        Notification = apps.get_model("notifications", "Notification")
        position = {project.pk: i for i, project in enumerate(self.projects)}
        outcomes = [m for m in self.measures if m.type == "outcome" and m.project_id]
        rows = []
        for measure in outcomes[::3]:
            i = position[measure.project_id]
            for user in (self.leads[i], self.coaches[i % COACHES]):
                period = f"group:{self.today:%Y-%m}-01:sustained"
                rows.append(
                    Notification(
                        recipient=user,
                        organisation=self.organisation,
                        kind="celebration_signal",
                        project_id=measure.project_id,
                        measure=measure,
                        subject_type="measure",
                        subject_id=measure.pk,
                        period=period,
                        dedupe_key=f"{user.pk}:celebration_signal:measure:{measure.pk}:{period}",
                        title=f"Sustained improvement in {measure.name}",
                        body="The last 8 points are all below the average: a shift.",
                        evidence={"strength": "sustained", "rule": "shift"},
                    )
                )
        Notification.objects.bulk_create(rows, batch_size=5000)

    def _nudges(self) -> None:
        """A year of nudges beside the wins: every other week, each project's lead and
        coach heard that it stalled, a cycle was overdue, a study waited or data was
        missing (about 100,000 rows), as the notifications table of a trust holds them."""
        Notification = apps.get_model("notifications", "Notification")
        kinds = ["nudge_stalled", "nudge_overdue", "nudge_study_pending", "nudge_missing_data"]
        rows = []
        for i, project in enumerate(self.projects):
            for week in range(i % 2, 52, 2):
                kind = kinds[(i + week // 2) % len(kinds)]
                period = f"week:{week}"
                for user in (self.leads[i], self.coaches[i % COACHES]):
                    rows.append(
                        Notification(
                            recipient=user,
                            organisation=self.organisation,
                            kind=kind,
                            project=project,
                            subject_type="project",
                            subject_id=project.pk,
                            period=period,
                            dedupe_key=f"{user.pk}:{kind}:project:{project.pk}:{period}",
                            title=f"{project.title} needs a look",
                            read_at=self.now,
                        )
                    )
        Notification.objects.bulk_create(rows, batch_size=5000)
        # auto_now_add stamped them all now: spread them over the year, a month at a time.
        ids = [project.pk for project in self.projects]
        for month in range(12):
            Notification.objects.filter(kind__in=kinds, subject_id__in=ids[month::12]).update(
                created_at=self.now - timedelta(days=30 * month + 1)
            )

    def _cycle(self, project: Project, idea: ChangeIdea, number: int, index: int):
        last = number == self.cycles_per_project
        start = self.today - timedelta(days=14 * (self.cycles_per_project - number + 1))
        fields = {"stage": "done", "decision": self.rng.choice(["adopt", "adapt", "abandon"])}
        fields["decided_at"] = self.now - timedelta(days=7 * (self.cycles_per_project - number))
        if last and index % 3 == 0:  # open, some of them overdue
            fields = {"stage": self.rng.choice(["plan", "do", "study", "act"])}
            fields["stage_changed_at"] = self.now - timedelta(days=self.rng.randint(1, 40))
        return Cycle(
            project=project,
            change_idea=idea,
            number=number,
            title=f"Test {number}",
            owner=self.leads[index],
            planned_start=start,
            planned_end=start + timedelta(days=14),
            started_on=start,
            **fields,
        )

    def _spread(self, adopted: list[ChangeIdea]) -> None:
        Candidate = apps.get_model("spread", "SpreadCandidate")
        Adoption = apps.get_model("spread", "Adoption")
        units = {project.pk: project.unit_id for project in self.projects}
        candidates = Candidate.objects.bulk_create(
            Candidate(
                organisation=self.organisation,
                change_idea=idea,
                origin_project_id=idea.project_id,
                origin_unit_id=units[idea.project_id],
                origin="suggested",
                status="approved" if k % 2 else "proposed",
                evidence_strength="proven",
                evidence={"strength": "proven", "rules": ["shift"]},
            )
            for k, idea in enumerate(adopted[::4])
        )
        Adoption.objects.bulk_create(
            Adoption(
                candidate=candidate,
                unit=self.units[(candidate.origin_unit_id + k * 17) % UNITS],
                status=["adopted", "testing", "planned", "adapted"][(k + j) % 4],
            )
            for j, candidate in enumerate(candidates)
            for k in range(1 + j % 4)
        )


# --- timing ---------------------------------------------------------------------------


def desk_pages(people: dict[str, User]) -> list[Endpoint]:
    """The desk's pages, as the people who use them open them."""
    coach = people["coach"]
    project = Project.objects.filter(members__user=coach, status="active").order_by("id").first()
    bold = StrategicAim.objects.filter(parent=None).order_by("id").first()
    measure = Measure.objects.filter(aim=bold).first() or Measure.objects.order_by("id").first()
    return [
        Endpoint("/caseload/", coach, "page: a coach's caseload", page=True),
        Endpoint(f"/caseload/projects/{project.pk}/", coach, "page: review", page=True),
        Endpoint("/portfolio/", people["qi"], "page: QI team", page=True),
        Endpoint(f"/portfolio/aims/{bold.pk}/", people["qi"], "page: a bold aim", page=True),
        Endpoint("/portfolio/measures/", people["qi"], "page: summary, page 1", page=True),
        Endpoint("/portfolio/measures/?sort=signal", people["qi"], "page: by signal", page=True),
        Endpoint(f"/measures/{measure.pk}/", people["qi"], "page: a chart", page=True),
        Endpoint("/board/", people["board"], "page: the board", page=True),
    ]


def spread_pages(people: dict[str, User]) -> list[Endpoint]:
    """The spread queue, a candidate's page, a learning search and the wins page."""
    if not apps.is_installed("spread"):
        return []
    Candidate = apps.get_model("spread", "SpreadCandidate")
    candidate = (
        Candidate.objects.filter(status="approved", adoptions__isnull=False).order_by("pk").first()
    )
    pages = [
        Endpoint("/spread/", people["qi"], "page: QI team, proposed", page=True),
        Endpoint(
            f"/spread/{candidate.pk}/", people["qi"], "page: an approved candidate", page=True
        ),
        Endpoint("/learning/?q=trolley", people["nurse"], "page: library search", page=True),
    ]
    if apps.is_installed("notifications"):
        pages.append(Endpoint("/wins/", people["nurse"], "page: first 10 wins", page=True))
    return pages


def measure_all(people: dict[str, User], args: argparse.Namespace) -> None:
    bold_aim = StrategicAim.objects.filter(parent=None).order_by("title").first().pk
    trivial = Endpoint("/api/v1/me/", people["qi"], "trivial")
    endpoints = [
        Endpoint(
            "/api/v1/caseload/", people["coach"], f"a coach, {args.projects // COACHES} projects"
        ),
        Endpoint("/api/v1/portfolio/", people["qi"], "QI team"),
        Endpoint(f"/api/v1/portfolio/?aim={bold_aim}", people["qi"], "one aim, page 1"),
        Endpoint("/api/v1/portfolio/measures/", people["qi"], "page 1, 50 rows"),
        Endpoint("/api/v1/portfolio/measures/?format=csv", people["qi"], "every row"),
        *desk_pages(people),
        *spread_pages(people),
        Endpoint("/api/v1/capability/pyramid/", people["qi"], "10,000 trained people"),
        Endpoint("/api/v1/capability/directory/", people["nurse"], "page 1, 50 people"),
        Endpoint(f"/api/v1/assessments/{args.assessment}/", people["board"], "21 answers"),
        Endpoint("/capability/", people["qi"], "page: the pyramid", page=True),
        Endpoint("/capability/directory/", people["nurse"], "page: the directory", page=True),
        Endpoint("/capability/records/", people["qi"], "page: 13,000 records", page=True),
        Endpoint(
            f"/assessment/{current_year()}/", people["board"], "page: 21 key tests", page=True
        ),
    ]
    measure_endpoints(trivial, endpoints, repeat=args.repeat, cold_repeat=args.cold_repeat)


def measure_cache_reads() -> None:
    """Reading every measure's icons from stored readings or from full cached results."""
    measures = list(Measure.objects.all())
    measures_spc_readings(measures)  # fills the full results' cache
    timings = {}
    for label, read in (
        ("full SPC results, cached (measures_spc_readings)", measures_spc_readings),
        ("stored readings (measures_spc_summaries)", measures_spc_summaries),
    ):
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            read(measures)
            runs.append(time.perf_counter() - start)
        timings[label] = statistics.median(runs)
    print(f"\nReading all {len(measures):,} measures' SPC, warm (median of 3):")
    for label, seconds in timings.items():
        print(f"  {label:<44}{ms(seconds)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--measures-per-project", type=int, default=3)
    parser.add_argument("--points", type=int, default=36)
    parser.add_argument("--cycles-per-project", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=7, help="warm requests per endpoint")
    parser.add_argument("--cold-repeat", type=int, default=3, help="cold requests per endpoint")
    args = parser.parse_args()
    # As a server runs, not as the test runner does: setup_test_environment() would also
    # make every template render copy its context for the test client's assertions, a cost
    # only the pages would pay. The test client's host is allowed, and DEBUG is off.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.DEBUG = False
    if connection.vendor != "sqlite":  # its own database, apart from the test suite's
        connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"Database: {connection.vendor} ({database}); cache: {backend}"
          f" {settings.CACHES['default'].get('LOCATION', '')}")  # fmt: skip
    try:
        cache.clear()
        started = time.perf_counter()
        people = Seed(
            projects=args.projects,
            measures=args.measures_per_project,
            points=args.points,
            cycles=args.cycles_per_project,
        ).run()
        seeded_seconds = time.perf_counter() - started
        # The seed writes data in bulk, around the services that store readings: store
        # them as a deploy's backfill would.
        started = time.perf_counter()
        backfill = readings_recompute()
        readings_seconds = time.perf_counter() - started
        with connection.cursor() as cursor:
            # A live database's autovacuum keeps its statistics current and folds the
            # full-text indexes' pending entries in; a freshly bulk-loaded one has not yet.
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        print(
            f"Seeded in {seeded_seconds:.1f} s: "
            f"{Project.objects.count():,} projects, {StrategicAim.objects.count():,} aims, "
            f"{Measure.objects.count():,} measures, {DataPoint.objects.count():,} points, "
            f"{Cycle.objects.count():,} cycles, {ChangeIdea.objects.count():,} change ideas"
        )
        print(
            f"SPC readings stored by the batch recompute in {readings_seconds:.1f} s "
            f"({backfill['stored']:,} measures)"
        )
        started = time.perf_counter()
        args.assessment = assessment_services.assessment_start(
            by=people["qi"],
            organisation=Organisation.objects.get(slug="bench"),
            year=current_year(),
        ).pk
        print(f"Self-assessment evidence computed in {time.perf_counter() - started:.2f} s")
        measure_all(people, args)
        measure_cache_reads()
    finally:
        cache.clear()
        connection.creation.destroy_test_db(database, verbosity=0)


if __name__ == "__main__":
    main()
