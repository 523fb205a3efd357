"""Spreading an approved change: where it could go next (ranked units with their reasons,
targets by a date, an offer that tells the unit's team), adoption and reach, and taking it
up on a unit, which lands on the unit's new, pre-filled project."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from backend.errors import forbid
from backend.idempotency import idempotent_page
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from backend.selectors import unit_list
from spread import selectors, services
from spread.models import SpreadCandidate, SpreadOffer, SpreadTarget
from spread.pages.words import evidence_words, reasons_in_words

WARDS_PAGE_SIZE = 25


class TargetsForm(PageForm):
    units = forms.TypedMultipleChoiceField(
        label="Units to target",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one unit to target"},
    )
    due_by = forms.DateField(
        label="By when? (optional)",
        required=False,
        help_text="The date you hope they will have taken it up.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the date as a real date"},
    )

    def __init__(self, *args: Any, unit_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [(pk, str(pk)) for pk in unit_ids]


def _ranked(candidate: SpreadCandidate) -> list[dict[str, Any]]:
    targets = {t.unit_id: t for t in SpreadTarget.objects.filter(candidate=candidate)}
    offers = {o.unit_id: o for o in SpreadOffer.objects.filter(candidate=candidate)}
    return [
        {
            "rank": rank,
            "opportunity": opportunity,
            "reasons": reasons_in_words(opportunity.reasons),
            "target": targets.get(opportunity.unit.pk),
            "offer": offers.get(opportunity.unit.pk),
        }
        for rank, opportunity in enumerate(
            selectors.candidate_opportunities(candidate=candidate), start=1
        )
    ]


@login_required
@idempotent_page
def wards_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The units that could take the change up, best first, each with its reasons in
    words; the QI team sets targets (which units, by when) and offers it to a unit, whose
    team is told."""
    candidate = selectors.candidate_get(user=request.user, pk=pk)
    reviewer = selectors.can_review(user=request.user, organisation_id=candidate.organisation_id)
    ranked = _ranked(candidate)
    form = TargetsForm(
        request.POST if request.POST.get("action") == "target" else None,
        unit_ids=[row["opportunity"].unit.pk for row in ranked],
    )
    if request.method == "POST":
        if not reviewer:
            forbid("Only the QI team and administrators can target or offer a change.")
        done = _offer(request, candidate) if "offer" in request.POST else None
        if done is None and form.is_bound and form.is_valid():
            done = save_or_refuse(form, lambda: _target(request, candidate, form))
        if done is not None:
            return redirect("spread-wards", pk=candidate.pk)
    page = Paginator(ranked, WARDS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "candidate": candidate,
        "evidence": evidence_words(candidate),
        "page": page,
        "form": form,
        "reviewer": reviewer,
        "approved": candidate.status == SpreadCandidate.Status.APPROVED,
    }
    if form.errors:
        return invalid_form_response(request, "spread/wards.html", context)
    return render(request, "spread/wards.html", context)


def _target(request: HttpRequest, candidate: SpreadCandidate, form: TargetsForm) -> int:
    units = {
        u.pk: u for u in unit_list(user=request.user).filter(pk__in=form.cleaned_data["units"])
    }
    for unit in units.values():
        services.target_add(
            by=request.user, candidate=candidate, unit=unit, due_by=form.cleaned_data["due_by"]
        )
    names = ", ".join(sorted(unit.name for unit in units.values()))
    when = form.cleaned_data["due_by"]
    messages.success(request, f"Targeted {names}" + (f" by {when:%-d %B %Y}." if when else "."))
    return len(units)


def _offer(request: HttpRequest, candidate: SpreadCandidate) -> SpreadOffer | None:
    unit = get_object_or_404(unit_list(user=request.user), pk=request.POST.get("offer") or 0)
    offer, created = services.offer_make(by=request.user, candidate=candidate, unit=unit)
    if created:
        messages.success(request, f"Offered to {unit.name}. Its team has been told.")
    else:
        messages.success(request, f"Already offered to {unit.name} on {offer.created_at:%-d %B}.")
    return offer


@login_required
def reach_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Adoption and reach: the units that took the change up, their status, whether their
    own data improved since (by the rule the origin was judged by), and reach by division."""
    candidate = selectors.candidate_get(user=request.user, pk=pk)
    reach = selectors.candidate_reach(candidate=candidate)
    targets = SpreadTarget.objects.filter(candidate=candidate).select_related("unit")
    due = {target.unit_id: target.due_by for target in targets}
    return render(
        request,
        "spread/reach.html",
        {
            "candidate": candidate,
            "reach": reach,
            "divisions": selectors.reach_by_division(candidate=candidate, reach=reach),
            "due": due,
            "not_started": [
                {**unit, "due_by": due.get(unit["id"])} for unit in reach["targeted_not_started"]
            ],
        },
    )


@login_required
@require_POST
@idempotent_page
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Adopt this on our ward": the unit takes the change up, with a project of its own
    pre-filled from the origin's (aim, measures from the same definitions, an "Adapt to
    our context" cycle), and the person lands on it."""
    candidate = selectors.candidate_get(user=request.user, pk=pk)
    unit = get_object_or_404(unit_list(user=request.user), pk=request.POST.get("unit") or 0)
    adoption = services.adoption_create(by=request.user, candidate=candidate, unit=unit)
    messages.success(
        request,
        f"{unit.name} is taking up “{candidate.change_idea.title}”. This is your project, "
        "pre-filled from the one where it worked: start with the first cycle, "
        "“Adapt to our context”.",
    )
    return redirect(reverse("project-page", args=[adoption.project_id]))
