"""Writing the self-assessment: starting a year's, answering the key tests, computing
the evidence from Ripple's data, and agreeing it."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from assessment import evidence
from assessment.key_tests import KEY_TESTS, STEP_BY_RATING, year_label
from assessment.models import Answer, Assessment
from assessment.selectors import EDITOR_ROLES, WHO_EDITS
from backend.errors import refuse
from backend.history import save_with_history
from backend.models import Organisation, User
from backend.updates import field_names, model_update, only
from backend.validators import contains_nhs_number
from capability.selectors import ensure

MAX_LINKS = 20
URL = re.compile(r"https?://\S+")


def _ensure_editor(*, by: User, organisation_id: int, action: str) -> None:
    ensure(
        user=by,
        organisation_id=organisation_id,
        roles=EDITOR_ROLES,
        refusal=f"{WHO_EDITS} {action}.",
    )


def _ensure_draft(assessment: Assessment) -> None:
    if not assessment.is_draft:
        refuse(
            f"The {assessment.label} assessment was agreed; reopen it to change it.",
            field="status",
            code="agreed",
        )


def _compute_all(assessment: Assessment, answers: list[Answer], as_of: date) -> None:
    now = timezone.now()
    for answer in answers:
        answer.evidence = evidence.compute(answer.code, assessment.organisation, as_of)
        answer.evidence_at = now if answer.evidence is not None else None
    Answer.objects.bulk_update(answers, ["evidence", "evidence_at"])
    assessment.evidence_at = now
    assessment.save(update_fields=["evidence_at"])


@transaction.atomic
def assessment_start(
    *, by: User, organisation: Organisation, year: int, as_of: date | None = None
) -> Assessment:
    """Start an organisation's assessment for a financial year: an answer for every key
    test, with the evidence Ripple holds computed now (or as it stood on ``as_of``)."""
    _ensure_editor(by=by, organisation_id=organisation.pk, action="start an assessment")
    if not 2000 <= year <= timezone.localdate().year + 1:
        refuse("Choose a year from 2000 to next year.", field="year")
    if Assessment.objects.filter(organisation=organisation, year=year).exists():
        refuse(f"There is already a {year_label(year)} assessment.", field="year", code="duplicate")
    assessment = Assessment(organisation=organisation, year=year, created_by=by)
    save_with_history(assessment, by=by)
    answers = Answer.objects.bulk_create(
        [Answer(assessment=assessment, code=test.code, updated_by=by) for test in KEY_TESTS]
    )
    if answers and answers[0].pk is None:  # a database that does not return ids
        answers = list(assessment.answers.all())
    _compute_all(assessment, answers, as_of or timezone.localdate())
    return assessment


@transaction.atomic
def evidence_refresh(*, by: User, assessment: Assessment, as_of: date | None = None) -> Assessment:
    """Compute a draft's evidence again from Ripple's data as it stands now. An agreed
    assessment keeps the evidence it was agreed on."""
    _ensure_editor(by=by, organisation_id=assessment.organisation_id, action="refresh the evidence")
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _ensure_draft(assessment)
    _compute_all(assessment, list(assessment.answers.all()), as_of or timezone.localdate())
    return assessment


def parse_links(text: str) -> list[dict[str, str]]:
    """Evidence links written one a line, a title then the address ("Quality strategy
    https://intranet.example/strategy.pdf"); a bare address is its own title."""
    links = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        found = URL.search(line)
        if found is None:
            raise ValidationError(
                {
                    "links": f"Line {number} has no web address: write a title, then the "
                    "address starting https://."
                }
            )
        title = (line[: found.start()] + line[found.end() :]).strip(" -:|\u2013") or found.group()
        links.append({"title": title, "url": found.group()})
    return links


def _check_links(links: Any) -> None:
    if not isinstance(links, list) or len(links) > MAX_LINKS:
        refuse(f"Give up to {MAX_LINKS} links.", field="links")
    check_url = URLValidator(schemes=["http", "https"])
    for index, link in enumerate(links):
        if not isinstance(link, dict) or not {"title", "url"} <= set(link):
            refuse("Each link needs a title and a url.", field=f"links[{index}]")
        try:
            check_url(str(link["url"]))
        except ValidationError:
            refuse("This is not a web address.", field=f"links[{index}].url")
        if contains_nhs_number(str(link["title"])):
            refuse("A link's title must not hold an NHS number.", field=f"links[{index}].title")


class AnswerChanges(TypedDict, total=False):
    """What the QI team and leaders write for a key test."""

    rating: int | None
    narrative: str
    links: list[dict[str, str]]


def _check_answer(answer: Answer) -> None:
    if answer.rating is not None and answer.rating not in STEP_BY_RATING:
        refuse("Choose a rating from 1 to 5.", field="rating")
    _check_links(answer.links)


@transaction.atomic
def answer_update(*, by: User, answer: Answer, **changes: Unpack[AnswerChanges]) -> Answer:
    """Rate a key test, write its narrative and link the organisation's own evidence."""
    assessment = answer.assessment
    _ensure_editor(by=by, organisation_id=assessment.organisation_id, action="edit the assessment")
    _ensure_draft(assessment)
    data = only(AnswerChanges, changes, service="answer_update")
    if "narrative" in data:
        data["narrative"] = data["narrative"].strip()
    answer, changed = model_update(
        instance=answer, fields=field_names(AnswerChanges), data=data, by=by, check=_check_answer
    )
    if changed:
        Answer.objects.filter(pk=answer.pk).update(updated_by=by)
        answer.updated_by = by
    return answer


@transaction.atomic
def assessment_agree(*, by: User, assessment: Assessment) -> Assessment:
    """Agree the assessment: it becomes the record of the year, its evidence as computed."""
    _ensure_editor(by=by, organisation_id=assessment.organisation_id, action="agree the assessment")
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _ensure_draft(assessment)
    unrated = [
        code for code, rating in assessment.answers.values_list("code", "rating") if rating is None
    ]
    if unrated:
        refuse(
            f"Rate every key test before agreeing the assessment: {', '.join(unrated)} "
            f"{'is' if len(unrated) == 1 else 'are'} not rated yet.",
            field="rating",
        )
    assessment.status = Assessment.Status.AGREED
    assessment.agreed_at, assessment.agreed_by = timezone.now(), by
    save_with_history(assessment, by=by, reason="Agreed.")
    return assessment


@transaction.atomic
def assessment_reopen(*, by: User, assessment: Assessment, reason: str) -> Assessment:
    """Reopen an agreed assessment to change it, saying why (the history keeps it)."""
    _ensure_editor(
        by=by, organisation_id=assessment.organisation_id, action="reopen the assessment"
    )
    if not reason.strip():
        refuse("Say why it is being reopened.", field="reason")
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_draft:
        refuse("The assessment is already a draft.", field="status")
    assessment.status = Assessment.Status.DRAFT
    assessment.agreed_at = assessment.agreed_by = None
    save_with_history(assessment, by=by, reason=f"Reopened: {reason.strip()}")
    return assessment
