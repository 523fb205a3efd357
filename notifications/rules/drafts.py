"""What a rule hands back: a notification it wants to exist, not yet written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from notifications.models import Notification


@dataclass(frozen=True)
class Draft:
    """One notification a rule wants; `period` says which occurrence of the event it is
    (a stall's start date, an ISO week), so the same event is never said twice."""

    recipient_id: int
    organisation_id: int
    kind: str
    subject_type: str
    subject_id: int
    period: str
    title: str
    body: str
    link: str = ""
    evidence: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    project_id: int | None = None
    cycle_id: int | None = None
    measure_id: int | None = None

    @property
    def dedupe_key(self) -> str:
        return Notification.key_for(
            recipient_id=self.recipient_id,
            kind=self.kind,
            subject_type=self.subject_type,
            subject_id=self.subject_id,
            period=self.period,
        )


def drafts_for_recipients(recipient_ids: list[int], **fields: Any) -> list[Draft]:
    """The same message to each of several people, each recipient once."""
    return [Draft(recipient_id=user_id, **fields) for user_id in dict.fromkeys(recipient_ids)]
