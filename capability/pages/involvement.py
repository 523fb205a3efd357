"""Lived-experience partners on project teams, a partner's own page of the projects they
are part of, and leaders' visits and stories."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from backend.errors import forbid
from backend.idempotency import idempotent_page
from backend.models import Organisation, User
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from backend.selectors import organisation_ids
from capability import selectors, services
from capability.models import Engagement
from capability.pages._shared import PAGE_SIZE, organisation_of, section_links
from projects.lifecycle import LIVE
from projects.models import Project
from projects.selectors import project_list


@login_required
def partners_page(request: HttpRequest) -> HttpResponse:
    """How many projects under way have a lived-experience partner on the team, by
    division, and every partner with the projects they are part of."""
    organisation = organisation_of(
        request,
        selectors.PYRAMID_READER_ROLES,
        f"{selectors.WHO_READS_PYRAMID} see partners' involvement.",
    )
    return render(
        request,
        "capability/partners.html",
        {
            "organisation": organisation,
            "links": section_links(request, organisation),
            "involvement": selectors.partner_involvement(organisation=organisation),
            "partners": selectors.partner_list(organisation=organisation),
        },
    )


def _partner_page(request: HttpRequest, partner: User) -> HttpResponse:
    places = list(selectors.partner_places(user=request.user, partner=partner))
    live = [place for place in places if place.project.status in LIVE]
    return render(
        request,
        "capability/partner.html",
        {
            "partner": partner,
            "is_self": partner.pk == request.user.pk,
            "live": live,
            "others": [place for place in places if place.project.status not in LIVE],
        },
    )


@login_required
def partner_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One lived-experience partner's projects: for them, and for those who steer the work."""
    if pk == request.user.pk:
        return _partner_page(request, request.user)
    steered = organisation_ids(user=request.user, roles=selectors.PYRAMID_READER_ROLES)
    if not steered:
        forbid(f"{selectors.WHO_READS_PYRAMID} see another partner's projects.")
    partner = get_object_or_404(
        User.objects.filter(memberships__organisation_id__in=steered).distinct(), pk=pk
    )
    return _partner_page(request, partner)


@login_required
def my_involvement(request: HttpRequest) -> HttpResponse:
    """The projects you are part of as a lived-experience partner."""
    return _partner_page(request, request.user)


class EngagementForm(PageForm):
    kind = forms.ChoiceField(
        label="What was it?",
        choices=Engagement.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what it was"},
    )
    happened_on = forms.DateField(
        label="When?",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the date", "invalid": "Enter a real date"},
    )
    project = forms.ModelChoiceField(
        label="Which project? (needed for a visit)",
        queryset=Project.objects.none(),
        required=False,
        empty_label="No project",
    )
    learned = forms.CharField(
        label="What did you learn?",
        help_text="What you saw or heard, and what the board should take from it.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what you learned"},
    )

    def __init__(self, *args, user: User, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = (
            project_list(user=user)
            .filter(organisation=organisation)
            .select_related("unit")
            .order_by("title")
        )
        self.fields["project"].label_from_instance = lambda p: f"{p.title} ({p.unit.name})"


def _engagement_context(request: HttpRequest, organisation: Organisation, **given) -> dict:
    records = selectors.engagement_list(user=request.user).filter(organisation=organisation)
    writer = selectors.may(
        user=request.user, organisation_id=organisation.pk, roles=selectors.ENGAGEMENT_WRITER_ROLES
    )
    return {
        "organisation": organisation,
        "links": section_links(request, organisation),
        "page": Paginator(records, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": "",
        "writer": writer,
        "form": given.get("form")
        or (
            EngagementForm(
                user=request.user,
                organisation=organisation,
                initial={"happened_on": timezone.localdate()},
            )
            if writer
            else None
        ),
    }


@login_required
@idempotent_page
def engagement_page(request: HttpRequest) -> HttpResponse:
    """Leaders' visits to projects and stories heard at the board: how the board hears
    first-hand about quality. Leaders record them here."""
    organisation = organisation_of(
        request, selectors.PYRAMID_READER_ROLES, f"{selectors.WHO_READS_PYRAMID} see these."
    )
    if request.method != "POST":
        return render(
            request, "capability/engagement.html", _engagement_context(request, organisation)
        )
    form = EngagementForm(request.POST, user=request.user, organisation=organisation)
    if form.is_valid():
        done = save_or_refuse(
            form,
            lambda: services.engagement_record(
                by=request.user, organisation=organisation, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, "Recorded. It counts towards how the board engages (L2).")
            return redirect("engagement-page")
    return invalid_form_response(
        request, "capability/engagement.html", _engagement_context(request, organisation, form=form)
    )
