"""A small trust for the capability tests: two clinical divisions and a corporate one
with HR and finance, a catalogue with a course per level, and people in each role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache

from backend.models import Membership, Organisation, Unit, User
from capability.levels import Level
from capability.models import Course
from tests.factories import CourseFactory, MembershipFactory, UnitFactory, UserFactory

Role = Membership.Role
Kind = Unit.Kind


@dataclass
class Trust:
    organisation: Organisation
    units: dict[str, Unit]
    courses: dict[str, Course]
    qi: User
    leader: User
    coach: User
    nurse: User

    def person(self, role: str = Role.FRONTLINE, unit: str | None = None, **kw) -> User:
        user = UserFactory(**kw)
        MembershipFactory(
            user=user,
            organisation=self.organisation,
            role=role,
            home_unit=self.units[unit] if unit else None,
        )
        return user


# (name, level, kind, parent)
TREE = [
    ("Main site", Unit.Level.SITE, Kind.OTHER, None),
    ("Medicine", Unit.Level.DIVISION, Kind.OTHER, "Main site"),
    ("Ward A", Unit.Level.UNIT, Kind.WARD, "Medicine"),
    ("Ward B", Unit.Level.UNIT, Kind.WARD, "Medicine"),
    ("Surgery", Unit.Level.DIVISION, Kind.OTHER, "Main site"),
    ("Theatres", Unit.Level.UNIT, Kind.THEATRES, "Surgery"),
    ("Corporate", Unit.Level.DIVISION, Kind.OTHER, "Main site"),
    ("HR", Unit.Level.UNIT, Kind.HR, "Corporate"),
    ("Finance", Unit.Level.UNIT, Kind.FINANCE, "Corporate"),
]


def plant(organisation: Organisation) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for name, level, kind, parent in TREE:
        units[name] = UnitFactory(
            organisation=organisation,
            name=name,
            level=level,
            kind=kind,
            parent=units.get(parent) if parent else None,
        )
    return units


@pytest.fixture(autouse=True)
def fresh_cache():
    """Counts of training are cached by organisation; each test starts from an empty cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def trust(organisation) -> Trust:
    units = plant(organisation)
    courses = {
        level: CourseFactory(organisation=organisation, name=f"{level.title()} course", level=level)
        for level in Level.values
    }
    made = {}
    for key, role, unit in [
        ("qi", Role.QI_TEAM, None),
        ("leader", Role.LEADER, None),
        ("coach", Role.COACH, "Medicine"),
        ("nurse", Role.FRONTLINE, "Ward A"),
    ]:
        user = UserFactory(email=f"{key}@trust.example", full_name=key.title())
        MembershipFactory(
            user=user,
            organisation=organisation,
            role=role,
            home_unit=units[unit] if unit else None,
        )
        made[key] = user
    return Trust(organisation=organisation, units=units, courses=courses, **made)
