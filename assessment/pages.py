"""The self-assessment's pages: the years, one year's assessment against the key tests
(compared with another year, summarised by domain, printable), answering a key test,
and the records behind a computed figure."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessment import selectors, services
from assessment.key_tests import BY_CODE, DOMAIN_BY_KEY, SCALE, year_label
from assessment.models import Answer, Assessment
from backend.errors import forbid
from backend.idempotency import idempotent_page
from backend.kept_pages import kept_page
from backend.models import Organisation
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from capability.selectors import MEMBER_ROLES, may, organisation_for


def _organisation(request: HttpRequest) -> Organisation:
    return organisation_for(
        user=request.user,
        roles=MEMBER_ROLES,
        chosen=request.GET.get("organisation") or request.POST.get("organisation"),
        refusal="",
    )


def _editor(request: HttpRequest, organisation: Organisation) -> bool:
    return may(user=request.user, organisation_id=organisation.pk, roles=selectors.EDITOR_ROLES)


def _assessment(request: HttpRequest, year: int) -> Assessment:
    organisation = _organisation(request)
    found = (
        selectors.with_answers(selectors.assessment_list(user=request.user))
        .filter(organisation=organisation, year=year)
        .first()
    )
    if found is None:
        raise Http404
    return found


def current_year(today=None) -> int:
    """The financial year today is in (April to March)."""
    today = today or timezone.localdate()
    return today.year if today.month >= 4 else today.year - 1


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    """The organisation's assessments, year by year."""
    organisation = _organisation(request)
    assessments = list(
        selectors.assessment_list(user=request.user).filter(organisation=organisation)
    )
    year = current_year()
    return render(
        request,
        "assessment/list.html",
        {
            "organisation": organisation,
            "assessments": assessments,
            "editor": _editor(request, organisation),
            "this_year": year,
            "this_year_label": year_label(year),
            "can_start": not any(a.year == year for a in assessments),
        },
    )


@require_POST
@login_required
@idempotent_page
def assessment_start(request: HttpRequest) -> HttpResponse:
    """Start this year's assessment, its evidence computed from Ripple's data."""
    organisation = _organisation(request)
    assessment = services.assessment_start(
        by=request.user, organisation=organisation, year=current_year()
    )
    messages.success(request, f"The {assessment.label} assessment is started, with its evidence.")
    return redirect("assessment-page", year=assessment.year)


@login_required
@kept_page
def assessment_page(request: HttpRequest, year: int) -> HttpResponse:
    """One year's assessment: each domain's key tests with the rating, narrative, links
    and the evidence Ripple computed, beside another year's (the year before, unless
    ``?compare=`` names another, or ``none``)."""
    assessment = _assessment(request, year)
    chosen = request.GET.get("compare", "")
    others = [
        other
        for other in selectors.assessment_list(user=request.user).filter(
            organisation_id=assessment.organisation_id
        )
        if other.pk != assessment.pk
    ]
    before = None
    if chosen.isdigit():
        before = (
            selectors.with_answers(Assessment.objects.filter(pk__in=[o.pk for o in others]))
            .filter(year=int(chosen))
            .first()
        )
    elif chosen != "none":
        before = selectors.previous_of(assessment)
    domains = selectors.by_domain(assessment, before)
    return render(
        request,
        "assessment/assessment.html",
        {
            "assessment": assessment,
            "organisation": assessment.organisation,
            "before": before,
            "others": others,
            "domains": domains,
            "scale": SCALE,
            "editor": _editor(request, assessment.organisation),
            "computed": sum(d.with_evidence for d in domains),
            "rated": sum(d.rated for d in domains),
            "total": sum(len(d.lines) for d in domains),
        },
    )


class AnswerForm(PageForm):
    rating = forms.TypedChoiceField(
        label="Where are we?",
        choices=[
            (str(step.rating), f"{step.rating}: {step.name}. {step.description}") for step in SCALE
        ],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    narrative = forms.CharField(
        label="What we have in place, and what we will do next",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    links = forms.CharField(
        label="Links to our own evidence (optional)",
        help_text="One a line: a title, then the address. For example: Quality strategy "
        "2025 to 2030 https://intranet.example.nhs.uk/quality-strategy.pdf",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_links(self) -> list[dict[str, str]]:
        try:
            return services.parse_links(self.cleaned_data["links"])
        except Exception as error:  # a ValidationError naming the line
            raise forms.ValidationError(error.message_dict["links"]) from None


def _version(answer: Answer) -> str:
    return answer.updated_at.isoformat()


def _answer(assessment: Assessment, code: str) -> Answer:
    if code not in BY_CODE:
        raise Http404
    for answer in assessment.answers.all():
        if answer.code == code:
            return answer
    raise Http404


@login_required
@idempotent_page
def answer_edit(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Answer one key test: the rating on the five-step scale, the narrative and links,
    with the evidence Ripple computed beside them."""
    assessment = _assessment(request, year)
    answer = _answer(assessment, code)
    if not _editor(request, assessment.organisation):
        forbid(f"{selectors.WHO_EDITS} edit the assessment; everyone can read it.")
    initial = {
        "rating": str(answer.rating) if answer.rating else None,
        "narrative": answer.narrative,
        "links": "\n".join(f"{link['title']} {link['url']}" for link in answer.links),
        "version": _version(answer),
    }
    form = AnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["version"] and data["version"] != _version(answer):
            form.add_error(
                None,
                "Someone else saved this answer after you opened it. Your changes are "
                "below: check theirs on the assessment page, then save again.",
            )
            form.data = form.data.copy()
            form.data["version"] = _version(answer)
        else:
            saved = save_or_refuse(
                form,
                lambda: services.answer_update(
                    by=request.user,
                    answer=answer,
                    rating=data["rating"],
                    narrative=data["narrative"],
                    links=data["links"],
                ),
            )
            if saved is not None:
                messages.success(request, f"{code} saved.")
                return redirect(f"{reverse('assessment-page', args=[year])}#test-{code}")
    context = {
        "assessment": assessment,
        "organisation": assessment.organisation,
        "answer": answer,
        "test": BY_CODE[code],
        "domain": DOMAIN_BY_KEY[BY_CODE[code].domain],
        "form": form,
        "editor": _editor(request, assessment.organisation),
    }
    if form.errors:
        return invalid_form_response(request, "assessment/answer.html", context)
    return render(request, "assessment/answer.html", context)


@login_required
def evidence_page(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """The records behind a key test's computed evidence, as they were when computed."""
    assessment = _assessment(request, year)
    answer = _answer(assessment, code)
    if not answer.evidence:
        raise Http404
    return render(
        request,
        "assessment/evidence.html",
        {
            "assessment": assessment,
            "organisation": assessment.organisation,
            "answer": answer,
            "test": BY_CODE[code],
        },
    )


@require_POST
@login_required
@idempotent_page
def evidence_refresh(request: HttpRequest, year: int) -> HttpResponse:
    """Compute the draft's evidence again from Ripple's data as it stands today."""
    assessment = _assessment(request, year)
    services.evidence_refresh(by=request.user, assessment=assessment)
    messages.success(request, "The evidence is computed again from today's data.")
    return redirect("assessment-page", year=year)


class ReopenForm(PageForm):
    reason = forms.CharField(
        label="Why reopen it?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why it is being reopened"},
    )


@require_POST
@login_required
@idempotent_page
def assessment_agree(request: HttpRequest, year: int) -> HttpResponse:
    """Agree the assessment as the record of the year."""
    assessment = _assessment(request, year)
    services.assessment_agree(by=request.user, assessment=assessment)
    messages.success(request, f"The {assessment.label} assessment is agreed.")
    return redirect("assessment-page", year=year)


@require_POST
@login_required
@idempotent_page
def assessment_reopen(request: HttpRequest, year: int) -> HttpResponse:
    """Reopen an agreed assessment, saying why."""
    assessment = _assessment(request, year)
    form = ReopenForm(request.POST)
    if form.is_valid() and save_or_refuse(
        form,
        lambda: services.assessment_reopen(
            by=request.user, assessment=assessment, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, f"The {assessment.label} assessment is a draft again.")
        return redirect("assessment-page", year=year)
    return invalid_form_response(
        request, "assessment/reopen.html", {"assessment": assessment, "form": form}
    )


urlpatterns = [
    path("assessment/", assessment_list, name="assessment-list"),
    path("assessment/start/", assessment_start, name="assessment-start"),
    path("assessment/<id:year>/", assessment_page, name="assessment-page"),
    path("assessment/<id:year>/refresh/", evidence_refresh, name="assessment-refresh"),
    path("assessment/<id:year>/agree/", assessment_agree, name="assessment-agree"),
    path("assessment/<id:year>/reopen/", assessment_reopen, name="assessment-reopen"),
    path("assessment/<id:year>/<str:code>/", answer_edit, name="answer-edit"),
    path("assessment/<id:year>/<str:code>/evidence/", evidence_page, name="evidence-page"),
]
