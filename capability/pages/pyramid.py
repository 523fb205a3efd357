"""The capability page: the pyramid against the dosing target for the organisation, each
division and the support services, the gaps in words, and training over time."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

from backend.kept_pages import kept_page
from capability import levels, selectors
from capability.chart_svg import LEVEL_COLOURS, pyramid_svg, quarters_svg
from capability.pages._shared import organisation_of, section_links
from capability.selectors.pyramid import percent_text
from capability.tree import UnitTree


def _drawn(scope: selectors.Scope) -> dict:
    # Built by pyramid_svg, which escapes every piece of text.
    return {"scope": scope, "svg": mark_safe(pyramid_svg(scope, ident=scope.key))}  # noqa: S308


@login_required
@kept_page
def capability_page(request: HttpRequest) -> HttpResponse:
    """Are we building capability where it is needed? For the QI team, leaders, coaches
    and administrators."""
    organisation = organisation_of(
        request,
        selectors.PYRAMID_READER_ROLES,
        f"{selectors.WHO_READS_PYRAMID} see the capability pyramid.",
    )
    tree = UnitTree(organisation)  # read once for the pyramid and the partners' shares
    data = selectors.pyramid(organisation=organisation, tree=tree)
    quarters = selectors.trained_per_quarter(organisation=organisation, as_of=timezone.localdate())
    keeper = selectors.may(
        user=request.user, organisation_id=organisation.pk, roles=selectors.RECORD_KEEPER_ROLES
    )
    pending = selectors.pending_count(user=request.user) if keeper else 0
    return render(
        request,
        "capability/pyramid.html",
        {
            "organisation": organisation,
            "links": section_links(request, organisation, pending=pending),
            "keeper": keeper,
            "ratios": [
                (levels.label(level), percent_text(data["ratios"].percent(level)))
                for level in levels.LEVELS
            ],
            "whole": _drawn(data["whole"]),
            "divisions": [_drawn(scope) for scope in data["divisions"]],
            "support": _drawn(data["support"]),
            "services": data["services"],
            "unplaced": data["unplaced"],
            "uncounted": data["uncounted"],
            "levels": [
                {"label": levels.label(level), "colour": LEVEL_COLOURS[level]}
                for level in levels.LEVELS
            ],
            "quarters": quarters,
            "quarters_svg": mark_safe(quarters_svg(quarters, ident="quarters")),  # noqa: S308
            "quarters_total": sum(quarter["total"] for quarter in quarters),
            "involvement": selectors.partner_involvement(organisation=organisation, tree=tree),
            "pending": pending,
        },
    )
