"""Messages people send one another through Ripple: thanks for a win, and the QI team's
offer of a change that worked elsewhere to a unit's team. Each is written in the sender's
transaction and said once (its dedupe key names the thanks or the offer)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from backend.errors import ApplicationError
from backend.models import Membership, User
from backend.validators import NHS_NUMBER_MESSAGE, contains_nhs_number
from notifications import links
from notifications.models import CELEBRATION_KINDS, Kind, Notification, Thanks
from notifications.rules.drafts import drafts_for_recipients
from notifications.rules.team import everyone, team_by_project
from notifications.services.writing import notifications_write
from projects.lifecycle import LIVE
from projects.models import ProjectMember

THANKS_MAX = Thanks._meta.get_field("message").max_length


def _team_of(win: Notification) -> list[int]:
    return everyone(team_by_project([win.project_id])[win.project_id])


@transaction.atomic
def thanks_send(*, by: User, win: Notification, message: str, person: User | None = None) -> Thanks:
    """Thank the team behind a win, or one person on it, with a short message; they are
    told (each thanks once). Anyone in the win's organisation may thank; nobody thanks
    themselves."""
    if win.kind not in CELEBRATION_KINDS or win.project_id is None:
        raise ApplicationError("Only a win can be thanked.", field="win")
    if not Membership.objects.filter(user=by, organisation_id=win.organisation_id).exists():
        raise ApplicationError("Only people of the organisation can thank its teams.", field="win")
    message = (message or "").strip()
    if not message:
        raise ApplicationError("Write a few words of thanks.", field="message", code="required")
    if len(message) > THANKS_MAX:
        raise ApplicationError(
            f"Keep it to {THANKS_MAX} characters or fewer.", field="message", code="max_length"
        )
    if contains_nhs_number(message):
        raise ApplicationError(NHS_NUMBER_MESSAGE, field="message", code="nhs_number")
    team = _team_of(win)
    if person is not None:
        if person.pk not in team:
            raise ApplicationError("Choose someone on the team.", field="person")
        if person.pk == by.pk:
            raise ApplicationError("Thank someone else on the team.", field="person")
    thanks = Thanks.objects.create(
        organisation_id=win.organisation_id,
        win_key=win.win_key,
        project_id=win.project_id,
        sender=by,
        person=person,
        message=message,
    )
    recipients = [person.pk] if person is not None else [u for u in team if u != by.pk]
    sender = by.full_name or by.email
    notifications_write(
        drafts=drafts_for_recipients(
            recipients,
            organisation_id=win.organisation_id,
            kind=Kind.THANKS,
            subject_type="notifications.thanks",
            subject_id=thanks.pk,
            period="",
            project_id=win.project_id,
            measure_id=win.measure_id,
            title=f"{sender} says thank you: {win.title}"[:200],
            body=f'"{message}"\n\n{sender} thanked '
            + ("you" if person is not None else "your team")
            + f" for this win: {win.title}.",
            link=links.win_link(win.pk),
            evidence={"win": win.win_key, "thanks": thanks.pk},
        )
    )
    return thanks


def _unit_team(unit_id: int, organisation_id: int) -> list[int]:
    """The people of a unit: those whose home it is, and the teams of its live projects."""
    home = Membership.objects.filter(
        organisation_id=organisation_id, home_unit_id=unit_id, user__is_active=True
    ).values_list("user_id", flat=True)
    on_projects = ProjectMember.objects.filter(
        project__unit_id=unit_id, project__status__in=LIVE, user__is_active=True
    ).values_list("user_id", flat=True)
    return list(dict.fromkeys([*home, *on_projects]))


def offer_tell_unit(*, offer: Any, by: User | None) -> int:
    """Tell a unit's team that the QI team offers them a change that worked elsewhere,
    with its evidence and where to take it up; once per offer. ``offer`` is spread's
    ``SpreadOffer`` (read through its attributes: notifications does not import spread)."""
    candidate = offer.candidate
    unit = offer.unit
    change = candidate.change_idea.title
    evidence = candidate.evidence.get("summary", "")
    note = f"\n\n{offer.note}" if offer.note else ""
    team = _unit_team(unit.pk, unit.organisation_id)
    recipients = [user for user in team if by is None or user != by.pk]
    return notifications_write(
        drafts=drafts_for_recipients(
            recipients,
            organisation_id=unit.organisation_id,
            kind=Kind.SPREAD_OFFER,
            subject_type="spread.offer",
            subject_id=offer.pk,
            period="",
            title=f"A change that worked on {candidate.origin_unit.name}: {change}"[:200],
            body=(
                f'The QI team suggests {unit.name} takes up "{change}", which worked on '
                f"{candidate.origin_unit.name}. {evidence}{note}\n\nYour unit's page shows it "
                "with the reasons; adopting it there makes your team a project, pre-filled."
            ),
            link=links.unit_link(unit.pk),
            evidence={"candidate": candidate.pk, "offer": offer.pk, "summary": evidence},
        )
    )
