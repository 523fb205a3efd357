"""Putting a change forward for spread, and the QI team's review of it.

Lifecycle: proposed -> under review -> approved or declined (with a reason); approved ->
retired. The QI team may approve or decline straight from proposed (the review starts
and ends in one sitting; the history shows both). A declined or retired candidate comes
back as proposed when the team nominates it again.

Approval needs proof: a candidate labelled "early promise" (no special-cause improvement
since the change started) cannot be approved. Approving re-checks the evidence first, so
a change whose data have since shown the signal is approved as proven.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict, Unpack

from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.errors import ApplicationError, forbid
from backend.history import save_with_history
from backend.models import User
from backend.selectors import role_in
from backend.updates import field_names, model_update, only
from pdsa.models import Cycle
from projects.models import ChangeIdea, Measure, ProjectMember
from spread.models import ChangePackage, SpreadCandidate
from spread.selectors import can_nominate, can_review, change_evidence
from spread.services.common import ensure_reviewer, lock_candidate

Status = SpreadCandidate.Status
Strength = SpreadCandidate.EvidenceStrength
OPEN_STATUSES = frozenset({Status.PROPOSED, Status.UNDER_REVIEW})
REOPENABLE_STATUSES = frozenset({Status.DECLINED, Status.RETIRED})


class PackageChanges(TypedDict, total=False):
    """What a change package says: what the change is, how to do it, where it worked,
    whom to ask, and the measure that shows it."""

    summary: str
    how_to: str
    context_unit_kind: str
    context_specialty: str
    context_notes: str
    contact: User | None
    contact_details: str
    evidence_measure: Measure | None


def _latest_adopting_cycle(idea: ChangeIdea) -> Cycle | None:
    return (
        Cycle.objects.filter(change_idea=idea, decision=Cycle.Decision.ADOPT)
        .order_by("-decided_at", "-number")
        .first()
    )


def _apply_evidence(candidate: SpreadCandidate, *, cycle: Cycle | None) -> bool:
    """Check the change's evidence now; returns whether it is proven."""
    found = change_evidence(idea=candidate.change_idea, cycle=cycle)
    candidate.evidence_checked_at = timezone.now()
    if found.proven or candidate.evidence_strength != Strength.PROVEN:
        candidate.evidence = found.citation
        candidate.evidence_strength = Strength.PROVEN if found.proven else Strength.EARLY_PROMISE
        candidate.evidence_measure = found.measure
    else:
        # Proof once shown stays on record; say that the latest look no longer shows it.
        candidate.evidence = {**candidate.evidence, "latest_check": found.citation}
    return found.proven


def _package_draft(candidate: SpreadCandidate, *, by: User | None) -> ChangePackage:
    """A change package pre-filled from the idea, its cycles and its unit, for the QI team
    and the team to finish before (or when) it is approved."""
    package, _ = ChangePackage.objects.get_or_create(candidate=candidate)
    idea, unit = candidate.change_idea, candidate.origin_unit
    cycles = list(Cycle.objects.filter(change_idea=idea).order_by("number"))
    package.summary = package.summary or idea.description or idea.title
    if not package.how_to:
        notes = [c.spread_note.strip() for c in cycles if c.spread_note.strip()]
        package.how_to = "\n\n".join(notes)
    package.context_unit_kind = package.context_unit_kind or unit.kind
    package.context_specialty = package.context_specialty or unit.specialty
    if package.contact_id is None:
        lead = (
            ProjectMember.objects.filter(
                project_id=candidate.origin_project_id, role=ProjectMember.Role.LEAD
            )
            .order_by("id")
            .first()
        )
        package.contact_id = lead.user_id if lead else candidate.nominated_by_id
    package.evidence_measure = package.evidence_measure or candidate.evidence_measure
    save_with_history(package, by=by)
    if not package.cycles.exists():
        package.cycles.set(cycles)
    return package


def _new_candidate(
    *, idea: ChangeIdea, cycle: Cycle | None, origin: str, by: User | None, note: str
) -> SpreadCandidate:
    project = idea.project
    return SpreadCandidate(
        organisation_id=project.organisation_id,
        change_idea=idea,
        origin_project=project,
        origin_unit_id=project.unit_id,
        source_cycle=cycle,
        origin=origin,
        status=Status.PROPOSED,
        nominated_by=by if origin == SpreadCandidate.Origin.NOMINATED else None,
        nomination_note=note,
    )


@transaction.atomic
def candidate_suggest(*, cycle: Cycle, by: User | None) -> SpreadCandidate | None:
    """Put an adopted change forward when its measures show a real win since it started.

    Called when a cycle's decision is "adopt". Without a signal nothing is suggested (the
    team may still nominate it as early promise). A change already put forward is not
    suggested twice; an early-promise one still open is upgraded to proven.
    """
    idea = cycle.change_idea
    if idea is None:
        return None
    existing = SpreadCandidate.objects.filter(change_idea=idea).first()
    if existing is not None:
        if (
            existing.evidence_strength == Strength.EARLY_PROMISE
            and existing.status in OPEN_STATUSES
        ):
            existing = lock_candidate(existing)
            if _apply_evidence(existing, cycle=cycle):
                existing.source_cycle = cycle
                save_with_history(
                    existing, by=by, reason="An SPC signal now shows the improvement."
                )
        return existing
    found = change_evidence(idea=idea, cycle=cycle)
    if not found.proven:
        return None
    candidate = _new_candidate(
        idea=idea, cycle=cycle, origin=SpreadCandidate.Origin.SUGGESTED, by=by, note=""
    )
    candidate.evidence = found.citation
    candidate.evidence_strength = Strength.PROVEN
    candidate.evidence_measure = found.measure
    candidate.evidence_checked_at = timezone.now()
    try:
        with transaction.atomic():
            save_with_history(
                candidate, by=by, reason="Suggested: adopted with an SPC signal of improvement."
            )
    except IntegrityError:
        # Another decision on the same idea put it forward a moment ago.
        return SpreadCandidate.objects.get(change_idea=idea)
    _package_draft(candidate, by=by)
    return candidate


@transaction.atomic
def candidates_suggest_for_project(*, project_id: int) -> int:
    """After a project's data changed: suggest its adopted changes whose measures now show
    a real win (the signal often comes months after "adopt"), and upgrade open early-promise
    ones. Returns how many candidates were made or upgraded; running twice changes nothing."""
    cycles = (
        Cycle.objects.filter(
            project_id=project_id,
            decision=Cycle.Decision.ADOPT,
            change_idea__status=ChangeIdea.Status.ADOPTED,
        )
        .exclude(
            change_idea__spread_candidate__evidence_strength=Strength.PROVEN,
        )
        .exclude(change_idea__spread_candidate__status__in=REOPENABLE_STATUSES | {Status.APPROVED})
        .select_related("change_idea__project")
        .order_by("change_idea_id", "-decided_at", "-number")
    )
    latest: dict[int, Cycle] = {}
    for cycle in cycles:
        latest.setdefault(cycle.change_idea_id, cycle)
    changed = 0
    for cycle in latest.values():
        candidate = candidate_suggest(cycle=cycle, by=None)
        changed += candidate is not None and candidate.evidence_strength == Strength.PROVEN
    return changed


@transaction.atomic
def candidate_nominate(
    *, by: User, change_idea: ChangeIdea, source_cycle: Cycle | None = None, note: str = ""
) -> SpreadCandidate:
    """Nominate an adopted change for spread by hand (the team, its coach or the QI team).

    Its evidence is checked as for a suggestion: with an SPC signal it is proven, without
    it "early promise". A declined or retired candidate is proposed again.
    """
    idea = change_idea
    if not can_nominate(user=by, project=idea.project):
        forbid("Only the project's team, its coach and the QI team can nominate its changes.")
    if idea.status != ChangeIdea.Status.ADOPTED:
        raise ApplicationError(
            f"Only a change the team has adopted can be nominated for spread; this one is "
            f"{idea.get_status_display().lower()}.",
            field="change_idea",
            code="not_adopted",
        )
    if source_cycle is not None and source_cycle.change_idea_id != idea.pk:
        raise ApplicationError(
            "The cycle must be one that tested this change.", field="source_cycle"
        )
    cycle = source_cycle or _latest_adopting_cycle(idea)
    existing = SpreadCandidate.objects.filter(change_idea=idea).first()
    if existing is not None and existing.status not in REOPENABLE_STATUSES:
        raise ApplicationError(
            "This change is already put forward for spread "
            f"({existing.get_status_display().lower()}).",
            field="change_idea",
            code="duplicate",
            extra={"candidate": existing.pk},
        )
    if existing is not None:
        candidate = lock_candidate(existing)
        candidate.status = Status.PROPOSED
        candidate.origin = SpreadCandidate.Origin.NOMINATED
        candidate.nominated_by = by
        candidate.nomination_note = note
        candidate.source_cycle = cycle
        candidate.decline_reason = ""
        candidate.declined_at = candidate.retired_at = candidate.approved_at = None
        candidate.retire_reason = ""
        reason = "Nominated again."
    else:
        candidate = _new_candidate(
            idea=idea, cycle=cycle, origin=SpreadCandidate.Origin.NOMINATED, by=by, note=note
        )
        reason = "Nominated."
    candidate.evidence_strength = Strength.EARLY_PROMISE
    _apply_evidence(candidate, cycle=cycle)
    save_with_history(candidate, by=by, reason=reason)
    _package_draft(candidate, by=by)
    return candidate


@transaction.atomic
def candidate_review_start(*, by: User, candidate: SpreadCandidate) -> SpreadCandidate:
    """The QI team starts reviewing a proposed candidate (a repeat changes nothing)."""
    ensure_reviewer(by=by, candidate=candidate, action="review spread candidates")
    candidate = lock_candidate(candidate)
    if candidate.status == Status.UNDER_REVIEW:
        return candidate
    if candidate.status != Status.PROPOSED:
        raise ApplicationError(
            f"Only a proposed candidate can go under review; this one is "
            f"{candidate.get_status_display().lower()}.",
            field="status",
            code="invalid_transition",
        )
    candidate.status = Status.UNDER_REVIEW
    candidate.review_started_at = timezone.now()
    candidate.reviewed_by = by
    save_with_history(candidate, by=by)
    return candidate


def _ensure_open(candidate: SpreadCandidate, *, action: str) -> None:
    if candidate.status not in OPEN_STATUSES:
        raise ApplicationError(
            f"Only a proposed candidate or one under review can be {action}; this one is "
            f"{candidate.get_status_display().lower()}.",
            field="status",
            code="invalid_transition",
        )


@transaction.atomic
def candidate_approve(
    *, by: User, candidate: SpreadCandidate, package: dict[str, Any] | None = None
) -> SpreadCandidate:
    """Approve a proven candidate for spread, with its change package (filled in from
    ``package`` and the record); an early-promise one is refused, saying why."""
    ensure_reviewer(by=by, candidate=candidate, action="approve spread candidates")
    candidate = lock_candidate(candidate)
    if candidate.status == Status.APPROVED:
        return candidate
    _ensure_open(candidate, action="approved")
    # A refusal rolls back, so the evidence checked here is kept only when it approves.
    if candidate.evidence_strength != Strength.PROVEN and not _apply_evidence(
        candidate, cycle=candidate.source_cycle
    ):
        raise ApplicationError(
            "This change shows early promise but no special-cause improvement since it "
            "started, so it cannot be approved as proven. Keep it under review and "
            "check the evidence again when more data are in.",
            field="evidence_strength",
            code="early_promise",
        )
    now = timezone.now()
    candidate.review_started_at = candidate.review_started_at or now
    candidate.status = Status.APPROVED
    candidate.approved_at = now
    candidate.reviewed_by = by
    save_with_history(candidate, by=by)
    package_update(by=by, candidate=candidate, **(package or {}))
    return candidate


@transaction.atomic
def candidate_decline(*, by: User, candidate: SpreadCandidate, reason: str) -> SpreadCandidate:
    """Decline a candidate, saying why (the team reads it)."""
    ensure_reviewer(by=by, candidate=candidate, action="decline spread candidates")
    if not (reason or "").strip():
        raise ApplicationError(
            "Say why the change is declined; the team will read it.",
            field="reason",
            code="required",
        )
    candidate = lock_candidate(candidate)
    if candidate.status == Status.DECLINED:
        return candidate
    _ensure_open(candidate, action="declined")
    now = timezone.now()
    candidate.review_started_at = candidate.review_started_at or now
    candidate.status = Status.DECLINED
    candidate.decline_reason = reason.strip()
    candidate.declined_at = now
    candidate.reviewed_by = by
    save_with_history(candidate, by=by, reason=reason.strip())
    return candidate


@transaction.atomic
def candidate_retire(*, by: User, candidate: SpreadCandidate, reason: str = "") -> SpreadCandidate:
    """Stop offering an approved change for spread (adoptions under way carry on)."""
    ensure_reviewer(by=by, candidate=candidate, action="retire spread candidates")
    candidate = lock_candidate(candidate)
    if candidate.status == Status.RETIRED:
        return candidate
    if candidate.status != Status.APPROVED:
        raise ApplicationError(
            "Only an approved candidate can be retired.", field="status", code="invalid_transition"
        )
    candidate.status = Status.RETIRED
    candidate.retired_at = timezone.now()
    candidate.retire_reason = (reason or "").strip()
    save_with_history(candidate, by=by, reason=candidate.retire_reason)
    return candidate


@transaction.atomic
def candidate_evidence_refresh(*, by: User, candidate: SpreadCandidate) -> SpreadCandidate:
    """Check the evidence again with the latest data: an early-promise change that now
    shows special-cause improvement becomes proven."""
    if not (
        can_review(user=by, organisation_id=candidate.organisation_id)
        or can_nominate(user=by, project=candidate.origin_project)
    ):
        forbid("Only the project's team, its coach and the QI team can check the evidence.")
    candidate = lock_candidate(candidate)
    _apply_evidence(candidate, cycle=candidate.source_cycle)
    save_with_history(candidate, by=by, reason="Evidence checked.")
    return candidate


@transaction.atomic
def package_update(
    *,
    by: User,
    candidate: SpreadCandidate,
    cycles: Sequence[Cycle] | None = None,
    **changes: Unpack[PackageChanges],
) -> ChangePackage:
    """Write the change package (the QI team, or the origin project's team); ``cycles``
    must be cycles of the origin project."""
    if not (
        can_review(user=by, organisation_id=candidate.organisation_id)
        or can_nominate(user=by, project=candidate.origin_project)
    ):
        forbid("Only the project's team, its coach and the QI team can write the change package.")
    fields = only(PackageChanges, changes, service="package_update")
    package = _package_draft(candidate, by=by)
    measure = fields.get("evidence_measure")
    if measure is not None and measure.organisation_id != candidate.organisation_id:
        raise ApplicationError(
            "The measure belongs to another organisation.", field="evidence_measure"
        )
    contact = fields.get("contact")
    if (
        contact is not None
        and role_in(user=contact, organisation_id=candidate.organisation_id) is None
    ):
        raise ApplicationError("This person does not belong to the organisation.", field="contact")
    package, _ = model_update(
        instance=package, fields=field_names(PackageChanges), data=fields, by=by
    )
    if cycles is not None:
        if any(cycle.project_id != candidate.origin_project_id for cycle in cycles):
            raise ApplicationError(
                "The cycles must be cycles of the project the change came from.", field="cycles"
            )
        package.cycles.set(cycles)
    return package
