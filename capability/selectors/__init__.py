"""Read queries for capability, scoped to what the user may see.

Import from here (``from capability.selectors import pyramid``); the modules inside are
an arrangement, not an interface.
"""

from capability.selectors.access import (
    ENGAGEMENT_WRITER_ROLES,
    MEMBER_ROLES,
    PYRAMID_READER_ROLES,
    RECORD_KEEPER_ROLES,
    WHO_KEEPS_RECORDS,
    WHO_READS_PYRAMID,
    ensure,
    may,
    organisation_for,
)
from capability.selectors.involvement import (
    Share,
    engagement_list,
    partner_involvement,
    partner_list,
    partner_places,
)
from capability.selectors.people import (
    course_list,
    directory,
    pending_count,
    person_list,
    person_of,
    record_list,
    with_experience,
)
from capability.selectors.pyramid import (
    Scope,
    Tier,
    gap_words,
    levels_on,
    pyramid,
    quarter_starts,
    ratios_of,
    target,
    trained_per_quarter,
)

__all__ = [
    "ENGAGEMENT_WRITER_ROLES",
    "MEMBER_ROLES",
    "PYRAMID_READER_ROLES",
    "RECORD_KEEPER_ROLES",
    "WHO_KEEPS_RECORDS",
    "WHO_READS_PYRAMID",
    "Scope",
    "Share",
    "Tier",
    "course_list",
    "directory",
    "engagement_list",
    "ensure",
    "gap_words",
    "levels_on",
    "may",
    "organisation_for",
    "partner_involvement",
    "partner_list",
    "partner_places",
    "pending_count",
    "person_list",
    "person_of",
    "pyramid",
    "quarter_starts",
    "ratios_of",
    "record_list",
    "target",
    "trained_per_quarter",
    "with_experience",
]
