"""The skills directory: find someone with improvement skills near you, by level, place
and experience."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from backend.kept_pages import kept_page
from backend.models import Unit
from backend.pages import PageForm
from capability import levels, selectors
from capability.filters import Experience
from capability.levels import Level
from capability.pages._shared import PAGE_SIZE, organisation_of, section_links


class DirectoryForm(PageForm):
    refuses_nhs_numbers = False

    level = forms.ChoiceField(
        label="Trained to at least",
        required=False,
        choices=[("", "Any level"), *Level.choices],
    )
    unit = forms.ChoiceField(label="Works in", required=False)
    experience = forms.ChoiceField(
        label="Experience", required=False, choices=[("", "Any"), *Experience.CHOICES]
    )
    q = forms.CharField(label="Name", required=False)

    def __init__(self, *args, places: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "Anywhere in the organisation"), *places]


def _places(organisation) -> list[tuple[str, str]]:
    """Divisions, directorates and units as choices, each indented beneath its parent."""
    units = list(
        Unit.objects.filter(organisation=organisation, is_active=True)
        .exclude(level=Unit.Level.SITE)
        .values("id", "name", "parent_id", "level")
    )
    children: dict = {}
    for unit in units:
        children.setdefault(unit["parent_id"], []).append(unit)
    known = {unit["id"] for unit in units}
    roots = [unit for unit in units if unit["parent_id"] not in known]
    choices = []

    def walk(unit: dict, depth: int) -> None:
        choices.append((str(unit["id"]), "\u2003" * depth + unit["name"]))
        for child in sorted(children.get(unit["id"], []), key=lambda u: u["name"]):
            walk(child, depth + 1)

    for root in sorted(roots, key=lambda u: u["name"]):
        walk(root, 0)
    return choices


@login_required
@kept_page
def directory_page(request: HttpRequest) -> HttpResponse:
    """People with improvement skills who have not opted out, highest level first, with
    the projects they led, the PDSA cycles they ran and the projects they coach now."""
    organisation = organisation_of(request, selectors.MEMBER_ROLES, "")
    form = DirectoryForm(request.GET or None, places=_places(organisation))
    wanted = {}
    if form.is_valid():
        wanted = {name: value for name, value in form.cleaned_data.items() if value}
    people = selectors.directory(user=request.user, organisation=organisation, filters=wanted)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    reader = selectors.may(
        user=request.user, organisation_id=organisation.pk, roles=selectors.PYRAMID_READER_ROLES
    )
    return render(
        request,
        "capability/directory.html",
        {
            "organisation": organisation,
            "links": section_links(request, organisation) if reader else [],
            "form": form,
            "page": page,
            "rows": [
                {"person": person, "level": levels.label(person.level)}
                for person in selectors.with_experience(page)
            ],
            "query": urlencode(wanted),
            "filtered": bool(wanted),
        },
    )
