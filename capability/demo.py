"""Demo capability data for Demo Trust: a course catalogue, headcounts for every ward
and service, a few hundred training records imported from an "HR export" (through the
same import the QI team uses), a pyramid with real gaps (Surgery needs 12 more
practitioners), courses waiting for approval, lived-experience partners on more teams,
and the board's visits and stories.

Runs after ``projects.demo`` and finds its people, units and projects by name. Every
step looks up before it acts, and the import adds nothing twice, so a second run
changes nothing. Dates are relative to today, so the quarters always show a trend.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from backend.demo import DEMO_PASSWORD
from backend.models import Membership, Organisation, Unit, User
from capability import services
from capability.levels import Level
from capability.models import Course, Engagement, Headcount, Person, TrainingRecord
from projects import services as project_services
from projects.models import Project, ProjectMember

ORGANISATION = "demo-trust"
QI, BOARD, NURSE = "qi@demo.example", "board@demo.example", "nurse@demo.example"
PARTNER2 = ("partner2@demo.example", "Grace Mensah")

FOUNDATION_E = "Quality improvement foundations (e-learning)"
IN_A_DAY = "Improvement in a day"
PRACTITIONER = "QI practitioner programme"
LEADING = "Leading improvement projects"
COACH_PROGRAMME = "Improvement coach programme"
FELLOWSHIP = "Improvement faculty fellowship"

# (name, provider, level, description, offered)
CATALOGUE = [
    (
        FOUNDATION_E,
        "Demo Trust QI team",
        Level.FOUNDATION,
        "Ninety minutes online: the Model for Improvement, PDSA cycles and run charts.",
        True,
    ),
    (
        IN_A_DAY,
        "Demo Trust QI team",
        Level.FOUNDATION,
        "A day's workshop for a ward team, ending with a first test of change.",
        True,
    ),
    (
        "Measurement for improvement (retired)",
        "Regional improvement academy",
        Level.FOUNDATION,
        "Replaced by the e-learning in 2024.",
        False,
    ),
    (
        PRACTITIONER,
        "Demo Trust QI team",
        Level.PRACTITIONER,
        "Six months leading a real project with a coach: aims, driver diagrams, SPC.",
        True,
    ),
    (
        LEADING,
        "Regional improvement academy",
        Level.PRACTITIONER,
        "Three days on running an improvement project and its team.",
        True,
    ),
    (
        COACH_PROGRAMME,
        "Demo Trust QI team",
        Level.ADVANCED,
        "A year learning to coach teams and teach the method.",
        True,
    ),
    (
        FELLOWSHIP,
        "National improvement faculty",
        Level.EXPERT,
        "For those who lead improvement across a system and teach other coaches.",
        True,
    ),
]

# Each unit's staff, and the trained people in it beyond the demo logins:
# (foundation only, practitioners, advanced, experts).
UNITS = {
    "Emergency Department": (180, (30, 6, 1, 1)),
    "Ward 1 Acute Medical Unit": (120, (22, 4, 0, 0)),
    "Ward 2 Respiratory": (95, (18, 3, 0, 0)),
    "Ward 7 Elderly Care": (110, (28, 6, 0, 0)),
    "Ward 8 Stroke": (90, (20, 4, 0, 0)),
    "Ward 10 Elderly Care": (85, (17, 3, 0, 0)),
    "Falls Clinic": (25, (8, 2, 1, 0)),
    "Ward 12 Surgical": (150, (25, 4, 0, 0)),
    "Ward 14 Orthopaedics": (140, (22, 3, 1, 0)),
    "Main Theatres": (190, (23, 3, 0, 0)),
    "Ward 20 Rehabilitation": (120, (14, 2, 0, 0)),
    "District Nursing North": (95, (14, 2, 0, 0)),
    "District Nursing South": (90, (12, 1, 1, 0)),
    "Diabetes Clinic": (35, (10, 1, 0, 0)),
    "HR": (60, (9, 1, 0, 0)),
    "Finance": (85, (6, 1, 0, 0)),
    "IT": (95, (8, 0, 0, 0)),
    "Estates": (70, (4, 0, 0, 0)),
}

# The demo logins' own training: (e-mail, the courses they finished, months ago).
LOGINS = [
    ("nurse@demo.example", [(FOUNDATION_E, 20)]),
    ("hca@demo.example", [(IN_A_DAY, 9)]),
    ("physio@demo.example", [(FOUNDATION_E, 22), (PRACTITIONER, 8)]),
    ("dn@demo.example", [(FOUNDATION_E, 5)]),
    ("hr@demo.example", [(IN_A_DAY, 14), (LEADING, 4)]),
    ("coach@demo.example", [(FOUNDATION_E, 40), (PRACTITIONER, 30), (COACH_PROGRAMME, 12)]),
    ("coach2@demo.example", [(FOUNDATION_E, 30), (PRACTITIONER, 16)]),
    ("qi@demo.example", [(FOUNDATION_E, 60), (PRACTITIONER, 48), (COACH_PROGRAMME, 30)]),
    ("board@demo.example", [(IN_A_DAY, 3)]),
]

FIRST = [
    "Amara",
    "Ben",
    "Chloe",
    "Daniel",
    "Ellie",
    "Farah",
    "George",
    "Hannah",
    "Imran",
    "Jess",
    "Kofi",
    "Laura",
    "Mohammed",
    "Niamh",
    "Owen",
    "Pooja",
    "Rhys",
    "Sarah",
    "Tariq",
    "Una",
    "Victor",
    "Wendy",
    "Yusuf",
    "Zoe",
    "Aled",
    "Bethan",
    "Callum",
    "Dev",
    "Emma",
    "Femi",
    "Gemma",
    "Harry",
    "Isla",
    "Jamal",
    "Katie",
    "Leon",
]
LAST = [
    "Adams",
    "Begum",
    "Clarke",
    "Davies",
    "Edwards",
    "Fisher",
    "Griffiths",
    "Hussain",
    "Ibrahim",
    "Jenkins",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "Osei",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Thomas",
    "Usman",
    "Vaughan",
    "Walsh",
    "Young",
]

# (who, kind, project title or None, days ago, what they learned)
ENGAGEMENTS = [
    (
        BOARD,
        "visit",
        "Falls huddle at handover",
        20,
        "The huddle takes two minutes and the healthcare assistants lead it; night staff want "
        "it too.",
    ),
    (
        BOARD,
        "story",
        None,
        48,
        "A daughter told the board how her father fell twice in a week; the falls clinic's "
        "referral to strength and balance classes is what helped.",
    ),
    (
        BOARD,
        "visit",
        "Sepsis: antibiotics within the hour",
        75,
        "The sepsis trolley saves minutes, but agency staff do not know where it is kept.",
    ),
    (
        BOARD,
        "visit",
        "Wellbeing check-ins to reduce sickness absence",
        130,
        "HR's check-ins are popular; managers asked for the absence data weekly, not monthly.",
    ),
    (BOARD, "learning", None, 200, "Joined the improvement showcase: eleven teams presented."),
    (
        QI,
        "visit",
        "Hip fracture: theatre within 36 hours",
        95,
        "The trauma list model works on weekdays; weekends still wait for a second theatre.",
    ),
    (BOARD, "story", None, 420, "Heard from a district nurse about insulin visits running late."),
]

# (project title, partner e-mail): more teams with a lived-experience partner.
PARTNERS = [
    ("Stroke unit within 4 hours", "partner@demo.example"),
    ("Sepsis: antibiotics within the hour", PARTNER2[0]),
    ("Insulin visits on time", PARTNER2[0]),
]


def _months_ago(today: date, months: float) -> date:
    return today - timedelta(days=round(30.4 * months))


def _catalogue(organisation: Organisation, qi: User) -> None:
    for name, provider, level, description, offered in CATALOGUE:
        if not Course.objects.filter(organisation=organisation, name=name).exists():
            services.course_create(
                by=qi,
                organisation=organisation,
                name=name,
                level=level,
                provider=provider,
                description=description,
                is_active=offered,
            )


def _headcounts(organisation: Organisation, qi: User) -> None:
    units = {unit.name: unit for unit in Unit.objects.filter(organisation=organisation)}
    for name, (staff, _) in UNITS.items():
        if name in units and not Headcount.objects.filter(unit=units[name]).exists():
            services.headcount_set(by=qi, unit=units[name], staff=staff)


def _courses_for(level: str, rng: random.Random, today: date) -> list[tuple[str, date]]:
    """The courses someone trained to ``level`` finished: the last of them lately (more
    people trained lately, as a growing programme shows), each earlier one 4 to 14
    months before the next."""
    ladder = [
        rng.choice([FOUNDATION_E, FOUNDATION_E, IN_A_DAY]),
        rng.choice([PRACTITIONER, PRACTITIONER, LEADING]),
        COACH_PROGRAMME,
        FELLOWSHIP,
    ][: Level.values.index(level) + 1]
    months = rng.choice([1, 2, 3, 4, 5, 6, 7, 9, 11, 13, 16, 20, 23])
    finished = []
    for course in reversed(ladder):
        finished.append((course, _months_ago(today, months)))
        months += rng.randint(4, 14)
    return finished[::-1]


def _export_rows(today: date) -> list[str]:
    """The "HR export": one row per course per person, deterministic."""
    rng = random.Random(19)
    rows = ["email,name,unit,course,completed_on"]
    index = 0
    for unit, (_, counts) in UNITS.items():
        for level, count in zip(Level.values, counts, strict=True):
            for _ in range(count):
                first, last = FIRST[index % len(FIRST)], LAST[(index * 7) % len(LAST)]
                email = f"{first}.{last}{index}@demo.example".lower()
                index += 1
                for course, finished in _courses_for(level, rng, today):
                    rows.append(f"{email},{first} {last},{unit},{course},{finished:%d/%m/%Y}")
    people = {user.email: user for user in User.objects.filter(email__in=[e for e, _ in LOGINS])}
    for email, courses in LOGINS:
        user = people.get(email)
        if user is None:
            continue
        membership = user.memberships.filter(organisation__slug=ORGANISATION).first()
        unit = membership.home_unit.name if membership and membership.home_unit else ""
        for course, months in courses:
            rows.append(
                f"{email},{user.full_name},{unit},{course},{_months_ago(today, months):%d/%m/%Y}"
            )
    return rows


def _partners(organisation: Organisation, qi: User) -> None:
    user, _ = User.objects.get_or_create(
        email=PARTNER2[0],
        defaults={"full_name": PARTNER2[1], "password": make_password(DEMO_PASSWORD)},
    )
    Membership.objects.get_or_create(
        user=user,
        organisation=organisation,
        defaults={"role": Membership.Role.LIVED_EXPERIENCE_PARTNER},
    )
    role = ProjectMember.Role.LIVED_EXPERIENCE_PARTNER
    for title, email in PARTNERS:
        project = Project.objects.filter(organisation=organisation, title=title).first()
        partner = User.objects.filter(email=email).first()
        if project is None or partner is None:
            continue
        if not ProjectMember.objects.filter(project=project, user=partner, role=role).exists():
            project_services.project_member_add(by=qi, project=project, user=partner, role=role)


def _waiting_for_approval(organisation: Organisation, today: date) -> None:
    """Courses three people added for themselves, for the QI team to approve."""
    courses = {course.name: course for course in Course.objects.filter(organisation=organisation)}
    wanted = [
        (NURSE, PRACTITIONER, 1),
        ("dn@demo.example", LEADING, 2),
        ("hca@demo.example", FOUNDATION_E, 1),
    ]
    for email, course, months in wanted:
        user = User.objects.filter(email=email).first()
        if user is None:
            continue
        person = services.person_ensure(user=user, organisation=organisation)
        finished = _months_ago(today, months)
        if not TrainingRecord.objects.filter(person=person, course=courses[course]).exists():
            services.record_add(
                by=user,
                person=person,
                course=courses[course],
                completed_on=finished,
                evidence_url="https://learning.demo.example/certificates/"
                f"{email.split('@')[0]}-{finished:%Y%m}",
            )


def _engagements(organisation: Organisation, today: date) -> None:
    if Engagement.objects.filter(organisation=organisation).exists():
        return
    for email, kind, title, days, learned in ENGAGEMENTS:
        leader = User.objects.filter(email=email).first()
        project = (
            Project.objects.filter(organisation=organisation, title=title).first()
            if title
            else None
        )
        if leader is None or (title and project is None):
            continue
        services.engagement_record(
            by=leader,
            organisation=organisation,
            kind=kind,
            project=project,
            happened_on=today - timedelta(days=days),
            learned=learned,
        )


def seed() -> None:
    """Seed Demo Trust's capability data (after ``projects.demo``); safe to run again."""
    organisation = Organisation.objects.filter(slug=ORGANISATION).first()
    qi = User.objects.filter(email=QI).first()
    if organisation is None or qi is None:
        return
    today = timezone.localdate()
    _catalogue(organisation, qi)
    _headcounts(organisation, qi)
    if not Person.objects.filter(organisation=organisation, email__startswith="amara.").exists():
        services.records_import(
            by=qi, organisation=organisation, raw="\n".join(_export_rows(today)).encode()
        )
    # A few people prefer not to be listed in the skills directory.
    Person.objects.filter(organisation=organisation, email__regex=r"[0-9]*7@").update(listed=False)
    lead = services.person_ensure(user=qi, organisation=organisation)
    if not lead.set_level:
        services.person_set_level(
            by=qi,
            person=lead,
            level=Level.EXPERT,
            reason="Recognised by peers: leads the trust's improvement faculty and teaches "
            "the coach programme.",
        )
    _partners(organisation, qi)
    _waiting_for_approval(organisation, today)
    _engagements(organisation, today)
