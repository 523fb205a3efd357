"""Write use-cases for capability: the catalogue, people and their records, imports,
headcounts and ratios, and leaders' engagement.

Import from here (``from capability.services import records_import``); the modules
inside are an arrangement, not an interface. Every service takes keyword arguments,
checks who is asking, runs in a transaction and records ``by`` in the history.
"""

from capability.services._shared import levels_refresh
from capability.services.engagement import engagement_delete, engagement_record
from capability.services.people import (
    course_create,
    course_update,
    person_create,
    person_ensure,
    person_set_level,
    person_update,
)
from capability.services.records import (
    ImportResult,
    record_add,
    record_approve,
    record_decline,
    records_import,
)
from capability.services.targets import headcount_remove, headcount_set, ratios_update

__all__ = [
    "ImportResult",
    "course_create",
    "course_update",
    "engagement_delete",
    "engagement_record",
    "headcount_remove",
    "headcount_set",
    "levels_refresh",
    "person_create",
    "person_ensure",
    "person_set_level",
    "person_update",
    "ratios_update",
    "record_add",
    "record_approve",
    "record_decline",
    "records_import",
]
