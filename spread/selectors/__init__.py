"""Read queries for spread, scoped to what the user may see.

Import from here (``from spread.selectors import candidate_list``); the modules inside
are an arrangement, not an interface.
"""

from spread.selectors.candidates import (
    ADOPTED_STATUSES,
    BROWSABLE_STATUSES,
    REVIEWER_ROLES,
    adoption_get,
    adoption_list,
    can_nominate,
    can_review,
    can_take_up,
    can_update_adoption,
    candidate_get,
    candidate_list,
    person_list,
    target_list,
    visible_q,
)
from spread.selectors.evidence import (
    ChangeEvidence,
    MeasureEvidence,
    change_evidence,
    evidence_measures,
    measure_evidence,
    measures_evidence,
)
from spread.selectors.learning import learning_aims, learning_search, learning_suggestions
from spread.selectors.opportunities import (
    Opportunity,
    candidate_definitions,
    candidate_opportunities,
    unit_spread_suggestions,
)
from spread.selectors.reach import candidate_reach
from spread.selectors.review import (
    QUEUE_STATES,
    DivisionReach,
    candidate_counts,
    candidate_decisions,
    candidate_detail,
    candidate_queue,
    candidate_ramp,
    candidates_by_ids,
    queue_state,
    reach_by_division,
    reach_counts,
    unit_adoptions,
    unit_offers,
)

__all__ = [
    "ADOPTED_STATUSES",
    "BROWSABLE_STATUSES",
    "QUEUE_STATES",
    "REVIEWER_ROLES",
    "ChangeEvidence",
    "DivisionReach",
    "MeasureEvidence",
    "Opportunity",
    "adoption_get",
    "adoption_list",
    "can_nominate",
    "can_review",
    "can_take_up",
    "can_update_adoption",
    "candidate_counts",
    "candidate_decisions",
    "candidate_definitions",
    "candidate_detail",
    "candidate_get",
    "candidate_list",
    "candidate_opportunities",
    "candidate_queue",
    "candidate_ramp",
    "candidate_reach",
    "candidates_by_ids",
    "change_evidence",
    "evidence_measures",
    "learning_aims",
    "learning_search",
    "learning_suggestions",
    "measure_evidence",
    "measures_evidence",
    "person_list",
    "queue_state",
    "reach_by_division",
    "reach_counts",
    "target_list",
    "unit_adoptions",
    "unit_offers",
    "unit_spread_suggestions",
    "visible_q",
]
