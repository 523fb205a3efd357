"""The capability pyramid: people trained to each level of the escalator against the
dosing target, for the organisation, each division and the support services, with the
gaps in words; and how many were trained each quarter.

Someone at a level has the skills of the levels below, so a tier counts everyone
trained to *at least* that level. A target is the headcount times the level's ratio,
rounded to the nearest whole person (half up): 0.05% of a 240-strong division is 0.12
of an expert, which is no expert at that size rather than one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncQuarter

from backend import kept_pages
from backend.models import Organisation, Unit
from capability import levels
from capability.models import Course, DosingRatios, Headcount, Person, TrainingRecord
from capability.training_cache import training_token
from capability.tree import SUPPORT_KINDS, UnitTree
from projects.periods import period_start

QUARTERS_SHOWN = 8
QUARTERS_KEPT = 60 * 60 * 24  # a day: the date moves on anyway


@dataclass(frozen=True)
class Tier:
    level: str
    label: str
    percent: Decimal
    target: int
    trained: int

    @property
    def gap(self) -> int:
        return max(0, self.target - self.trained)

    @property
    def percent_text(self) -> str:
        return percent_text(self.percent)

    @property
    def share(self) -> float:
        """Trained as a share of the target; with no target, all or nothing."""
        if self.target == 0:
            return 1.0 if self.trained else 0.0
        return self.trained / self.target


@dataclass
class Scope:
    """One part of the organisation (or all of it) with its pyramid."""

    key: str
    name: str
    headcount: int
    tiers: list[Tier] = field(default_factory=list)
    plural: bool = False  # "the support services need", not "needs"

    @property
    def gaps(self) -> list[Tier]:
        return [tier for tier in self.tiers if tier.gap]

    @property
    def words(self) -> str:
        """The gaps as a sentence: "Surgery needs 12 more practitioners and 1 more expert." """
        return gap_words(self.name, self.headcount, self.tiers, plural=self.plural)


def gap_words(name: str, headcount: int, tiers: list[Tier], *, plural: bool = False) -> str:
    """What a part of the organisation still needs, as a board would say it."""
    has, needs_, meets = ("have", "need", "meet") if plural else ("has", "needs", "meets")
    if headcount == 0:
        return f"{name} {has} no headcount recorded yet, so no targets."
    # "12 practitioners" becomes "12 more practitioners".
    needs = [
        levels.people(tier.gap, tier.level).replace(" ", " more ", 1) for tier in tiers if tier.gap
    ]
    if not needs:
        return f"{name} {meets} {'their' if plural else 'its'} target at every level."
    listed = needs[0] if len(needs) == 1 else f"{', '.join(needs[:-1])} and {needs[-1]}"
    return f"{name} {needs_} {listed}."


def percent_text(percent: Decimal) -> str:
    """A ratio as people write it: 50, 5, 0.5, 0.05 (no trailing zeros, no exponent)."""
    return f"{percent:f}".rstrip("0").rstrip(".") if "." in f"{percent:f}" else f"{percent:f}"


def ratios_of(organisation: Organisation) -> DosingRatios:
    """The organisation's dosing ratios, or the defaults (unsaved) when it set none."""
    found = DosingRatios.objects.filter(organisation=organisation).first()
    return found or DosingRatios(organisation=organisation)


def target(headcount: int, percent: Decimal) -> int:
    """``percent`` of ``headcount``, to the nearest whole person (half up)."""
    return int((Decimal(headcount) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _tiers(headcount: int, counts: Counter, ratios: DosingRatios) -> list[Tier]:
    tiers = []
    for level in levels.LEVELS:
        percent = ratios.percent(level)
        trained = sum(counts[higher] for higher in levels.at_least(level))
        tiers.append(
            Tier(
                level=level,
                label=levels.label(level),
                percent=percent,
                target=target(headcount, percent),
                trained=trained,
            )
        )
    return tiers


def trained_by_place(*, organisation: Organisation, as_of: date | None = None) -> list[dict]:
    """How many people are trained to each level in each unit: ``{"unit_id", "level",
    "people"}`` rows. Today's from the levels kept on each record (one grouped query);
    ``as_of`` a date, from the approved courses completed by then and the levels the QI
    team had set by then (two queries, reading every record once)."""
    if as_of is None:
        return list(
            Person.objects.filter(organisation=organisation)
            .exclude(level="")
            .order_by()
            .values("unit_id", "level")
            .annotate(people=Count("*"))  # read off the person_place index alone
        )
    counts = Counter(levels_on(organisation=organisation, as_of=as_of).values())
    return [
        {"unit_id": unit_id, "level": level, "people": people}
        for (unit_id, level), people in counts.items()
    ]


def levels_on(*, organisation: Organisation, as_of: date) -> dict[int, tuple[int | None, str]]:
    """Each trained person's unit and level as it stood on ``as_of``: the highest level
    of the approved courses they had completed by then, or the level the QI team had
    set by then (two queries, reading every record once)."""
    reached: dict[int, str] = {}
    place: dict[int, int | None] = {}
    done = TrainingRecord.objects.filter(
        person__organisation=organisation,
        status=TrainingRecord.Status.APPROVED,
        completed_on__lte=as_of,
    ).values_list("person_id", "person__unit_id", "course__level")
    for person_id, unit_id, level in done:
        reached[person_id] = levels.highest([reached.get(person_id, ""), level])
        place[person_id] = unit_id
    set_by_hand = (
        Person.objects.filter(organisation=organisation, set_at__date__lte=as_of)
        .exclude(set_level="")
        .values_list("pk", "unit_id", "set_level")
    )
    for person_id, unit_id, level in set_by_hand:
        reached[person_id], place[person_id] = level, unit_id
    return {person_id: (place[person_id], level) for person_id, level in reached.items() if level}


def pyramid(
    *, organisation: Organisation, as_of: date | None = None, tree: UnitTree | None = None
) -> dict:
    """The organisation's pyramid, each division's, the support services' together and
    each service's, in a fixed handful of queries whatever the size of the organisation:
    today's, or as it stood on ``as_of`` (the headcounts and ratios are today's).

    ``unplaced`` counts trained people with no unit: they count for the organisation,
    not for any division. ``uncounted`` names the divisions with no headcount. A caller
    that has the organisation's ``tree`` already saves its query.
    """
    tree = tree or UnitTree(organisation)
    ratios = ratios_of(organisation)
    # order_by(): the models' default order would join the organisation (and the unit)
    # only to sort rows that are summed.
    staff = dict(
        Headcount.objects.filter(organisation=organisation)
        .order_by()
        .values_list("unit_id", "staff")
    )
    trained = trained_by_place(organisation=organisation, as_of=as_of)
    whole: Counter = Counter()
    by_division: dict[int, Counter] = defaultdict(Counter)
    by_service: dict[str, Counter] = defaultdict(Counter)
    unplaced = 0
    for row in trained:
        whole[row["level"]] += row["people"]
        if row["unit_id"] is None:
            unplaced += row["people"]
        division = tree.division_of(row["unit_id"])
        if division is not None:
            by_division[division][row["level"]] += row["people"]
        service = tree.service_of(row["unit_id"])
        if service is not None:
            by_service[service][row["level"]] += row["people"]

    division_staff: Counter = Counter()
    service_staff: Counter = Counter()
    for unit_id, count in staff.items():
        division = tree.division_of(unit_id)
        if division is not None:
            division_staff[division] += count
        service = tree.service_of(unit_id)
        if service is not None:
            service_staff[service] += count

    total = sum(staff.values())
    divisions = [
        Scope(
            key=f"division-{place.id}",
            name=place.name,
            headcount=division_staff[place.id],
            tiers=_tiers(division_staff[place.id], by_division[place.id], ratios),
        )
        for place in tree.divisions()
    ]
    services = [
        Scope(
            key=f"service-{kind}",
            name=Unit.Kind(kind).label,
            headcount=service_staff[kind],
            tiers=_tiers(service_staff[kind], by_service[kind], ratios),
        )
        for kind in SUPPORT_KINDS
    ]
    support_counts: Counter = sum(by_service.values(), Counter())
    support_staff = sum(service_staff.values())
    return {
        "organisation": organisation,
        "ratios": ratios,
        "whole": Scope(
            key="organisation",
            name=organisation.name,
            headcount=total,
            tiers=_tiers(total, whole, ratios),
        ),
        "divisions": divisions,
        "support": Scope(
            key="support",
            name="The support services",
            headcount=support_staff,
            tiers=_tiers(support_staff, support_counts, ratios),
            plural=True,
        ),
        "services": services,
        "unplaced": unplaced,
        "uncounted": [scope.name for scope in divisions if scope.headcount == 0],
    }


def quarter_starts(as_of: date, count: int = QUARTERS_SHOWN) -> list[date]:
    """The first days of the ``count`` quarters up to and including ``as_of``'s."""
    current = period_start(as_of, "quarterly")
    index = current.year * 4 + (current.month - 1) // 3
    return [
        date((index - back) // 4, (index - back) % 4 * 3 + 1, 1)
        for back in range(count - 1, -1, -1)
    ]


def trained_per_quarter(
    *, organisation: Organisation, as_of: date, quarters: int = QUARTERS_SHOWN
) -> list[dict]:
    """How many people completed an approved course at each level in each of the last
    ``quarters`` quarters (a person counts once per level and quarter): one query, kept
    in the cache until the organisation's approved training changes."""
    token = training_token(organisation.pk)
    key = f"capability:quarters:{organisation.pk}:{token}:{as_of.isoformat()}:{quarters}"
    found = cache.get(key)
    if found is None:
        found = _count_per_quarter(organisation, as_of, quarters)
        cache.set(key, found, timeout=QUARTERS_KEPT)
    else:  # a kept page drawn from this depends on what it was counted from
        kept_pages.reads(TrainingRecord, Course)
    return found


def _count_per_quarter(organisation: Organisation, as_of: date, quarters: int) -> list[dict]:
    starts = quarter_starts(as_of, quarters)
    rows = (
        # The catalogue is the organisation's, so its courses scope the records without
        # joining every person.
        TrainingRecord.objects.filter(
            course__organisation=organisation,
            status=TrainingRecord.Status.APPROVED,
            completed_on__gte=starts[0],
            completed_on__lte=as_of,
        )
        .annotate(quarter=TruncQuarter("completed_on"))
        .values("quarter", "course__level")
        .annotate(people=Count("person", distinct=True))
    )
    counts: dict[date, Counter] = defaultdict(Counter)
    for row in rows:
        quarter = row["quarter"]
        quarter = quarter.date() if hasattr(quarter, "date") else quarter
        counts[quarter][row["course__level"]] += row["people"]
    return [
        {
            "starts": start,
            "label": quarter_label(start),
            "by_level": [counts[start][level] for level in levels.LEVELS],
            "total": sum(counts[start].values()),
        }
        for start in starts
    ]


def quarter_label(start: date) -> str:
    """A calendar quarter as people say it: "Jan to Mar 2026"."""
    end_month = start.replace(month=start.month + 2)
    return f"{start:%b} to {end_month:%b %Y}"
