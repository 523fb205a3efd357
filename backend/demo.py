"""Demo data for accounts and tenancy: two organisations, a realistic hierarchy, demo logins.

``manage.py seed_demo`` runs this, then each app's own ``demo.seed()`` in the order of
INSTALLED_APPS. Every step looks up before it creates, so seeding twice changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from backend.models import Invitation, Membership, Organisation, Unit, User

DEMO_PASSWORD = "ripple-demo"
DEMO_OPERATOR = "operator@ripple.example"

Role = Membership.Role
Kind = Unit.Kind
Level = Unit.Level

# (name, level, kind, specialty, children)
# fmt: off
DEMO_TRUST_TREE = [
    (
        "Royal Infirmary",
        Level.SITE,
        Kind.OTHER,
        "",
        [
            (
                "Medicine",
                Level.DIVISION,
                Kind.OTHER,
                "",
                [
                    (
                        "Acute and Emergency Medicine",
                        Level.DIRECTORATE,
                        Kind.OTHER,
                        "",
                        [
                            (
                                "Emergency Department",
                                Level.UNIT,
                                Kind.EMERGENCY,
                                "emergency medicine",
                                [],
                            ),
                            (
                                "Ward 1 Acute Medical Unit",
                                Level.UNIT,
                                Kind.WARD,
                                "acute medicine",
                                [],
                            ),
                            ("Ward 2 Respiratory", Level.UNIT, Kind.WARD, "respiratory", []),
                        ],
                    ),
                    (
                        "Elderly Care",
                        Level.DIRECTORATE,
                        Kind.OTHER,
                        "",
                        [
                            ("Ward 7 Elderly Care", Level.UNIT, Kind.WARD, "elderly care", []),
                            ("Ward 8 Stroke", Level.UNIT, Kind.WARD, "stroke", []),
                            ("Ward 10 Elderly Care", Level.UNIT, Kind.WARD, "elderly care", []),
                            ("Falls Clinic", Level.UNIT, Kind.CLINIC, "elderly care", []),
                        ],
                    ),
                ],
            ),
            (
                "Surgery",
                Level.DIVISION,
                Kind.OTHER,
                "",
                [
                    (
                        "General Surgery",
                        Level.DIRECTORATE,
                        Kind.OTHER,
                        "",
                        [
                            ("Ward 12 Surgical", Level.UNIT, Kind.WARD, "general surgery", []),
                            (
                                "Ward 14 Orthopaedics",
                                Level.UNIT,
                                Kind.WARD,
                                "trauma and orthopaedics",
                                [],
                            ),
                            ("Main Theatres", Level.UNIT, Kind.THEATRES, "general surgery", []),
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        "Community Hospital",
        Level.SITE,
        Kind.OTHER,
        "",
        [
            (
                "Community and Corporate Services",
                Level.DIVISION,
                Kind.OTHER,
                "",
                [
                    (
                        "Community Services",
                        Level.DIRECTORATE,
                        Kind.OTHER,
                        "",
                        [
                            ("Ward 20 Rehabilitation", Level.UNIT, Kind.WARD, "elderly care", []),
                            (
                                "District Nursing North",
                                Level.UNIT,
                                Kind.COMMUNITY_TEAM,
                                "district nursing",
                                [],
                            ),
                            (
                                "District Nursing South",
                                Level.UNIT,
                                Kind.COMMUNITY_TEAM,
                                "district nursing",
                                [],
                            ),
                            ("Diabetes Clinic", Level.UNIT, Kind.CLINIC, "diabetes", []),
                        ],
                    ),
                    (
                        "Corporate Services",
                        Level.DIRECTORATE,
                        Kind.OTHER,
                        "",
                        [
                            ("HR", Level.UNIT, Kind.HR, "workforce", []),
                            ("Finance", Level.UNIT, Kind.FINANCE, "finance", []),
                            ("IT", Level.UNIT, Kind.IT, "digital", []),
                            ("Estates", Level.UNIT, Kind.ESTATES, "estates and facilities", []),
                        ],
                    ),
                ],
            ),
        ],
    ),
]

OTHER_TRUST_TREE = [
    (
        "Other General Hospital",
        Level.SITE,
        Kind.OTHER,
        "",
        [
            (
                "Medicine",
                Level.DIVISION,
                Kind.OTHER,
                "",
                [
                    ("Ward A Elderly Care", Level.UNIT, Kind.WARD, "elderly care", []),
                    ("Ward B Respiratory", Level.UNIT, Kind.WARD, "respiratory", []),
                ],
            ),
        ],
    ),
]

# (email, full name, role, home unit, extra membership fields)
DEMO_TRUST_PEOPLE = [
    ("nurse@demo.example", "Priya Shah", Role.FRONTLINE, "Ward 7 Elderly Care", {}),
    ("coach@demo.example", "Sam Okafor", Role.COACH, "Elderly Care", {"caseload_capacity": 8}),
    ("qi@demo.example", "Alex Morgan", Role.QI_TEAM, None, {}),
    ("board@demo.example", "Helen Carter", Role.LEADER, None, {}),
    ("partner@demo.example", "Joan Williams", Role.LIVED_EXPERIENCE_PARTNER, None, {}),
    ("admin@demo.example", "Chris Taylor", Role.ADMIN, None, {}),
    ("hca@demo.example", "Tom Evans", Role.FRONTLINE, "Ward 10 Elderly Care", {}),
    ("physio@demo.example", "Aisha Khan", Role.FRONTLINE, "Ward 8 Stroke", {}),
    ("dn@demo.example", "Mark Jones", Role.FRONTLINE, "District Nursing North", {}),
    ("hr@demo.example", "Ruth Green", Role.FRONTLINE, "HR", {}),
    ("coach2@demo.example", "Nadia Ali", Role.COACH, "Surgery", {"caseload_capacity": 6}),
]

OTHER_TRUST_PEOPLE = [
    (
        "coach@other.example",
        "Dan Price",
        Role.COACH,
        "Ward A Elderly Care",
        {"caseload_capacity": 5},
    ),
    ("admin@other.example", "Lee Brown", Role.ADMIN, None, {}),
]
# fmt: on


def _plant(organisation: Organisation, tree: list, parent: Unit | None) -> None:
    for name, level, kind, specialty, children in tree:
        unit, _ = Unit.objects.get_or_create(
            organisation=organisation,
            parent=parent,
            name=name,
            defaults={"level": level, "kind": kind, "specialty": specialty},
        )
        _plant(organisation, children, unit)


def _enrol(organisation: Organisation, people: list, password_hash: str) -> None:
    units = {unit.name: unit for unit in organisation.units.all()}
    for email, full_name, role, home, extra in people:
        user, _ = User.objects.get_or_create(
            email=email, defaults={"full_name": full_name, "password": password_hash}
        )
        # An organisation's people are never staff or superusers, even its administrators
        # (demo data made before this rule are put right on the next run).
        if user.is_staff or user.is_superuser:
            user.is_staff = user.is_superuser = False
            user.save(update_fields=["is_staff", "is_superuser"])
        Membership.objects.get_or_create(
            user=user,
            organisation=organisation,
            defaults={"role": role, "home_unit": units.get(home), **extra},
        )


def _welcome(organisation: Organisation) -> None:
    """Where newcomers start, and someone invited who has not joined yet (no e-mail is
    sent: the demo's invitation is there to be seen, sent again or withdrawn)."""
    if organisation.default_unit_id is None:
        organisation.default_unit = organisation.units.filter(name="Ward 7 Elderly Care").first()
        organisation.save(update_fields=["default_unit"])
    Invitation.objects.get_or_create(
        organisation=organisation,
        email="new.starter@demo.example",
        defaults={
            "full_name": "Jo Bloggs",
            "role": Role.FRONTLINE,
            "home_unit": organisation.units.filter(name="Ward 8 Stroke").first(),
            "invited_by": User.objects.filter(email="admin@demo.example").first(),
            "expires_at": timezone.now() + timedelta(days=7),
        },
    )


def seed() -> dict[str, Organisation]:
    """Create the demo organisations, their units and the demo logins."""
    password_hash = make_password(DEMO_PASSWORD)
    demo, _ = Organisation.objects.get_or_create(
        slug="demo-trust",
        defaults={"name": "Demo Trust", "ods_code": "RXX", "projects_need_approval": True},
    )
    other, _ = Organisation.objects.get_or_create(
        slug="other-trust", defaults={"name": "Other Trust", "ods_code": "RYY"}
    )
    _plant(demo, DEMO_TRUST_TREE, None)
    _plant(other, OTHER_TRUST_TREE, None)
    _enrol(demo, DEMO_TRUST_PEOPLE, password_hash)
    _enrol(other, OTHER_TRUST_PEOPLE, password_hash)
    _welcome(demo)
    # The one who runs the installation: opens /admin/, belongs to no organisation.
    User.objects.get_or_create(
        email=DEMO_OPERATOR,
        defaults={
            "full_name": "Sam Okafor",
            "password": password_hash,
            "is_staff": True,
            "is_superuser": True,
        },
    )
    return {"demo": demo, "other": other}
