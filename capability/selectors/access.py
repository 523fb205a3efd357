"""Who may read and write what in capability: one answer, asked by services, the API
and the pages.

Every member reads the catalogue (to add their own courses) and the skills directory
(to find a practitioner near them), and their own record. The QI team and
administrators keep the catalogue, the records, the headcounts and the ratios. The
pyramid, the partners' involvement and leaders' engagement are read by those who steer
the work: the QI team, leaders, administrators and coaches.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import Http404

from backend.errors import forbid
from backend.models import ADMIN_ROLES, LEADERSHIP_ROLES, Membership, Organisation, User
from backend.selectors import role_in, user_memberships

Role = Membership.Role

RECORD_KEEPER_ROLES = ADMIN_ROLES
PYRAMID_READER_ROLES = LEADERSHIP_ROLES | {Role.COACH}
ENGAGEMENT_WRITER_ROLES = LEADERSHIP_ROLES
MEMBER_ROLES = frozenset(Role.values)

WHO_KEEPS_RECORDS = "Only the QI team or an administrator can"
WHO_READS_PYRAMID = "Only the QI team, leaders, coaches and administrators can"


def may(*, user: User, organisation_id: int, roles: Iterable[str]) -> bool:
    """Whether the user holds one of ``roles`` in the organisation."""
    return role_in(user=user, organisation_id=organisation_id) in set(roles)


def ensure(*, user: User, organisation_id: int, roles: Iterable[str], refusal: str) -> None:
    """Refuse (403, saying who can) a member without one of ``roles``; a stranger to the
    organisation gets a 404, as for anything of another organisation."""
    role = role_in(user=user, organisation_id=organisation_id)
    if role is None:
        raise Http404
    if role not in set(roles):
        forbid(refusal)


def organisation_for(
    *, user: User, roles: Iterable[str], chosen: str | int | None = None, refusal: str
) -> Organisation:
    """The organisation a page or a report is about: ``chosen`` (an id from the query
    string) when the user may read it there, else the first of theirs, by name, where
    they hold one of ``roles``. Refuses (403) someone with none of the roles anywhere."""
    wanted = set(roles)
    memberships = sorted(user_memberships(user=user).values(), key=lambda m: m.organisation.name)
    if chosen not in (None, ""):
        for membership in memberships:
            if str(membership.organisation_id) == str(chosen):
                if membership.role not in wanted:
                    forbid(refusal)
                return membership.organisation
        raise Http404
    for membership in memberships:
        if membership.role in wanted:
            return membership.organisation
    if not memberships:
        raise Http404
    forbid(refusal)
