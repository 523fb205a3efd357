"""Write use-cases for spread, one function per thing a user does.

- ``candidates``: ``candidate_suggest`` (from an "adopt" with an SPC signal),
  ``candidates_suggest_for_project`` (the same, after new data), ``candidates_reconcile``
  (the same for every project whose data changed lately, for lost checks),
  ``candidate_nominate``, ``candidate_review_start``, ``candidate_approve``,
  ``candidate_decline``, ``candidate_retire``, ``candidate_evidence_refresh``,
  ``package_update``
- ``adoptions``: ``target_add``, ``target_remove``, ``offer_make``, ``adoption_create``,
  ``adoption_update``
"""

from spread.services.adoptions import (
    adoption_create,
    adoption_update,
    offer_make,
    target_add,
    target_remove,
)
from spread.services.candidates import (
    candidate_approve,
    candidate_decline,
    candidate_evidence_refresh,
    candidate_nominate,
    candidate_retire,
    candidate_review_start,
    candidate_suggest,
    candidates_reconcile,
    candidates_suggest_for_project,
    package_update,
)

__all__ = [
    "adoption_create",
    "adoption_update",
    "candidate_approve",
    "candidate_decline",
    "candidate_evidence_refresh",
    "candidate_nominate",
    "candidate_retire",
    "candidate_review_start",
    "candidate_suggest",
    "candidates_reconcile",
    "candidates_suggest_for_project",
    "offer_make",
    "package_update",
    "target_add",
    "target_remove",
]
