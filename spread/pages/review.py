"""The QI team's review of changes put forward for spread: the queue by state, a
candidate's page (its evidence in words with its charts, the ramp of cycles, the review
decisions with who and why) and its change package.

Every read goes through ``spread.selectors`` and every write through ``spread.services``,
as the API's do; a refusal is shown beside the field it names, or above the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from backend.errors import forbid
from backend.idempotency import idempotent_page
from backend.kept_pages import kept_page
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from backend.selectors import user_memberships
from projects.models import MeasureDefinition
from spread import selectors, services
from spread.models import Adoption, ChangePackage, SpreadCandidate
from spread.pages.words import evidence_words

QUEUE_PAGE_SIZE = 25
STATE_LABELS = {
    "proposed": "Proposed",
    "early_promise": "Early promise",
    "approved": "Approved",
    "declined": "Declined",
    "retired": "Retired",
}
STATE_HINTS = {
    "proposed": "Changes with proof, waiting for your decision.",
    "early_promise": "Changes the team believes in but the data cannot show yet: not ready "
    "to approve.",
    "approved": "Changes offered to other units, and how far they have gone.",
    "declined": "Changes the QI team did not approve, with the reason the team was given.",
    "retired": "Changes no longer offered; adoptions under way carry on.",
}


@login_required
@kept_page
def queue(request: HttpRequest) -> HttpResponse:
    """The spread review queue: candidates by state with counts, each with the change,
    where it came from and its evidence in one line."""
    user = request.user
    reviewer = any(
        selectors.can_review(user=user, organisation_id=org) for org in user_memberships(user=user)
    )
    state = request.GET.get("state") or ("proposed" if reviewer else "approved")
    if state not in selectors.QUEUE_STATES:
        state = "proposed"
    counts = selectors.candidate_counts(user=user)
    ids = selectors.candidate_queue(user=user, state=state)
    page = Paginator(ids, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    candidates = selectors.candidates_by_ids(user=user, ids=list(page))
    reach = selectors.reach_counts(candidate_ids=[candidate.pk for candidate in candidates])
    tabs = [
        {"state": key, "label": label, "count": counts[key], "current": key == state}
        for key, label in STATE_LABELS.items()
    ]
    return render(
        request,
        "spread/queue.html",
        {
            "page": page,
            "rows": [
                {"candidate": c, "evidence": evidence_words(c), "reach": reach[c.pk]}
                for c in candidates
            ],
            "tabs": tabs,
            "state": state,
            "state_label": STATE_LABELS[state],
            "state_hint": STATE_HINTS[state],
            "reviewer": reviewer,
        },
    )


class DeclineForm(PageForm):
    reason = forms.CharField(
        label="Why is it declined?",
        help_text="The team reads this. Say what would change your mind, if anything.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the change is declined; the team will read it"},
    )


class RetireForm(PageForm):
    retire_reason = forms.CharField(
        label="Why retire it? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def field_for(self, service_field: str | None) -> str | None:
        return "retire_reason" if service_field == "reason" else super().field_for(service_field)


class ActionForm(PageForm):
    """Approve, or check the evidence again: no fields, only the service's refusal."""


def _take_up_unit(request: HttpRequest, candidate: SpreadCandidate):
    """The person's own unit, where they may take the change up and it is not under way."""
    if candidate.status != SpreadCandidate.Status.APPROVED:
        return None
    membership = user_memberships(user=request.user).get(candidate.organisation_id)
    unit = membership.home_unit if membership else None
    if unit is None or unit.pk == candidate.origin_unit_id:
        return None
    if Adoption.objects.filter(candidate=candidate, unit=unit).exclude(status="declined").exists():
        return None
    return unit if selectors.can_take_up(user=request.user, unit=unit) else None


def _candidate_context(request: HttpRequest, candidate: SpreadCandidate) -> dict[str, Any]:
    evidence = evidence_words(candidate)
    reviewer = selectors.can_review(user=request.user, organisation_id=candidate.organisation_id)
    package = getattr(candidate, "package", None)
    return {
        "candidate": candidate,
        "reach": selectors.reach_counts(candidate_ids=[candidate.pk])[candidate.pk],
        "state": selectors.queue_state(candidate),
        "state_label": STATE_LABELS[selectors.queue_state(candidate)],
        "evidence": evidence,
        "charts": [m for m in evidence["checked"] if m.get("id")],
        "ramp": selectors.candidate_ramp(candidate=candidate),
        "decisions": selectors.candidate_decisions(candidate=candidate),
        "package": package,
        "package_measures": list(package.measure_definitions.all()) if package else [],
        "reviewer": reviewer,
        "can_edit_package": reviewer
        or selectors.can_nominate(user=request.user, project=candidate.origin_project),
        "open": candidate.status in (SpreadCandidate.Status.PROPOSED, "under_review"),
        "take_up_unit": _take_up_unit(request, candidate),
    }


ACTIONS = {"approve", "decline", "retire", "refresh"}


@login_required
@kept_page
@idempotent_page
def candidate_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One change put forward for spread: what it is and where it worked, its evidence in
    words with the charts since it started, the cycles that developed it, the review so
    far; for the QI team, approve, decline (saying why) or retire."""
    candidate = selectors.candidate_detail(user=request.user, pk=pk)
    forms_by_action: dict[str, PageForm] = {
        "approve": ActionForm(),
        "decline": DeclineForm(),
        "retire": RetireForm(),
        "refresh": ActionForm(),
    }
    action = request.POST.get("action")
    if request.method == "POST" and action in ACTIONS:
        _ensure_may(request, candidate, action)
        form = {"approve": ActionForm, "decline": DeclineForm, "retire": RetireForm}.get(
            action, ActionForm
        )(request.POST)
        forms_by_action[action] = form
        if form.is_valid() and save_or_refuse(form, lambda: _act(request, candidate, action, form)):
            return redirect("spread-candidate", pk=candidate.pk)
    context = _candidate_context(request, candidate)
    context["forms"] = forms_by_action
    failed = next((f for f in forms_by_action.values() if f.errors), None)
    context["form"] = failed  # the error summary's
    if failed is not None:
        return invalid_form_response(request, "spread/candidate.html", context)
    return render(request, "spread/candidate.html", context)


def _ensure_may(request: HttpRequest, candidate: SpreadCandidate, action: str) -> None:
    """A decision the person may not take is refused as a whole page (403, saying who may),
    not as a message on a form they were never shown."""
    reviewer = selectors.can_review(user=request.user, organisation_id=candidate.organisation_id)
    if action == "refresh":
        if not (
            reviewer or selectors.can_nominate(user=request.user, project=candidate.origin_project)
        ):
            forbid("Only the project's team, its coach and the QI team can check the evidence.")
    elif not reviewer:
        forbid(f"Only the QI team and administrators can {action} spread candidates.")


def _act(request: HttpRequest, candidate: SpreadCandidate, action: str, form: PageForm) -> Any:
    by = request.user
    title = candidate.change_idea.title
    if action == "approve":
        services.candidate_approve(by=by, candidate=candidate)
        messages.success(request, f"Approved for spread: {title}. Now choose where it goes next.")
    elif action == "decline":
        services.candidate_decline(by=by, candidate=candidate, reason=form.cleaned_data["reason"])
        messages.success(request, f"Declined: {title}. The team can read your reason.")
    elif action == "retire":
        services.candidate_retire(
            by=by, candidate=candidate, reason=form.cleaned_data["retire_reason"]
        )
        messages.success(request, f"Retired: {title}. Adoptions under way carry on.")
    else:
        candidate = services.candidate_evidence_refresh(by=by, candidate=candidate)
        messages.success(
            request, f"Evidence checked again: {evidence_words(candidate)['sentence']}."
        )
    return True


class DefinitionChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, definition: MeasureDefinition) -> str:
        return definition.name


def _text(label: str, help_text: str = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class PackageForm(PageForm):
    summary = _text("What the change is", "A few lines a ward sister could read aloud.", 3)
    how_to = _text("What to do", "The steps, in order, as the team does them now.", 6)
    resources = _text("What you need", "People, time, printing, equipment.", 3)
    measure_definitions = DefinitionChoices(
        label="Which measures to use",
        help_text="From your measure library, so each unit's chart compares with the others.",
        queryset=MeasureDefinition.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tips = _text("Tips", "What helped it work where it was tested.", 3)
    pitfalls = _text("Pitfalls", "What got in the way, and how to avoid it.", 4)
    context_notes = _text("Where it worked", "What about the setting made it work.", 3)
    contact_details = forms.CharField(
        label="Who to ask (optional)",
        required=False,
        max_length=ChangePackage._meta.get_field("contact_details").max_length,
        help_text="A name and an extension or e-mail address.",
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure_definitions"].queryset = MeasureDefinition.objects.filter(
            organisation_id=organisation_id
        ).order_by("name")


PACKAGE_TEXT = ("summary", "how_to", "resources", "tips", "pitfalls", "context_notes")


@login_required
@idempotent_page
def package_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the change package: what to do, what you need, which measures to use, tips and
    pitfalls (the QI team, or the team the change came from)."""
    candidate = selectors.candidate_get(user=request.user, pk=pk)
    if not (
        selectors.can_review(user=request.user, organisation_id=candidate.organisation_id)
        or selectors.can_nominate(user=request.user, project=candidate.origin_project)
    ):
        forbid("Only the project's team, its coach and the QI team can write the change package.")
    package = getattr(candidate, "package", None) or ChangePackage(candidate=candidate)
    initial = {name: getattr(package, name) for name in (*PACKAGE_TEXT, "contact_details")}
    initial["measure_definitions"] = (
        list(package.measure_definitions.all()) if package.pk is not None else []
    )
    form = PackageForm(
        request.POST or None, initial=initial, organisation_id=candidate.organisation_id
    )
    if request.method == "POST" and form.is_valid():
        saved = save_or_refuse(
            form,
            lambda: services.package_update(
                by=request.user, candidate=candidate, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, "Change package saved.")
            return redirect(f"{reverse('spread-candidate', args=[candidate.pk])}#package")
    context = {"form": form, "candidate": candidate}
    if form.errors:
        return invalid_form_response(request, "spread/package.html", context)
    return render(request, "spread/package.html", context)
