"""The course catalogue, and people: their record, their level and their listing in the
skills directory."""

from __future__ import annotations

from typing import TypedDict, Unpack

from django.db import transaction
from django.utils import timezone

from backend.errors import refuse
from backend.history import save_with_history
from backend.models import Organisation, Unit, User, normalise_email
from backend.selectors import role_in
from backend.updates import field_names, model_update, only
from capability import levels
from capability.models import Course, Person
from capability.services._shared import ensure_keeper, levels_refresh, same_organisation


class CourseFields(TypedDict, total=False):
    """What a course holds besides its name, level and organisation."""

    provider: str
    description: str
    is_active: bool


class CourseChanges(CourseFields, total=False):
    name: str
    level: str


def _check_course(course: Course) -> None:
    clash = Course.objects.filter(organisation_id=course.organisation_id, name__iexact=course.name)
    if course.pk is not None:
        clash = clash.exclude(pk=course.pk)
    if clash.exists():
        refuse("The catalogue already has a course with this name.", field="name")
    course.full_clean(validate_unique=False)


@transaction.atomic
def course_create(
    *, by: User, organisation: Organisation, name: str, level: str, **fields: Unpack[CourseFields]
) -> Course:
    """Add a course to the organisation's catalogue, with the escalator level it gives."""
    ensure_keeper(by=by, organisation_id=organisation.pk, action="change the course catalogue")
    fields = only(CourseFields, fields, service="course_create")
    course = Course(organisation=organisation, name=name.strip(), level=level, **fields)
    _check_course(course)
    save_with_history(course, by=by)
    return course


@transaction.atomic
def course_update(*, by: User, course: Course, **changes: Unpack[CourseChanges]) -> Course:
    """Rename or re-describe a course. A change of level moves everyone who did it."""
    ensure_keeper(
        by=by, organisation_id=course.organisation_id, action="change the course catalogue"
    )
    data = only(CourseChanges, changes, service="course_update")
    course, changed = model_update(
        instance=course, fields=field_names(CourseChanges), data=data, by=by, check=_check_course
    )
    if "level" in changed:
        levels_refresh(
            person_ids=course.records.values_list("person_id", flat=True),
            by=by,
            reason=f"The course {course.name} now gives the {course.get_level_display()} level.",
        )
    return course


class PersonFields(TypedDict, total=False):
    full_name: str
    unit: Unit | None
    listed: bool


def _link_user(organisation: Organisation, email: str) -> User | None:
    """The member of the organisation with this e-mail address, if there is one and no
    record of theirs is there yet (their address may have changed since it was made)."""
    return (
        User.objects.filter(memberships__organisation=organisation, email=email)
        .exclude(capability_people__organisation=organisation)
        .first()
    )


@transaction.atomic
def person_create(
    *, by: User, organisation: Organisation, email: str, **fields: Unpack[PersonFields]
) -> Person:
    """Start a training record for someone on the staff (the QI team and administrators);
    ``listed`` False keeps them out of the skills directory from the start."""
    ensure_keeper(by=by, organisation_id=organisation.pk, action="add people's records")
    fields = only(PersonFields, fields, service="person_create")
    email = normalise_email(email)
    if Person.objects.filter(organisation=organisation, email=email).exists():
        refuse("There is already a record for this e-mail address.", field="email")
    same_organisation(fields.get("unit"), organisation.pk, field="unit", what="unit")
    person = Person(
        organisation=organisation, email=email, user=_link_user(organisation, email), **fields
    )
    person.full_clean(validate_unique=False)
    save_with_history(person, by=by)
    return person


@transaction.atomic
def person_ensure(*, user: User, organisation: Organisation) -> Person:
    """The user's own record in the organisation, made (or linked to their account, when
    an import made it under their e-mail address) the first time they add to it."""
    if role_in(user=user, organisation_id=organisation.pk) is None:
        refuse("You do not belong to this organisation.", field="organisation")
    mine = Person.objects.select_for_update().filter(organisation=organisation, user=user).first()
    if mine is not None:
        return mine
    found = (
        Person.objects.select_for_update()
        .filter(organisation=organisation, email__iexact=user.email, user__isnull=True)
        .first()
    )
    if found is not None:
        found.user = user
        save_with_history(found, by=user, reason="Linked to their Ripple account.")
        return found
    membership = user.memberships.filter(organisation=organisation).first()
    person = Person(
        organisation=organisation,
        user=user,
        email=user.email.lower(),
        full_name=user.full_name,
        unit=membership.home_unit if membership else None,
    )
    save_with_history(person, by=user)
    return person


@transaction.atomic
def person_update(*, by: User, person: Person, **changes: Unpack[PersonFields]) -> Person:
    """Change a person's name, unit or listing. People choose for themselves whether the
    skills directory lists them; the QI team and administrators keep the rest."""
    data = only(PersonFields, changes, service="person_update")
    is_self = person.user_id == by.pk
    if set(data) - {"listed"} or not is_self:
        ensure_keeper(by=by, organisation_id=person.organisation_id, action="change this record")
    if "unit" in data:
        same_organisation(data["unit"], person.organisation_id, field="unit", what="unit")
    person, _ = model_update(instance=person, fields=field_names(PersonFields), data=data, by=by)
    return person


@transaction.atomic
def person_set_level(*, by: User, person: Person, level: str, reason: str) -> Person:
    """Set a person's level by hand, saying why (peers recognise an expert no course
    makes; a course taken elsewhere); ``level`` "" goes back to what the records show.
    The history keeps every setting, who made it and why."""
    ensure_keeper(by=by, organisation_id=person.organisation_id, action="set someone's level")
    reason = reason.strip()
    if not reason:
        refuse("Say why you are setting this level: the history keeps it.", field="reason")
    if level and level not in levels.LEVELS:
        refuse(f"Choose a level: {', '.join(levels.LEVELS)}.", field="level")
    person = Person.objects.select_for_update().get(pk=person.pk)
    person.set_level = level
    person.set_reason = reason if level else ""
    person.set_by = by if level else None
    person.set_at = timezone.now() if level else None
    person.put_level(level or person.records_level)
    said = (
        f"Level set to {levels.label(level)}: {reason}"
        if level
        else f"Back to the level the records show: {reason}"
    )
    save_with_history(person, by=by, reason=said)
    return person
