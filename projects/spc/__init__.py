"""Statistical process control for Ripple: pure Python and NumPy, no Django.

One JSON contract (see docs/spc.md) used three ways: `analyse` / `analyse_many` here,
the command line `python -m projects.spc`, and the HTTP API, which turns `SPCInputError`
into a 400 naming the field. `analyse_arrays` and `analyse_batches` (checked series in,
columnar results out) are the fast paths for bulk work.
"""

from .api import analyse, analyse_arrays, analyse_batches, analyse_many
from .batch import BatchResult
from .constants import (
    ASSURANCE_ICONS,
    CHARTS,
    DEFAULT_OPTIONS,
    DIRECTIONS,
    ICONS,
    POINT_TYPES,
    RULES,
)
from .errors import SPCInputError
from .validation import MAX_MAGNITUDE, Series, number_problem, parse_document

__all__ = [
    "ASSURANCE_ICONS",
    "CHARTS",
    "DEFAULT_OPTIONS",
    "DIRECTIONS",
    "ICONS",
    "MAX_MAGNITUDE",
    "POINT_TYPES",
    "RULES",
    "BatchResult",
    "SPCInputError",
    "Series",
    "analyse",
    "analyse_arrays",
    "analyse_batches",
    "analyse_many",
    "number_problem",
    "parse_document",
]
