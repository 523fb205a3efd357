"""The rules: plain functions over the database state, each returning the notifications it
wants as `Draft`s. They write nothing; `notifications.services` applies preferences and
writes each draft once, by its dedupe key.

- `nudges`: stalled projects, overdue cycles, missing data, pending study.
- `celebrations`: improvement signals, aims met, changes adopted here and elsewhere.
- `caseload`: each coach's caseload, ranked by need (the caseload endpoint and the digest).
- `digest`: each coach's weekly digest of that caseload.
"""

from notifications.rules.drafts import Draft
from notifications.rules.thresholds import Thresholds, thresholds_by_organisation

__all__ = ["Draft", "Thresholds", "thresholds_by_organisation"]
