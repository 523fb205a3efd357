"""Making Data Count icons and small charts for the pages, drawn as inline SVG.

``{% load mdc %}`` then ``{% variation_icon code %}``, ``{% assurance_icon code %}`` (the
codes the SPC summaries carry, such as ``improvement_low`` or ``consistent_fail``) and
``{% sparkline spc label %}`` (an SPC result's points). Each has a text alternative, so a
screen reader hears what the colour and letter say.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from projects.chart_svg import ASSURANCE_BADGES, VARIATION_BADGES
from projects.palette import CENTRE, COMMON_CAUSE, POINT_COLOURS, SERIES

register = template.Library()

NO_CHART = "No chart yet: fewer than two data points"
NO_TARGET = "No assurance: no target set"


# A table draws the same few icons hundreds of times: draw each (kind, code, size) once.
@lru_cache(maxsize=128)
def _badge(badge: tuple[str, str, str] | None, size: int, missing: str) -> SafeString:
    if badge is None:
        return format_html(
            '<svg class="ripple-mdc" width="{0}" height="{0}" viewBox="0 0 44 44" role="img" '
            'aria-label="{1}" focusable="false"><circle cx="22" cy="22" r="20" fill="none" '
            'stroke="#aeb7bd" stroke-width="2" stroke-dasharray="4 4"/></svg>',
            size,
            missing,
        )
    colour, letter, text = badge
    if letter == "~":
        mark = SafeString(
            '<path d="M10 22 q6 -11 12 0 t12 0" fill="none" stroke="#fff" '
            'stroke-width="3.5" stroke-linecap="round"/>'
        )
    else:
        mark = format_html(
            '<text x="22" y="30" text-anchor="middle" font-family="arial, sans-serif" '
            'font-size="22" font-weight="700" fill="#fff">{}</text>',
            letter,
        )
    return format_html(
        '<svg class="ripple-mdc" width="{0}" height="{0}" viewBox="0 0 44 44" role="img" '
        'aria-label="{1}" focusable="false"><title>{1}</title>'
        '<circle cx="22" cy="22" r="21" fill="{2}"/>{3}</svg>',
        size,
        text,
        colour,
        mark,
    )


@register.simple_tag
def variation_icon(code: str | None, size: int = 32) -> SafeString:
    """The variation icon of a measure's latest point (a dashed ring without a chart)."""
    return _badge(VARIATION_BADGES.get(code or ""), size, NO_CHART)


@register.simple_tag
def assurance_icon(code: str | None, size: int = 32) -> SafeString:
    """The assurance icon against the target (a dashed ring without a target)."""
    return _badge(ASSURANCE_BADGES.get(code or ""), size, NO_TARGET)


def icon_words(kind: str, code: str | None) -> str:
    """What an icon says, in words (for tables, CSV and filters)."""
    badges = VARIATION_BADGES if kind == "variation" else ASSURANCE_BADGES
    badge = badges.get(code or "")
    if badge is None:
        return NO_CHART if kind == "variation" else NO_TARGET
    return badge[2]


@register.simple_tag
def sparkline(spc: dict[str, Any] | None, label: str, width: int = 160, height: int = 44):
    """A small line of the chart's points, coloured as the chart colours them, with the
    centre line; the label says what it shows (the full chart and its table are a link
    away)."""
    points = (spc or {}).get("points") or []
    if len(points) < 2:
        return ""
    values = [p["value"] for p in points]
    centres = [p["centre"] for p in points if p.get("centre") is not None]
    low, high = min(values + centres), max(values + centres)
    span = (high - low) or 1.0
    step = (width - 8) / (len(points) - 1)

    def y(value: float) -> float:
        return 4 + (height - 8) * (1 - (value - low) / span)

    line = " ".join(f"{4 + i * step:.1f},{y(v):.1f}" for i, v in enumerate(values))
    dots = "".join(
        f'<circle cx="{4 + i * step:.1f}" cy="{y(p["value"]):.1f}" r="2.2" '
        f'fill="{POINT_COLOURS.get(p["point_type"], COMMON_CAUSE)}"/>'
        for i, p in enumerate(points)
        if p.get("point_type") != "common_cause"
    )
    centre = (
        f'<line x1="4" x2="{width - 4}" y1="{y(centres[-1]):.1f}" y2="{y(centres[-1]):.1f}" '
        f'stroke="{CENTRE}" stroke-width="1" stroke-dasharray="3 2"/>'
        if centres
        else ""
    )
    return format_html(
        '<svg class="ripple-sparkline" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}" focusable="false">{}<polyline points="{}" fill="none" '
        'stroke="{}" stroke-width="1.5"/>{}</svg>',
        width,
        height,
        width,
        height,
        label,
        SafeString(centre),
        line,
        SERIES,
        SafeString(dots),
    )
