"""Training records: added by people for approval, by the QI team, or imported from the
CSV file an HR system exports (all or nothing)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from backend.batches import chunked
from backend.errors import refuse
from backend.history import save_with_history
from backend.models import Organisation, Unit, User
from backend.selectors import role_in
from backend.validators import NHS_NUMBER_MESSAGE, contains_nhs_number
from capability.models import Course, Person, TrainingRecord
from capability.records_csv import Row, parse_date, parse_records_csv
from capability.selectors.access import RECORD_KEEPER_ROLES
from capability.services._shared import ensure_keeper, levels_refresh

Status = TrainingRecord.Status
Source = TrainingRecord.Source
EVIDENCE_TYPES = (".pdf", ".png", ".jpg", ".jpeg")
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
EARLIEST = date(1980, 1, 1)


def _check_date(completed_on: date, *, today: date, field: str = "completed_on") -> str | None:
    if completed_on > today:
        return "The course cannot be completed in the future."
    if completed_on < EARLIEST:
        return f"The date must be after {EARLIEST:%Y}."
    return None


def _check_evidence(evidence_url: str, evidence_file: UploadedFile | None) -> None:
    if evidence_url:
        try:
            URLValidator(schemes=["http", "https"])(evidence_url)
        except ValidationError:
            refuse("Enter the evidence as a web address starting https://.", field="evidence_url")
    if evidence_file is not None:
        if not evidence_file.name.lower().endswith(EVIDENCE_TYPES):
            refuse("Attach a PDF, PNG or JPEG file.", field="evidence_file")
        if evidence_file.size > EVIDENCE_MAX_BYTES:
            refuse("The file is larger than 5 MB.", field="evidence_file")


@transaction.atomic
def record_add(
    *,
    by: User,
    person: Person,
    course: Course,
    completed_on: date,
    evidence_url: str = "",
    evidence_file: UploadedFile | None = None,
) -> TrainingRecord:
    """Add a course someone completed. The QI team's records count at once; a person's
    own waits for the QI team's approval."""
    keeper = role_in(user=by, organisation_id=person.organisation_id) in RECORD_KEEPER_ROLES
    if not keeper and person.user_id != by.pk:
        ensure_keeper(
            by=by, organisation_id=person.organisation_id, action="add to others' records"
        )
    if course.organisation_id != person.organisation_id:
        refuse("The course belongs to another organisation's catalogue.", field="course")
    if not course.is_active and not keeper:
        refuse("This course is no longer in the catalogue.", field="course")
    problem = _check_date(completed_on, today=timezone.localdate())
    if problem:
        refuse(problem, field="completed_on")
    _check_evidence(evidence_url, evidence_file)
    if TrainingRecord.objects.filter(
        person=person, course=course, completed_on=completed_on
    ).exists():
        refuse("This course on this date is already on the record.", field="course")
    now = timezone.now()
    record = TrainingRecord(
        person=person,
        course=course,
        completed_on=completed_on,
        evidence_url=evidence_url,
        status=Status.APPROVED if keeper else Status.PENDING,
        source=Source.QI_TEAM if keeper else Source.SELF,
        added_by=by,
        decided_by=by if keeper else None,
        decided_at=now if keeper else None,
    )
    if evidence_file is not None:
        record.evidence_file.save(evidence_file.name, evidence_file, save=False)
    save_with_history(record, by=by)
    if keeper:
        levels_refresh(person_ids=[person.pk], by=by, reason=f"{course.name} recorded.")
    return record


def _locked_pending(record: TrainingRecord) -> TrainingRecord:
    record = TrainingRecord.objects.select_for_update().select_related("course").get(pk=record.pk)
    if record.status != Status.PENDING:
        refuse(
            f"This record was already {record.get_status_display().lower()}.",
            field="status",
            code="already_decided",
        )
    return record


@transaction.atomic
def record_approve(*, by: User, record: TrainingRecord) -> TrainingRecord:
    """Approve a course a person added for themselves: it now counts towards their level."""
    ensure_keeper(by=by, organisation_id=record.person.organisation_id, action="approve records")
    record = _locked_pending(record)
    record.status, record.decided_by, record.decided_at = Status.APPROVED, by, timezone.now()
    save_with_history(record, by=by, reason="Approved.")
    levels_refresh(person_ids=[record.person_id], by=by, reason=f"{record.course.name} approved.")
    return record


@transaction.atomic
def record_decline(*, by: User, record: TrainingRecord, reason: str) -> TrainingRecord:
    """Decline a course a person added, saying why (they see the reason)."""
    ensure_keeper(by=by, organisation_id=record.person.organisation_id, action="decline records")
    reason = reason.strip()
    if not reason:
        refuse("Say why, so the person can put it right.", field="reason")
    record = _locked_pending(record)
    record.status, record.decided_by, record.decided_at = Status.DECLINED, by, timezone.now()
    record.decline_reason = reason
    save_with_history(record, by=by, reason=f"Declined: {reason}")
    return record


@dataclass(frozen=True)
class ImportResult:
    rows: int
    records_added: int
    records_approved: int
    records_unchanged: int
    people_added: int
    levels_changed: int


class _Catalogue:
    """What the rows name, looked up once: courses and units by name, people by e-mail."""

    def __init__(self, organisation: Organisation, rows: list[Row]) -> None:
        self.courses = {
            course.name.casefold(): course
            for course in Course.objects.filter(organisation=organisation)
        }
        self.units: dict[str, list[Unit]] = {}
        for unit in Unit.objects.filter(organisation=organisation, is_active=True):
            self.units.setdefault(unit.name.casefold(), []).append(unit)
        emails = sorted({row.email.lower() for row in rows})
        self.people: dict[str, Person] = {}
        self.members: dict[str, User] = {}
        for batch in chunked(emails):
            for person in Person.objects.filter(organisation=organisation, email__in=batch):
                self.people[person.email] = person
            # A member with a record already (under the address they had then) keeps it.
            for user in User.objects.filter(
                memberships__organisation=organisation, email__in=batch
            ).exclude(capability_people__organisation=organisation):
                self.members[user.email.lower()] = user


def _row_problems(row: Row, catalogue: _Catalogue, today: date) -> dict[str, str]:
    """What is wrong with one row, by column, worded with the row's name."""
    where = row.label.capitalize()
    problems: dict[str, str] = {}
    try:
        validate_email(row.email)
    except ValidationError:
        problems["email"] = (
            f"{where}: {row.email or 'the e-mail address'} is not an e-mail address."
        )
    if row.course.casefold() not in catalogue.courses:
        problems["course"] = (
            f"{where}: there is no course called {row.course!r} in the catalogue."
            if row.course
            else f"{where}: the course is missing."
        )
    completed_on = parse_date(row.completed_on)
    if completed_on is None:
        problems["completed_on"] = (
            f"{where}: {row.completed_on!r} is not a date (write 2026-03-31 or 31/03/2026)."
        )
    elif problem := _check_date(completed_on, today=today):
        problems["completed_on"] = f"{where}: {problem}"
    if row.unit:
        found = catalogue.units.get(row.unit.casefold(), [])
        if not found:
            problems["unit"] = f"{where}: there is no unit called {row.unit!r}."
        elif len(found) > 1:
            problems["unit"] = f"{where}: more than one unit is called {row.unit!r}."
    if row.evidence_url:
        try:
            URLValidator(schemes=["http", "https"])(row.evidence_url)
        except ValidationError:
            problems["evidence_url"] = f"{where}: the evidence must be a web address (https://...)."
    for column in ("name", "evidence_url"):
        if contains_nhs_number(getattr(row, column)):
            problems[column] = f"{where}: {NHS_NUMBER_MESSAGE}"
    return problems


def _people_for(
    organisation: Organisation, rows: list[Row], catalogue: _Catalogue, by: User
) -> tuple[dict[str, Person], int]:
    """Everyone the rows name, made where they have no record yet; a row's name and unit
    (HR's word) update an existing record."""
    fresh: dict[str, Person] = {}
    moved: dict[str, Person] = {}
    for row in rows:
        email = row.email.lower()
        unit = catalogue.units[row.unit.casefold()][0] if row.unit else None
        person = catalogue.people.get(email) or fresh.get(email)
        if person is None:
            fresh[email] = Person(
                organisation=organisation,
                email=email,
                full_name=row.name,
                unit=unit,
                user=catalogue.members.get(email),
            )
            continue
        if (row.name and row.name != person.full_name) or (unit and unit.pk != person.unit_id):
            person.full_name = row.name or person.full_name
            person.unit = unit or person.unit
            if person.pk is not None:
                moved[email] = person
    made = bulk_create_with_history(
        list(fresh.values()), Person, default_user=by, default_change_reason="Imported from HR."
    )
    if moved:
        bulk_update_with_history(
            list(moved.values()),
            Person,
            ["full_name", "unit"],
            default_user=by,
            default_change_reason="Name or unit updated from HR.",
        )
    people = {**catalogue.people}
    if made and made[0].pk is None:  # a database that does not return ids from bulk inserts
        made = list(Person.objects.filter(organisation=organisation, email__in=list(fresh)))
    people.update({person.email: person for person in made})
    return people, len(made)


@transaction.atomic
def records_import(*, by: User, organisation: Organisation, raw: bytes) -> ImportResult:
    """Import training records from an HR system's CSV file: all or nothing. Every row is
    checked first and every bad row named; one bad row saves nothing. People are found
    by e-mail address (made when new); a record already there is left as it is, and one
    a person added for themselves is approved by the import. Safe to run twice."""
    ensure_keeper(by=by, organisation_id=organisation.pk, action="import training records")
    rows = parse_records_csv(raw)
    catalogue = _Catalogue(organisation, rows)
    today = timezone.localdate()
    errors: dict[str, list[ValidationError]] = {}
    for row in rows:
        for column, message in _row_problems(row, catalogue, today).items():
            errors.setdefault(f"{row.label}.{column}", []).append(
                ValidationError(message, code="invalid")
            )
    if errors:
        raise ValidationError(errors)

    people, people_added = _people_for(organisation, rows, catalogue, by)
    wanted: dict[tuple[int, int, date], Row] = {}
    for row in rows:
        key = (
            people[row.email.lower()].pk,
            catalogue.courses[row.course.casefold()].pk,
            parse_date(row.completed_on),
        )
        wanted.setdefault(key, row)
    existing = _existing_records(person_ids={key[0] for key in wanted})
    now = timezone.now()
    new, approve = [], []
    for key, row in wanted.items():
        found = existing.get(key)
        if found is None:
            new.append(
                TrainingRecord(
                    person_id=key[0],
                    course_id=key[1],
                    completed_on=key[2],
                    evidence_url=row.evidence_url,
                    status=Status.APPROVED,
                    source=Source.IMPORT,
                    added_by=by,
                    decided_by=by,
                    decided_at=now,
                )
            )
        elif found.status != Status.APPROVED:
            found.status, found.decided_by, found.decided_at = Status.APPROVED, by, now
            found.decline_reason = ""
            approve.append(found)
    bulk_create_with_history(
        new, TrainingRecord, default_user=by, default_change_reason="Imported from HR."
    )
    if approve:
        bulk_update_with_history(
            approve,
            TrainingRecord,
            ["status", "decided_by", "decided_at", "decline_reason"],
            default_user=by,
            default_change_reason="Confirmed by the HR import.",
        )
    changed = levels_refresh(
        person_ids={key[0] for key in wanted}, by=by, reason="Training records imported from HR."
    )
    return ImportResult(
        rows=len(rows),
        records_added=len(new),
        records_approved=len(approve),
        records_unchanged=len(wanted) - len(new) - len(approve),
        people_added=people_added,
        levels_changed=changed,
    )


def _existing_records(*, person_ids: Iterable[int]) -> dict[tuple[int, int, date], TrainingRecord]:
    found = {}
    for batch in chunked(sorted(person_ids)):
        for record in TrainingRecord.objects.filter(person_id__in=batch):
            found[(record.person_id, record.course_id, record.completed_on)] = record
    return found
