"""Query-string filters for spread candidates, shared by the API and the pages."""

from __future__ import annotations

import django_filters

from spread.models import SpreadCandidate


class CandidateFilter(django_filters.FilterSet):
    origin_unit = django_filters.NumberFilter(field_name="origin_unit_id")
    origin_project = django_filters.NumberFilter(field_name="origin_project_id")
    organisation = django_filters.NumberFilter(field_name="organisation_id")
    status = django_filters.MultipleChoiceFilter(choices=SpreadCandidate.Status.choices)

    class Meta:
        model = SpreadCandidate
        fields = ["evidence_strength", "origin"]
