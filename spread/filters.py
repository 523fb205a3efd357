"""Query-string filters for spread candidates, shared by the API and the pages."""

from __future__ import annotations

import django_filters

from backend.filters import IdFilter
from spread.models import SpreadCandidate


class CandidateFilter(django_filters.FilterSet):
    origin_unit = IdFilter(field_name="origin_unit_id")
    origin_project = IdFilter(field_name="origin_project_id")
    organisation = IdFilter(field_name="organisation_id")
    status = django_filters.MultipleChoiceFilter(choices=SpreadCandidate.Status.choices)

    class Meta:
        model = SpreadCandidate
        fields = ["evidence_strength", "origin"]
