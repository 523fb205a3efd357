"""The Making Data Count palette: one home for the colours every chart and icon uses (the
SVG charts and icons of the pages and the API, the PNG charts of the e-mails), so a
special-cause improvement is the same blue everywhere.

Common-cause grey is NHSRplotthedots' darker grey rather than the icons' lighter one: on
white it has the 3:1 contrast a chart's marks need to be seen (WCAG 1.4.11).
"""

from __future__ import annotations

COMMON_CAUSE = "#7b7d7d"
IMPROVEMENT = "#289de0"
CONCERN = "#fab428"
NEUTRAL = "#361475"
TARGET = "#de1b1b"
INK = "#231f20"
MUTED = "#5f6368"
GRID = "#e8edee"
SERIES = "#bfc1c1"
CENTRE = "#424242"
WHITE = "#ffffff"

POINT_COLOURS = {
    "common_cause": COMMON_CAUSE,
    "special_cause_improvement": IMPROVEMENT,
    "special_cause_concern": CONCERN,
    "special_cause_neutral_high": NEUTRAL,
    "special_cause_neutral_low": NEUTRAL,
}


def rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as a tuple of three bytes, for raster drawing."""
    value = int(colour.removeprefix("#"), 16)
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF
