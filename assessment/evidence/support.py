"""Aligning support services: their improvement work (S1) and their training (S3)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.urls import reverse

from assessment.evidence import Evidence, evidence_for, figure, row
from assessment.evidence._portfolio import LIVE_WORDS, live_projects, project_url, where
from backend.models import Organisation, Unit
from backend.words import plural
from capability import selectors
from capability.tree import SUPPORT_KINDS, UnitTree


@evidence_for("S1")
def support_service_projects(organisation: Organisation, as_of: date) -> Evidence:
    tree = UnitTree(organisation)
    projects = live_projects(organisation)
    theirs = [p for p in projects if tree.service_of(p.unit_id)]
    by_service = Counter(tree.service_of(p.unit_id) for p in theirs)
    named = ", ".join(f"{Unit.Kind(kind).label} {by_service[kind]}" for kind in SUPPORT_KINDS)
    without = [Unit.Kind(kind).label for kind in SUPPORT_KINDS if not by_service[kind]]
    return Evidence(
        statement=(
            f"{plural(len(theirs), 'project')} under way in the support services ({named}), of "
            f"{len(projects)} across the organisation"
            + (f"; none yet in {', '.join(without)}." if without else ".")
        ),
        figures=[
            figure("Support service projects under way", len(theirs)),
            *[
                figure(f"Projects in {Unit.Kind(kind).label}", by_service[kind])
                for kind in SUPPORT_KINDS
            ],
        ],
        method=f"The {LIVE_WORDS} in units that are HR, finance, IT or estates (or beneath one).",
        source={"label": "The projects behind it", "url": ""},
        rows=[row(p.title, where(p), project_url(p.pk)) for p in theirs],
    )


@evidence_for("S3")
def support_services_trained(organisation: Organisation, as_of: date) -> Evidence:
    data = selectors.pyramid(organisation=organisation, as_of=as_of)
    support = data["support"]
    foundation, practitioner = support.tiers[0], support.tiers[1]
    tree = UnitTree(organisation)
    leading = sum(1 for p in live_projects(organisation) if tree.service_of(p.unit_id))
    return Evidence(
        statement=(
            f"In the support services, {foundation.trained} of a target of {foundation.target} "
            f"have foundation training or more and {practitioner.trained} of "
            f"{practitioner.target} are practitioners; {plural(leading, 'project')} under way "
            "there put it to use. " + support.words
        ),
        figures=[
            figure("Support services' headcount", support.headcount),
            *[
                figure(f"Support services {t.label.lower()}: trained", t.trained)
                for t in support.tiers
            ],
            *[
                figure(f"Support services {t.label.lower()}: target", t.target)
                for t in support.tiers
            ],
        ],
        method="The capability pyramid for the units that are HR, finance, IT or estates: "
        "people trained to at least each level against the dosing ratios applied to their "
        "headcount; their projects under way.",
        source={"label": "The capability pyramid", "url": reverse("capability-page")},
        rows=[row(service.name, service.words) for service in data["services"]],
    )
