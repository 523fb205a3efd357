"""Reading the catalogue, people and their training records, and the skills directory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
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
    if not user.is_authenticated:
        return Q(pk__in=[])
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
    chosen = str((filters or {}).get("organisation", ""))
    kept = organisation_ids(user=user, roles=RECORD_KEEPER_ROLES)
    # Keeping one organisation's records, theirs include the user's own: no OR to plan
    # around, so the newest records come straight off the index.
    scope = (
        Q(person__organisation_id=int(chosen))
        if chosen.isdigit() and int(chosen) in kept
        else _kept_or_own(user, "person__")
    )
    records = TrainingRecord.objects.filter(scope).select_related(
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


def _per_user(rows: QuerySet) -> Coalesce:
    """How many of ``rows`` (filtered on ``user=OuterRef("pk")``) each user has."""
    counted = rows.order_by().values("user").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_experience(people: Iterable[Person]) -> list[Person]:
    """People with what they have done in Ripple, set on each: ``projects_led``,
    ``cycles_run`` (cycles they own) and ``coaching`` (open projects they coach now), in
    one query for however many people (a page of the directory)."""
    people = list(people)
    users = [person.user_id for person in people if person.user_id]
    places = ProjectMember.objects.filter(user=OuterRef("pk"))
    # Cycles are pdsa's: reached through the relation, so this app does not import it.
    cycles = User._meta.get_field("owned_cycles").related_model.objects.filter(owner=OuterRef("pk"))
    counts = {
        pk: (led, coaching, run)
        for pk, led, coaching, run in User.objects.filter(pk__in=users)
        .order_by()
        .annotate(
            led=_per_user(places.filter(role=ProjectMember.Role.LEAD)),
            coaching=_per_user(
                places.filter(role=ProjectMember.Role.COACH, project__status__in=OPEN)
            ),
            run=_per_user(cycles.annotate(user=F("owner"))),
        )
        .values_list("pk", "led", "coaching", "run")
    }
    for person in people:
        led, coaching, run = counts.get(person.user_id, (0, 0, 0))
        person.projects_led, person.coaching, person.cycles_run = led, coaching, run
    return people


def directory(
    *, user: User, organisation: Organisation, filters: Mapping[str, Any] | None = None
) -> QuerySet[Person]:
    """The skills directory: trained people of the organisation who have not opted out,
    highest level first, then by name. ``filters`` takes ``DirectoryFilter``'s parameters
    (level at least, unit and everything beneath it, experience, name). Their experience
    is read for a page of them with ``with_experience``, never for the whole list."""
    if organisation.pk not in organisation_ids(user=user):
        return Person.objects.none()
    people = (
        Person.objects.filter(organisation=organisation, listed=True)
        .exclude(level="")
        .select_related("unit")
        .order_by("-level_rank", "full_name", "id")
    )
    if filters is not None:
        people = apply_filters(
            DirectoryFilter(filters, queryset=people, user=user, organisation=organisation)
        )
    return people
