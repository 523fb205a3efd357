"""What the QI team's review pages read beside a candidate: the queue's counts, the ramp of
cycles that developed the change, reach by division, and a unit's offers and adoptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from backend.models import Unit, User
from pdsa.models import Cycle
from spread.models import Adoption, ChangePackage, SpreadCandidate, SpreadOffer, SpreadTarget
from spread.selectors.candidates import ADOPTED_STATUSES, visible_q

Status = SpreadCandidate.Status
Strength = SpreadCandidate.EvidenceStrength
OPEN = (Status.PROPOSED, Status.UNDER_REVIEW)
# The queue's states, as the QI team works through them: an open candidate with proof is
# "proposed" (ready to approve), one without is "early promise" (not yet).
QUEUE_STATES = {
    "proposed": Q(status__in=OPEN, evidence_strength=Strength.PROVEN),
    "early_promise": Q(status__in=OPEN, evidence_strength=Strength.EARLY_PROMISE),
    "approved": Q(status=Status.APPROVED),
    "declined": Q(status=Status.DECLINED),
    "retired": Q(status=Status.RETIRED),
}


def queue_state(candidate: SpreadCandidate) -> str:
    """The queue state a candidate sits in (see ``QUEUE_STATES``)."""
    if candidate.status in OPEN:
        return "proposed" if candidate.evidence_strength == Strength.PROVEN else "early_promise"
    return candidate.status


def candidate_counts(*, user: User) -> dict[str, int]:
    """How many candidates the user may see sit in each queue state, in one query."""
    rows = (
        SpreadCandidate.objects.filter(visible_q(user))
        .values("status", "evidence_strength")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(QUEUE_STATES, 0)
    for row in rows:
        probe = SpreadCandidate(status=row["status"], evidence_strength=row["evidence_strength"])
        counts[queue_state(probe)] += row["count"]
    return counts


def candidate_ramp(*, candidate: SpreadCandidate) -> list[Cycle]:
    """The cycles that developed the change in its project, in order: every cycle that
    tested the idea (the versions adapted and abandoned on the way too) and the follow-on
    cycles they led to."""
    idea_id = candidate.change_idea_id
    return list(
        Cycle.objects.filter(project_id=candidate.origin_project_id)
        .filter(Q(change_idea_id=idea_id) | Q(parent__change_idea_id=idea_id))
        .select_related("change_idea")
        .order_by("number")
    )


@dataclass
class DivisionReach:
    """How far a change went in one division of the organisation."""

    name: str
    targeted: int = 0
    taking_up: int = 0
    adopted: int = 0
    improving: int = 0
    units: list[str] = field(default_factory=list)


def _division_of(units: dict[int, dict[str, Any]], unit_id: int) -> str:
    seen: set[int] = set()
    current = units.get(unit_id)
    while current is not None and current["id"] not in seen:
        if current["level"] == Unit.Level.DIVISION:
            return current["name"]
        seen.add(current["id"])
        current = units.get(current["parent_id"])
    return "No division"


def reach_by_division(*, candidate: SpreadCandidate, reach: dict[str, Any]) -> list[DivisionReach]:
    """``candidate_reach`` summed by the division each unit sits in (the unit tree is read
    once), divisions in name order; units outside any division are counted together."""
    units = {
        row["id"]: row
        for row in Unit.objects.filter(organisation_id=candidate.organisation_id).values(
            "id", "parent_id", "level", "name"
        )
    }
    targeted = SpreadTarget.objects.filter(candidate=candidate).values_list("unit_id", flat=True)
    divisions: dict[str, DivisionReach] = {}

    def row_for(unit_id: int) -> DivisionReach:
        name = _division_of(units, unit_id)
        return divisions.setdefault(name, DivisionReach(name=name))

    for unit_id in targeted:
        row_for(unit_id).targeted += 1
    for adoption in reach["adoptions"]:
        row = row_for(adoption["unit"]["id"])
        row.units.append(adoption["unit"]["name"])
        if adoption["status"] in ADOPTED_STATUSES:
            row.adopted += 1
            row.improving += bool(adoption["evidence"]["proven"])
        elif adoption["status"] in (Adoption.Status.PLANNED, Adoption.Status.TESTING):
            row.taking_up += 1
    return sorted(divisions.values(), key=lambda row: (row.name == "No division", row.name))


def unit_offers(*, unit: Unit) -> list[dict[str, Any]]:
    """The approved changes the QI team offered or targeted to ``unit``, with who offered,
    by when, and the candidate; newest first."""
    offers = SpreadOffer.objects.filter(
        unit=unit, candidate__status=Status.APPROVED
    ).select_related("candidate__change_idea", "candidate__origin_unit", "offered_by")
    targets = SpreadTarget.objects.filter(
        unit=unit, candidate__status=Status.APPROVED
    ).select_related("candidate__change_idea", "candidate__origin_unit")
    found: dict[int, dict[str, Any]] = {}
    for offer in offers:
        entry = found.setdefault(offer.candidate_id, {"candidate": offer.candidate})
        entry["offer"] = offer
    for target in targets:
        entry = found.setdefault(target.candidate_id, {"candidate": target.candidate})
        entry["target"] = target
    return sorted(found.values(), key=lambda entry: -entry["candidate"].pk)


def unit_adoptions(*, unit: Unit) -> QuerySet[Adoption]:
    """The changes ``unit`` took up (or said no to), with their origin and project."""
    return (
        Adoption.objects.filter(unit=unit)
        .select_related("candidate__change_idea", "candidate__origin_unit", "project")
        .order_by("-created_at")
    )


STATUS_WORDS = {
    Status.PROPOSED: "Put forward",
    Status.UNDER_REVIEW: "Review started",
    Status.APPROVED: "Approved for spread",
    Status.DECLINED: "Declined",
    Status.RETIRED: "Retired",
}


def candidate_decisions(*, candidate: SpreadCandidate) -> list[dict[str, Any]]:
    """Each move of the candidate through review from its history, oldest first: what,
    when, who, and why (a decline's reason, a retirement's, a nomination's note)."""
    records = (
        candidate.history.select_related("history_user")
        .only("history_date", "status", "history_user", "history_change_reason")
        .order_by("history_date", "history_id")
    )
    moves: list[dict[str, Any]] = []
    for record in records:
        if moves and moves[-1]["status"] == record.status:
            continue
        moves.append(
            {
                "status": record.status,
                "words": STATUS_WORDS[record.status],
                "when": record.history_date,
                "who": record.history_user,
                "why": record.history_change_reason or "",
            }
        )
    return moves


def _lean(user: User) -> QuerySet[SpreadCandidate]:
    # Only what the pages show: the API's list joins a dozen tables, and at a large trust
    # PostgreSQL spends longer planning that join than running it.
    return SpreadCandidate.objects.filter(visible_q(user)).select_related(
        "change_idea", "origin_project", "origin_unit", "nominated_by"
    )


def candidate_queue(*, user: User, state: str) -> QuerySet:
    """The ids of the candidates the user may see in one queue state (``QUEUE_STATES``),
    newest first: page these, then read the page's rows with ``candidates_by_ids``.
    Ordered on the candidates alone, the first page never waits for the joins."""
    return (
        SpreadCandidate.objects.filter(visible_q(user), QUEUE_STATES[state])
        .order_by("-updated_at", "-pk")
        .values_list("pk", flat=True)
    )


def candidates_by_ids(*, user: User, ids: list[int]) -> list[SpreadCandidate]:
    """The candidates ``ids`` names (a page of ``candidate_queue``) that the user may
    see, in that order, with their change idea, origin and nominator. One query."""
    found = _lean(user).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def candidate_detail(*, user: User, pk: int) -> SpreadCandidate:
    """One candidate the user may see, with its change package, for its page; a 404 also
    for another organisation's."""
    # The source cycle and the package in queries of their own: joined too, the eight
    # tables cost PostgreSQL about 3 ms to plan, for a query that runs in 0.2 ms.
    return get_object_or_404(
        _lean(user).prefetch_related(
            "source_cycle",
            Prefetch("package", queryset=ChangePackage.objects.select_related("contact")),
        ),
        pk=pk,
    )


def reach_counts(*, candidate_ids: list[int]) -> dict[int, dict[str, int]]:
    """How many units each candidate targets and how many adopted it, in two queries."""
    counts = {pk: {"targeted": 0, "adopted": 0} for pk in candidate_ids}
    targeted = (
        SpreadTarget.objects.filter(candidate_id__in=candidate_ids)
        .values("candidate_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in targeted:
        counts[row["candidate_id"]]["targeted"] = row["n"]
    adopted = (
        Adoption.objects.filter(candidate_id__in=candidate_ids, status__in=ADOPTED_STATUSES)
        .values("candidate_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in adopted:
        counts[row["candidate_id"]]["adopted"] = row["n"]
    return counts
