"""Demo portfolio for Demo Trust (and one small project for Other Trust).

Four bold aims with a cascade down to Ward 7, sixteen projects across wards and the
support services in every lifecycle stage, coaches, driver diagrams, a measure library
and 30 months of data whose charts show a shift, a trend, an outlier, common cause, a
target met every month, one hit and miss and one never met. Made through the services
(so history says who did what), except the data points, which are bulk-inserted with
their history. Every step looks up before it creates: a second run changes nothing.

For the apps seeded after this one: the Ward 7 falls huddle (change idea "Falls huddle
at handover") started ``series.CHANGE_MONTHS_AGO`` months before the latest data, and
the falls chart shows special-cause improvement since; "Insulin visits on time" is the
stalled active project (no activity for 35 days).
"""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw
from simple_history.utils import bulk_create_with_history

from backend.models import Organisation, Unit, User
from projects import services
from projects.demo import catalogue, series
from projects.demo.catalogue import AimSpec, MeasureSpec, ProjectSpec
from projects.models import (
    DataPoint,
    Measure,
    MeasureDefinition,
    Project,
    ProjectFile,
    StrategicAim,
)

# How each final status is reached from active, for the lifecycle's rules.
STATUS_PATHS = {
    "proposed": [],
    "active": [],
    "on_hold": ["on_hold"],
    "sustaining": ["sustaining"],
    "spreading": ["spreading"],
    "completed": ["completed"],
    "abandoned": ["abandoned"],
}
REASONS = {
    "on_hold": "Paused while the ward moves to electronic prescribing.",
    "completed": "Aim met and sustained; handed over to the ward.",
    "abandoned": "Replaced by the regional ambulance handover programme.",
    "sustaining": "Aim met; monitoring monthly.",
    "spreading": "Trauma list model offered to the other site.",
}


def months_back(latest: date, count: int) -> list[date]:
    """``count`` consecutive month starts ending at ``latest``, oldest first."""
    periods = []
    year, month = latest.year, latest.month
    for _ in range(count):
        periods.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return periods[::-1]


def latest_month(today: date) -> date:
    """The last complete month: its data are in by now."""
    first = today.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


class _Seeder:
    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.people = {
            user.email: user for user in User.objects.filter(memberships__organisation=organisation)
        }
        self.units = {unit.name: unit for unit in Unit.objects.filter(organisation=organisation)}
        self.now = timezone.now()
        self.latest = latest_month(timezone.localdate())
        self.definitions: dict[str, MeasureDefinition] = {}
        self.aims: dict[str, StrategicAim] = {}

    def library(self, by: User) -> None:
        for (
            name,
            unit,
            direction,
            chart,
            wording,
            numerator,
            denominator,
            dims,
        ) in catalogue.LIBRARY:
            found = MeasureDefinition.objects.filter(organisation=self.organisation, name=name)
            self.definitions[name] = found.first() or services.measure_definition_create(
                by=by,
                organisation=self.organisation,
                name=name,
                unit=unit,
                improvement_direction=direction,
                chart_type=chart,
                operational_definition=wording,
                numerator_definition=numerator,
                denominator_definition=denominator,
                quality_dimensions=dims,
                frequency="monthly",
                data_source="Trust data warehouse",
            )

    def aim(self, spec: AimSpec) -> None:
        found = StrategicAim.objects.filter(organisation=self.organisation, title=spec.title)
        self.aims[spec.key] = found.first() or services.aim_create(
            by=self.people[catalogue.QI],
            organisation=self.organisation,
            title=spec.title,
            statement=spec.statement,
            quality_dimensions=spec.dimensions,
            owner=self.people[spec.owner],
            unit=self.units.get(spec.unit) if spec.unit else None,
            parent=self.aims[spec.parent] if spec.parent else None,
            starts_on=date(spec.years[0], 4, 1),
            ends_on=date(spec.years[1], 3, 31),
        )

    def project(self, spec: ProjectSpec) -> None:
        if Project.objects.filter(organisation=self.organisation, title=spec.title).exists():
            return
        lead = self.people[spec.lead]
        project = services.project_create(
            by=lead,
            unit=self.units[spec.unit],
            title=spec.title,
            aims=[self.aims[key] for key in spec.aims],
            status="proposed" if spec.status == "proposed" else "active",
            aim_statement=spec.aim_statement,
            aim_what=spec.aim_what,
            aim_how_much=spec.aim_how_much,
            problem=spec.problem,
        )
        for email, role in spec.team:
            services.project_member_add(
                by=lead, project=project, user=self.people[email], role=role
            )
        if project.approval == Project.Approval.PENDING and spec.status != "proposed":
            # Demo Trust approves new projects: its coach (else the QI team) did.
            coach = next((email for email, role in spec.team if role == "coach"), catalogue.QI)
            project = services.project_approve(
                by=self.people[coach], project=project, note="Clear aim and a measure to match."
            )
        for status in STATUS_PATHS[spec.status]:
            project = services.project_transition(
                by=self.people[catalogue.QI], project=project, status=status,
                reason=REASONS[status],
            )  # fmt: skip
        if spec.diagram:
            self.diagram(project, spec.diagram, lead)
        for measure in spec.measures:
            self.measure(project, measure, lead)
        self.backdate(project, spec)

    def backdate(self, project: Project, spec: ProjectSpec) -> None:
        """Put the project's dates in the past, where its story happened."""
        last_activity = self.now - timedelta(days=spec.last_activity_days_ago)
        started = None
        if spec.started_months_ago is not None:
            started = self.now - timedelta(days=round(30.4 * spec.started_months_ago))
        Project.objects.filter(pk=project.pk).update(
            started_on=started.date() if started else None,
            ended_on=last_activity.date() if spec.status in ("completed", "abandoned") else None,
            status_changed_at=started if spec.status == "active" else last_activity,
            last_activity_at=last_activity,
        )

    def diagram(self, project: Project, key: str, lead: User) -> None:
        ideas: dict[str, object] = {}
        links: dict[str, list] = {}
        for position, (primary_title, secondaries) in enumerate(catalogue.DIAGRAMS[key]):
            primary = services.driver_create(
                by=lead, project=project, kind="primary", title=primary_title, position=position
            )
            for sub_position, (title, idea_keys) in enumerate(secondaries):
                secondary = services.driver_create(
                    by=lead, project=project, kind="secondary", title=title, parent=primary,
                    position=sub_position,
                )  # fmt: skip
                for idea_key in idea_keys:
                    links.setdefault(idea_key, []).append(secondary)
        for position, (idea_key, drivers) in enumerate(links.items()):
            title, status, learning = catalogue.IDEAS[idea_key]
            ideas[idea_key] = services.change_idea_create(
                by=lead, project=project, title=title, drivers=drivers, status=status,
                learning=learning, position=position,
            )  # fmt: skip
        for title, status, learning in catalogue.UNLINKED.get(key, []):
            services.change_idea_create(
                by=lead, project=project, title=title, status=status, learning=learning,
                position=len(ideas),
            )  # fmt: skip

    def measure(self, owner: Project | StrategicAim, spec: MeasureSpec, by: User) -> Measure:
        definition = self.definitions.get(spec.definition)
        own = {
            name: value
            for name, value in (
                ("name", spec.name),
                ("improvement_direction", spec.direction),
                ("chart_type", spec.chart_type),
                ("unit", spec.unit),
                ("fix_after_n_points", spec.fix_after_n_points),
            )
            if value is not None
        }
        place = {"project": owner} if isinstance(owner, Project) else {"aim": owner}
        measure = services.measure_create(
            by=by, definition=definition, type=spec.type,
            target=spec.first_target if spec.first_target is not None else spec.target,
            **place, **own,
        )  # fmt: skip
        if spec.first_target is not None:
            services.measure_update(by=self.people[catalogue.COACH], measure=measure,
                                    target=spec.target)  # fmt: skip
        self.data(measure, spec, by)
        return measure

    def data(self, measure: Measure, spec: MeasureSpec, by: User) -> None:
        rows = spec.rows()
        latest = months_back(self.latest, spec.ends_months_ago + 1)[0]
        periods = months_back(latest, len(rows))
        points = [
            DataPoint(
                measure=measure, period=period, value=row.value, numerator=row.numerator,
                denominator=row.denominator, note=row.note, created_by=by,
            )
            for period, row in zip(periods, rows, strict=True)
        ]  # fmt: skip
        bulk_create_with_history(points, DataPoint, default_user=by)
        services.bump_revision(measure)
        if spec.rebase:
            index, reason = spec.rebase
            services.rebase_create(by=by, measure=measure, starts_on=periods[index], reason=reason)


def _seed_demo_trust(organisation: Organisation) -> None:
    seeder = _Seeder(organisation)
    qi = seeder.people[catalogue.QI]
    seeder.library(qi)
    for spec in catalogue.AIMS:
        seeder.aim(spec)
    for spec in catalogue.PROJECTS:
        seeder.project(spec)
    for aim_key, definition, rows, target in catalogue.AIM_MEASURES:
        aim = seeder.aims[aim_key]
        if aim.measures.filter(definition__name=definition).exists():
            continue
        measure = seeder.measure(aim, MeasureSpec(definition, rows, target=target), qi)
        if aim.goal_measure_id is None:
            services.aim_update(by=qi, aim=aim, goal_measure=measure, goal_target=target)
    _files(organisation)


def _huddle_board() -> bytes:
    """A drawing of a ward's huddle board: who is at risk tonight, in bays (no names)."""
    board = Image.new("RGB", (640, 400), "white")
    pen = ImageDraw.Draw(board)
    pen.rectangle((0, 0, 639, 56), fill=(0, 94, 184))
    pen.text((16, 20), "Ward 7 falls huddle board", fill="white")
    for column, (bay, risk) in enumerate([("Bay A", 3), ("Bay B", 1), ("Bay C", 2)]):
        left = 24 + column * 204
        pen.rectangle((left, 80, left + 180, 376), outline=(66, 84, 98), width=3)
        pen.text((left + 12, 92), f"{bay}: {risk} at high risk", fill=(33, 43, 50))
        for row in range(risk):
            pen.ellipse((left + 16, 130 + row * 60, left + 56, 170 + row * 60), fill=(255, 184, 0))
    out = BytesIO()
    board.save(out, "PNG")
    return out.getvalue()


# A one-page PDF: what a team attaches when it changes a form.
_POSTER_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 67>>stream\n"
    b"BT /F1 24 Tf 72 760 Td (Falls huddle at handover: 5 minutes) Tj ET\n"
    b"endstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _files(organisation: Organisation) -> None:
    """The Ward 7 falls project's huddle board photo and poster, so its pages show them."""
    project = Project.objects.filter(
        organisation=organisation, title="Falls huddle at handover"
    ).first()
    if project is None or ProjectFile.objects.filter(project=project).exists():
        return
    lead = project.members.filter(role="lead").first().user
    for name, data, kind, caption in (
        ("huddle-board.png", _huddle_board(), "image/png", "The huddle board after week 2"),
        ("huddle-poster.pdf", _POSTER_PDF, "application/pdf", "Poster for the staff room"),
    ):
        services.project_file_add(
            by=lead,
            project=project,
            upload=SimpleUploadedFile(name, data, content_type=kind),
            caption=caption,
        )


# The coach's feedback on a project: (project, author, text).
FEEDBACK = [
    (
        "Insulin visits on time",
        catalogue.COACH,
        "Nothing logged for five weeks. Shall we meet at Thursday's team huddle to plan "
        "the next small test and catch up on the missing months of data?",
    ),
]


def _seed_feedback(organisation: Organisation) -> None:
    people = {
        user.email: user for user in User.objects.filter(memberships__organisation=organisation)
    }
    for title, email, text in FEEDBACK:
        project = Project.objects.filter(organisation=organisation, title=title).first()
        if project is None or email not in people or project.comments.filter(text=text).exists():
            continue
        services.project_comment_create(project=project, by=people[email], text=text)


def _seed_other_trust(organisation: Organisation) -> None:
    if Project.objects.filter(organisation=organisation).exists():
        return
    seeder = _Seeder(organisation)
    coach = seeder.people["coach@other.example"]
    project = services.project_create(
        by=coach,
        unit=seeder.units["Ward A Elderly Care"],
        title="Falls prevention huddle",
        status="active",
        aim_statement="Fewer falls on Ward A by spring.",
    )
    spec = MeasureSpec(
        "",
        series.other_trust_falls,
        name="Falls per 1,000 bed days",
        direction="decrease",
        chart_type="xmr",
        unit="per 1,000 bed days",
    )
    seeder.measure(project, spec, coach)


def seed() -> None:
    """Seed the demo portfolio (after ``backend.demo``); safe to run again."""
    demo = Organisation.objects.filter(slug="demo-trust").first()
    other = Organisation.objects.filter(slug="other-trust").first()
    if demo is not None:
        _seed_demo_trust(demo)
        _seed_feedback(demo)
    if other is not None:
        _seed_other_trust(other)
