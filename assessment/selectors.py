"""Reading the self-assessment: every member of the organisation reads it; the QI team,
leaders and administrators write it. The comparison with another year and the summary
by domain are built here, from two assessments' rows (three queries)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from assessment.key_tests import DOMAINS, KEY_TESTS, STEP_BY_RATING, Domain, KeyTest
from assessment.models import Answer, Assessment
from backend.models import LEADERSHIP_ROLES, User
from backend.selectors import organisation_ids

EDITOR_ROLES = LEADERSHIP_ROLES
WHO_EDITS = "Only the QI team, leaders and administrators can"


def assessment_list(*, user: User) -> QuerySet[Assessment]:
    """The assessments of the user's organisations, newest year first."""
    return (
        Assessment.objects.filter(organisation_id__in=organisation_ids(user=user))
        .select_related("organisation", "agreed_by")
        .order_by("organisation__name", "-year")
    )


def with_answers(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return assessments.prefetch_related(
        Prefetch("answers", queryset=Answer.objects.select_related("updated_by").order_by("code"))
    )


def assessment_get(*, user: User, pk: int) -> Assessment:
    """One assessment the user may read, with its answers, or a 404."""
    return get_object_or_404(with_answers(assessment_list(user=user)), pk=pk)


def answer_list(*, user: User) -> QuerySet[Answer]:
    """Answers of the assessments the user may read."""
    return Answer.objects.filter(
        assessment__organisation_id__in=organisation_ids(user=user)
    ).select_related("assessment", "assessment__organisation", "updated_by")


def previous_of(assessment: Assessment) -> Assessment | None:
    """The organisation's latest assessment before this one, with its answers."""
    return (
        with_answers(Assessment.objects.filter(organisation_id=assessment.organisation_id))
        .filter(year__lt=assessment.year)
        .order_by("-year")
        .first()
    )


@dataclass
class Line:
    """A key test with this year's answer and the other year's, side by side."""

    test: KeyTest
    answer: Answer | None
    before: Answer | None

    @property
    def step(self):
        return (
            STEP_BY_RATING.get(self.answer.rating) if self.answer and self.answer.rating else None
        )

    @property
    def step_before(self):
        return (
            STEP_BY_RATING.get(self.before.rating) if self.before and self.before.rating else None
        )

    @property
    def movement(self) -> str:
        """How the rating moved since the other year, in words: "one step up"."""
        now, then = self.step, self.step_before
        if now is None or then is None:
            return ""
        steps = abs(now.rating - then.rating)
        if not steps:
            return "no change"
        size = "one step" if steps == 1 else f"{steps} steps"
        return f"{size} {'up' if now.rating > then.rating else 'down'}"

    @property
    def figures(self) -> list[dict[str, Any]]:
        """This year's computed figures, each with the other year's value where it had one."""
        if not self.answer or not self.answer.evidence:
            return []
        earlier = {
            item["label"]: item["value"]
            for item in ((self.before.evidence or {}).get("figures", []) if self.before else [])
        }
        return [
            {**item, "before": earlier.get(item["label"])}
            for item in self.answer.evidence.get("figures", [])
        ]


@dataclass
class DomainSummary:
    domain: Domain
    lines: list[Line] = field(default_factory=list)

    @staticmethod
    def _mean(ratings: list[int]) -> float | None:
        return round(sum(ratings) / len(ratings), 1) if ratings else None

    @property
    def average(self) -> float | None:
        return self._mean([x.answer.rating for x in self.lines if x.answer and x.answer.rating])

    @property
    def average_before(self) -> float | None:
        return self._mean([x.before.rating for x in self.lines if x.before and x.before.rating])

    @property
    def rated(self) -> int:
        return sum(1 for x in self.lines if x.answer and x.answer.rating)

    @property
    def with_evidence(self) -> int:
        return sum(1 for x in self.lines if x.answer and x.answer.evidence)


def by_domain(assessment: Assessment, before: Assessment | None) -> list[DomainSummary]:
    """Each domain's key tests with this year's and the other year's answers (from
    prefetched answers: no further queries)."""
    now = {answer.code: answer for answer in assessment.answers.all()}
    then = {answer.code: answer for answer in before.answers.all()} if before else {}
    summaries = {domain.key: DomainSummary(domain) for domain in DOMAINS}
    for test in KEY_TESTS:
        summaries[test.domain].lines.append(Line(test, now.get(test.code), then.get(test.code)))
    return list(summaries.values())
