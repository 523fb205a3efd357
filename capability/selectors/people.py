"""Reading the catalogue, people and their training records, and the skills directory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from backend.filters import apply_filters
from backend.models import Organisation, User
from backend.selectors import organisation_ids
from capability import levels
from capability.filters import DirectoryFilter, PersonFilter, RecordFilter
from capability.models import Course, Person, TrainingRecord
from capability.selectors.access import RECORD_KEEPER_ROLES
from projects.lifecycle import OPEN
from projects.models import ProjectMember


def _level_rank(field: str = "level") -> Case:
    return Case(
        *[When(**{field: level}, then=Value(levels.rank(level))) for level in levels.LEVELS],
        default=Value(0),
        output_field=IntegerField(),
    )


def course_list(*, user: User) -> QuerySet[Course]:
    """The catalogues of the user's organisations (every member reads them), in the
    order of the escalator, then by name."""
    return (
        Course.objects.filter(organisation_id__in=organisation_ids(user=user))
        .select_related("organisation")
        .annotate(level_rank=_level_rank())
        .order_by("level_rank", "name")
    )


def _kept_or_own(user: User, prefix: str = "") -> Q:
    keeper_of = organisation_ids(user=user, roles=RECORD_KEEPER_ROLES)
    return Q(**{f"{prefix}organisation_id__in": keeper_of}) | Q(**{f"{prefix}user": user})


def person_list(*, user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Person]:
    """People whose training records the user may read: everyone in the organisations
    where they keep the records (QI team, administrators), and themselves."""
    people = Person.objects.filter(_kept_or_own(user)).select_related("unit", "user", "set_by")
    if filters is not None:
        people = apply_filters(PersonFilter(filters, queryset=people, user=user))
    return people


def person_of(*, user: User, organisation: Organisation) -> Person | None:
    """The user's own training record in the organisation: the one linked to their
    account, else one an import made under their e-mail address, or None."""
    found = list(
        Person.objects.filter(organisation=organisation)
        .filter(Q(user=user) | Q(user__isnull=True, email__iexact=user.email))
        .select_related("unit", "set_by")
    )
    found.sort(key=lambda person: person.user_id is None)
    return found[0] if found else None


def record_list(
    *, user: User, filters: Mapping[str, Any] | None = None
) -> QuerySet[TrainingRecord]:
    """Training records the user may read: all of them where they keep the records, and
    their own."""
    records = TrainingRecord.objects.filter(_kept_or_own(user, "person__")).select_related(
        "person", "person__unit", "course", "added_by", "decided_by"
    )
    if filters is not None:
        records = apply_filters(RecordFilter(filters, queryset=records, user=user))
    return records


def pending_count(*, user: User) -> int:
    """How many records people added for themselves wait for the user's approval."""
    keeper_of = organisation_ids(user=user, roles=RECORD_KEEPER_ROLES)
    if not keeper_of:
        return 0
    return TrainingRecord.objects.filter(
        person__organisation_id__in=keeper_of, status=TrainingRecord.Status.PENDING
    ).count()


def _count_of(queryset: QuerySet) -> Subquery:
    return Coalesce(
        Subquery(queryset.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
        Value(0),
    )


def _team_places(role: str, *, open_only: bool = False) -> QuerySet:
    places = ProjectMember.objects.filter(user_id=OuterRef("user_id"), role=role)
    if open_only:
        places = places.filter(project__status__in=OPEN)
    # One row per person, counted: grouping by the user is what makes Count a count.
    return places.order_by().values("user_id")


def with_experience(people: QuerySet[Person]) -> QuerySet[Person]:
    """People with what they have done in Ripple: projects led, PDSA cycles run (owned)
    and the open projects they coach now, each one subquery (no row multiplication)."""
    cycles = (
        User.objects.filter(pk=OuterRef("user_id"))
        .annotate(n=Count("owned_cycles"))
        .values("n")[:1]
    )
    return people.annotate(
        projects_led=_count_of(_team_places(ProjectMember.Role.LEAD)),
        coaching=_count_of(_team_places(ProjectMember.Role.COACH, open_only=True)),
        cycles_run=Coalesce(Subquery(cycles, output_field=IntegerField()), Value(0)),
        level_rank=_level_rank(),
    )


def directory(
    *, user: User, organisation: Organisation, filters: Mapping[str, Any] | None = None
) -> QuerySet[Person]:
    """The skills directory: trained people of the organisation who have not opted out,
    with their experience, highest level first. ``filters`` takes ``DirectoryFilter``'s
    parameters (level at least, unit and everything beneath it, experience, name)."""
    if organisation.pk not in organisation_ids(user=user):
        return Person.objects.none()
    people = with_experience(
        Person.objects.filter(organisation=organisation, listed=True)
        .exclude(level="")
        .select_related("unit")
    ).order_by("-level_rank", "-projects_led", "-cycles_run", "full_name")
    if filters is not None:
        people = apply_filters(
            DirectoryFilter(filters, queryset=people, user=user, organisation=organisation)
        )
    return people
