"""The capability pyramid and the training-per-quarter bars as inline SVG.

Drawn as strings with presentation attributes only (no inline style, which the pages'
Content-Security-Policy refuses), every piece of text escaped. Each chart carries its
own text alternative (title and description) and the pages show the same figures in a
table beside it, so nothing is said by colour or shape alone.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from capability import levels
from capability.selectors.pyramid import Scope
from projects.palette import GRID, INK, MUTED, WHITE

FONT = "Arial, Helvetica, sans-serif"
NHS_BLUE = "#005eb8"
TIER_EMPTY = "#d8dde0"
TIER_EDGE = "#768692"
# One colour per level, each at least 3:1 against white (WCAG 1.4.11), told apart by
# the legend and the table beside the chart.
LEVEL_COLOURS = {
    levels.Level.FOUNDATION: "#005eb8",
    levels.Level.PRACTITIONER: "#007f3b",
    levels.Level.ADVANCED: "#330072",
    levels.Level.EXPERT: "#ae2573",
}


def _text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str = "start",
    size: int = 14,
    colour: str = INK,
    bold: bool = False,
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'fill="{colour}" text-anchor="{anchor}"{weight}>{escape(content)}</text>'
    )


def _document(
    width: int, height: int, ident: str, title: str, description: str, body: list[str]
) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="ripple-capability-chart" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" focusable="false">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def pyramid_svg(scope: Scope, *, ident: str) -> str:
    """The scope's pyramid: a tier per level, the many at the bottom; each tier's fill is
    the share of its target trained, and its figures are written beside it."""
    width, tier_height, gap = 500, 36, 6
    left, area = 112, 270  # labels, then the pyramid, then the figures
    height = len(levels.LEVELS) * (tier_height + gap) + 8
    body = []
    for index, tier in enumerate(reversed(scope.tiers)):  # expert at the top
        y = 4 + index * (tier_height + gap)
        tier_width = area * (index + 1) / len(scope.tiers)
        x = left + (area - tier_width) / 2
        filled = tier_width * min(tier.share, 1.0)
        middle = y + tier_height / 2 + 5
        body.append(
            f'<rect x="{x:.1f}" y="{y}" width="{tier_width:.1f}" height="{tier_height}" '
            f'fill="{TIER_EMPTY}" stroke="{TIER_EDGE}"/>'
        )
        if filled:
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{filled:.1f}" height="{tier_height}" '
                f'fill="{NHS_BLUE}"/>'
            )
        body.append(_text(left - 8, middle, tier.label, anchor="end", bold=True, size=15))
        figures = (
            f"{tier.trained:,} of {tier.target:,}" if tier.target else f"{tier.trained:,}, none due"
        )
        body.append(_text(left + area + 8, middle, figures, size=15))
    description = " ".join(
        f"{tier.label}: {tier.trained:,} trained against a target of {tier.target:,}."
        for tier in scope.tiers
    )
    title = f"{scope.name}: people trained to each level against the target"
    return _document(width, height, ident, title, f"{description} {scope.words}", body)


def quarters_svg(quarters: list[dict], *, ident: str) -> str:
    """How many were trained each quarter, a bar per quarter stacked by level."""
    width, height = 720, 300
    left, right, top, bottom = 48, 12, 36, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((q["total"] for q in quarters), default=0)
    step = max(1, _nice_step(peak))
    ceiling = max(step, -(-peak // step) * step)
    body = []
    for tick in range(0, ceiling + 1, step):
        y = top + plot_h - plot_h * tick / ceiling
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        body.append(_text(left - 6, y + 4, f"{tick:,}", anchor="end", size=12, colour=MUTED))
    slot = plot_w / max(1, len(quarters))
    bar = slot * 0.6
    for index, quarter in enumerate(quarters):
        x = left + index * slot + (slot - bar) / 2
        base = top + plot_h
        for level, count in zip(levels.LEVELS, quarter["by_level"], strict=True):
            if not count:
                continue
            h = plot_h * count / ceiling
            base -= h
            body.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{LEVEL_COLOURS[level]}" stroke="{WHITE}">'
                f"<title>{escape(quarter['label'])}: {escape(levels.people(count, level))}"
                "</title></rect>"
            )
        body.append(
            _text(
                x + bar / 2,
                top + plot_h - plot_h * quarter["total"] / ceiling - 6,
                f"{quarter['total']:,}",
                anchor="middle",
                size=12,
            )
        )
        start = quarter["starts"]
        body.append(
            _text(
                x + bar / 2,
                height - bottom + 18,
                f"{start:%b %Y}",
                anchor="middle",
                size=12,
                colour=MUTED,
            )
        )
    legend_x = left
    for level in levels.LEVELS:
        body.append(
            f'<rect x="{legend_x}" y="8" width="14" height="14" fill="{LEVEL_COLOURS[level]}"/>'
        )
        body.append(_text(legend_x + 20, 20, levels.label(level), size=12))
        legend_x += 30 + 8 * len(levels.label(level)) + 20
    description = "; ".join(f"{q['label']}: {q['total']:,} trained" for q in quarters)
    return _document(
        width, height, ident, "People trained each quarter, by level", description + ".", body
    )


def _nice_step(peak: int) -> int:
    """A round step for about five gridlines up to ``peak``."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if peak / step <= 5:
            return step
    return 10_000
