"""A measure's chart as a standalone SVG, in the NHS Making Data Count style.

Grey points are common-cause variation, orange special-cause concern, blue special-cause
improvement and purple special cause where neither direction is better; the centre line
is solid, process limits dashed, the target red and dashed. The variation and assurance
icons sit top right, each with a text alternative. Built as a string, so a board paper
or an e-mail can carry it without any script. Every piece of user text is escaped.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from projects.palette import (
    COMMON_CAUSE,
    CONCERN,
    GRID,
    IMPROVEMENT,
    INK,
    MUTED,
    NEUTRAL,
    POINT_COLOURS,
    TARGET,
    WHITE,
)

WIDTH, HEIGHT = 960, 520
LEFT, RIGHT, TOP, BOTTOM = 78, 40, 112, 112
GREY, BLUE, ORANGE, PURPLE = COMMON_CAUSE, IMPROVEMENT, CONCERN, NEUTRAL
TARGET_RED = TARGET
FONT = "Arial, Helvetica, sans-serif"
VARIATION_BADGES = {
    "common_cause": (GREY, "~", "Common cause variation: no signal"),
    "improvement_high": (BLUE, "H", "Special cause improvement: higher values"),
    "improvement_low": (BLUE, "L", "Special cause improvement: lower values"),
    "concern_high": (ORANGE, "H", "Special cause concern: higher values"),
    "concern_low": (ORANGE, "L", "Special cause concern: lower values"),
    "neutral_high": (PURPLE, "H", "Special cause variation, neither better nor worse: higher"),
    "neutral_low": (PURPLE, "L", "Special cause variation, neither better nor worse: lower"),
}
ASSURANCE_BADGES = {
    "consistent_pass": (BLUE, "P", "Assurance: the process will consistently pass the target"),
    "consistent_fail": (ORANGE, "F", "Assurance: the process will consistently fail the target"),
    "inconsistent": (GREY, "?", "Assurance: hit and miss; the target may or may not be met"),
}
PERCENT_CHARTS = frozenset({"p", "pp"})
# A point's signal as its tooltip says it, never the rule's name.
POINT_SIGNAL_WORDS = {
    "shift": "a shift",
    "trend": "a trend",
    "two_in_three": "two of three near a limit",
    "astronomical": "beyond a limit",
}
POINT_KIND_WORDS = {
    "special_cause_improvement": "improvement",
    "special_cause_concern": "concern",
    "special_cause_neutral_high": "higher, neither better nor worse",
    "special_cause_neutral_low": "lower, neither better nor worse",
}
WARNING_CHARS = 140
CHART_NAMES = {
    "run": "Run chart",
    "xmr": "XmR chart",
    "p": "p chart",
    "pp": "p' chart",
    "u": "u chart",
    "up": "u' chart",
    "c": "c chart",
    "g": "g chart",
    "t": "t chart",
}
DIRECTIONS = {"increase": "higher is better", "decrease": "lower is better", "neutral": ""}


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: int = 11,
    fill: str = MUTED,
    anchor: str = "start",
    extra: str = "",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" fill="{fill}" '
        f'text-anchor="{anchor}" {extra}>{escape(content)}</text>'
    )


def _number(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.3g}%"
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def _nice_ticks(low: float, high: float, count: int = 6) -> tuple[list[float], int]:
    """Round tick values between ``low`` and ``high``, and the decimals they all need."""
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    decimals = max(0, -math.floor(math.log10(step)) + (1 if step / magnitude == 2.5 else 0))
    return [first + i * step for i in range(int((high - first) / step) + 1)], decimals


def _period_label(day: date, frequency: str) -> str:
    if frequency == "quarterly":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    if frequency == "monthly":
        return day.strftime("%b %Y")
    return f"{day.day} {day:%b %Y}"


def _badge(cx: float, cy: float, colour: str, letter: str, title: str, caption: str) -> str:
    if letter == "~":
        mark = (
            f'<path d="M{cx - 13:.1f},{cy:.1f} q6.5,-12 13,0 t13,0" fill="none" '
            'stroke="#ffffff" stroke-width="3.5" stroke-linecap="round"/>'
        )
    else:
        mark = _text(
            cx, cy + 8, letter, size=24, fill=WHITE, anchor="middle", extra='font-weight="bold"'
        )
    return (
        f'<g class="icon" role="img" aria-label={quoteattr(title)}><title>{escape(title)}</title>'
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="24" fill="{colour}"/>{mark}'
        f"{_text(cx, cy + 40, caption, anchor='middle')}</g>"
    )


def _header(chart: dict[str, Any]) -> list[str]:
    measure = chart["measure"]
    owner = measure["project"] or measure["aim"]
    details = [
        CHART_NAMES.get(measure["chart_type"], measure["chart_type"]),
        DIRECTIONS.get(measure["improvement_direction"], ""),
        measure["frequency"],
        owner["title"] if owner else "",
    ]
    return [
        _text(LEFT, 34, measure["name"], size=20, fill=INK, extra='font-weight="bold"'),
        _text(LEFT, 56, " · ".join(part for part in details if part), size=13),
    ]


def _document(chart: dict[str, Any], body: list[str], description: str) -> str:
    name = chart["measure"]["name"]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc">'
        f'<title id="chart-title">{escape(name)}</title>'
        f'<desc id="chart-desc">{escape(description)}</desc>'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>' + "".join(body) + "</svg>\n"
    )


class _Frame:
    """Maps chart values and point positions to SVG coordinates."""

    def __init__(self, points: list[dict[str, Any]], extra: list[float]) -> None:
        values = [p["value"] for p in points] + extra
        for point in points:
            values += [point[k] for k in ("lower", "upper", "centre") if point.get(k) is not None]
        low, high = min(values), max(values)
        pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
        self.low, self.high = low - pad, high + pad
        self.x0, self.x1 = LEFT, WIDTH - RIGHT
        self.y0, self.y1 = TOP, HEIGHT - BOTTOM
        self.step = (self.x1 - self.x0) / len(points)

    def x(self, index: float) -> float:
        return self.x0 + (index + 0.5) * self.step

    def y(self, value: float) -> float:
        return self.y1 - (value - self.low) / (self.high - self.low) * (self.y1 - self.y0)

    def hline(self, y: float, colour: str, width: float = 1, dash: str = "") -> str:
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        return (
            f'<line x1="{self.x0}" x2="{self.x1}" y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}" '
            f'stroke-width="{width}"{dashed}/>'
        )


def _axes(frame: _Frame, chart: dict[str, Any], periods: list[date]) -> list[str]:
    percent = chart["measure"]["chart_type"] in PERCENT_CHARTS
    parts = []
    ticks, decimals = _nice_ticks(frame.low, frame.high)
    if percent:
        decimals = max(0, decimals - 2)
    for tick in ticks:
        label = f"{tick * 100:.{decimals}f}%" if percent else f"{tick:,.{decimals}f}"
        parts.append(frame.hline(frame.y(tick), GRID))
        parts.append(_text(frame.x0 - 8, frame.y(tick) + 4, label, anchor="end"))
    every = max(1, math.ceil(len(periods) / ((frame.x1 - frame.x0) / 64)))
    for index in range(0, len(periods), every):
        x = frame.x(index)
        label = _period_label(periods[index], chart["measure"]["frequency"])
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{frame.y1}" y2="{frame.y1 + 5}" '
            f'stroke="{MUTED}"/>'
        )
        parts.append(_text(x, frame.y1 + 20, label, anchor="middle"))
    parts.append(frame.hline(frame.y1, MUTED))
    unit = chart["measure"]["unit"] or ("Proportion" if percent else "Value")
    middle = (frame.y0 + frame.y1) / 2
    parts.append(
        _text(
            18,
            middle,
            unit,
            size=12,
            anchor="middle",
            extra=f'transform="rotate(-90 18 {middle:.1f})"',
        )
    )
    parts.append(
        _text((frame.x0 + frame.x1) / 2, frame.y1 + 42, "Period", size=12, anchor="middle")
    )
    return parts


def _step_line(frame: _Frame, points: list[dict[str, Any]], key: str, style: str) -> list[str]:
    """A line per rebase group, stepping with each point's own value (limits of p and u
    charts vary with the denominator), with a gap where a point has none."""
    paths: list[list[str]] = []
    current: list[str] = []
    group = None
    for index, point in enumerate(points):
        value = point.get(key)
        if value is None or point["group"] != group:
            if current:
                paths.append(current)
            current, group = [], point["group"]
        if value is not None:
            y, left = frame.y(value), frame.x(index) - frame.step / 2
            move = "L" if current else "M"
            current.append(f"{move}{left:.1f},{y:.1f} L{left + frame.step:.1f},{y:.1f}")
    if current:
        paths.append(current)
    return [f'<path d="{" ".join(path)}" fill="none" {style}/>' for path in paths]


def _position(day: date, periods: list[date]) -> float | None:
    """Where a date falls on the period axis, between point positions."""
    if day < periods[0]:
        return None
    for index in range(len(periods) - 1):
        if periods[index] <= day < periods[index + 1]:
            span = (periods[index + 1] - periods[index]).days
            return index + (day - periods[index]).days / span
    last_span = (periods[-1] - periods[-2]).days if len(periods) > 1 else 30
    offset = (day - periods[-1]).days / last_span
    return len(periods) - 1 + offset if offset <= 1 else None


def _rebase_mark(frame: _Frame, annotation: dict[str, Any], periods: list[date]) -> str:
    x = frame.x(periods.index(date.fromisoformat(annotation["x"]))) - frame.step / 2
    return (
        f'<g class="rebase"><title>{escape(annotation["label"])}</title>'
        f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{frame.y0 - 8}" y2="{frame.y1}" stroke="{INK}" '
        f'stroke-width="1.5" stroke-dasharray="2 3"/>'
        f"{_text(x + 4, frame.y0 - 10, 'Rebased', fill=INK)}</g>"
    )


def _cycle_mark(
    frame: _Frame, annotation: dict[str, Any], where: float, row_ends: list[float]
) -> str:
    """A cycle's line and marker; a start is captioned "PDSA n" in the first row of
    captions (``row_ends``: where each row's last caption ends) it does not overlap."""
    x = frame.x(where)
    start = annotation["kind"] == "cycle_start"
    if start:
        marker = f"M{x:.1f},{frame.y1 - 10:.1f} l5,10 l-10,0 z"
        label = f"PDSA {annotation['cycle']['number']}"
        row = next((i for i, end in enumerate(row_ends) if x + 3 > end), None)
        if row is None:
            row_ends.append(0.0)
            row = len(row_ends) - 1
        # About 6 px a character at size 10, and a gap before the next caption.
        row_ends[row] = x + 3 + 6 * len(label) + 4
        # A white halo keeps the caption readable over the target and limit lines.
        halo = 'paint-order="stroke" stroke="#fff" stroke-width="3"'
        caption = _text(x + 3, frame.y0 + 12 + 12 * row, label, size=10, fill=PURPLE, extra=halo)
    else:
        marker, caption = f"M{x - 4:.1f},{frame.y1 - 8:.1f} h8 v8 h-8 z", ""
    return (
        f'<g class="cycle"><title>{escape(annotation["label"])}</title>'
        f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{frame.y0}" y2="{frame.y1}" stroke="{PURPLE}" '
        f'stroke-dasharray="1 4" opacity="0.7"/>'
        f'<path d="{marker}" fill="{PURPLE}" opacity="{1 if start else 0.55}"/>{caption}</g>'
    )


def _annotations(frame: _Frame, chart: dict[str, Any], periods: list[date]) -> list[str]:
    parts, row_ends = [], []
    placed = [
        (_position(date.fromisoformat(annotation["date"]), periods), annotation)
        for annotation in chart["annotations"]
    ]
    # Left to right, so that captions close together step down instead of overlapping.
    for where, annotation in sorted(placed, key=lambda item: item[0] or 0.0):
        if annotation["kind"] == "rebase":
            if annotation["x"] is not None:
                parts.append(_rebase_mark(frame, annotation, periods))
        elif where is not None:
            parts.append(_cycle_mark(frame, annotation, where, row_ends))
    return parts


def _legend(y: float, has_target: bool, has_cycles: bool) -> list[str]:
    items = [
        ("point", GREY, "Common cause"),
        ("point", BLUE, "Improvement"),
        ("point", ORANGE, "Concern"),
        ("point", PURPLE, "Neither"),
        ("line", INK, "Mean"),
        ("6 4", MUTED, "Process limits"),
    ]
    if has_target:
        items.append(("8 5", TARGET_RED, "Target"))
    if has_cycles:
        items.append(("cycle", PURPLE, "PDSA cycle"))
    parts, x = [], LEFT
    for kind, colour, label in items:
        if kind == "point":
            parts.append(f'<circle cx="{x + 6}" cy="{y - 4}" r="5" fill="{colour}"/>')
        elif kind == "cycle":
            parts.append(f'<path d="M{x + 6},{y - 9} l5,10 l-10,0 z" fill="{colour}"/>')
        else:
            dash = f' stroke-dasharray="{kind}"' if kind != "line" else ""
            parts.append(
                f'<line x1="{x}" x2="{x + 18}" y1="{y - 4}" y2="{y - 4}" '
                f'stroke="{colour}" stroke-width="2"{dash}/>'
            )
        parts.append(_text(x + 24, y, label))
        x += 24 + round(5.8 * len(label)) + 18
    return parts


def _icons(spc: dict[str, Any]) -> list[str]:
    colour, letter, title = VARIATION_BADGES[spc["variation_icon"]]
    right = WIDTH - RIGHT - 24
    assurance = spc.get("assurance_icon")
    parts = [_badge(right - 64 if assurance else right, 44, colour, letter, title, "Variation")]
    if assurance:
        colour, letter, title = ASSURANCE_BADGES[assurance]
        parts.append(_badge(right, 44, colour, letter, title, "Assurance"))
    return parts


def _points(
    frame: _Frame, measure: dict[str, Any], points: list[dict[str, Any]], periods: list[date]
) -> list[str]:
    percent = measure["chart_type"] in PERCENT_CHARTS
    line = " ".join(
        f"{'L' if i else 'M'}{frame.x(i):.1f},{frame.y(p['value']):.1f}"
        for i, p in enumerate(points)
    )
    parts = [f'<path d="{line}" fill="none" stroke="{GREY}" stroke-width="1.5"/>']
    for index, point in enumerate(points):
        about = f"{_period_label(periods[index], measure['frequency'])}: "
        about += _number(point["value"], percent)
        if point.get("signal"):
            kind = POINT_KIND_WORDS.get(point["point_type"], "a signal")
            about += f" ({kind}: {POINT_SIGNAL_WORDS[point['signal']]})"
        colour = POINT_COLOURS.get(point["point_type"], GREY)
        parts.append(
            f'<circle class="point" cx="{frame.x(index):.1f}" cy="{frame.y(point["value"]):.1f}" '
            f'r="4.5" fill="{colour}"><title>{escape(about)}</title></circle>'
        )
    return parts


def _warnings(warnings: list[str]) -> str:
    """The engine's warnings under the axis, cut to the chart's width (whole in the
    tooltip)."""
    full = " ".join(warnings)
    shown = full if len(full) <= WARNING_CHARS else full[: WARNING_CHARS - 1].rstrip() + "…"
    italic = 'font-style="italic"'
    return (
        f'<g class="warnings"><title>{escape(full)}</title>'
        f"{_text(LEFT, HEIGHT - 48, shown, extra=italic)}</g>"
    )


def render_chart_svg(chart: dict[str, Any]) -> str:
    """The SVG of a chart payload (``projects.selectors.measure_chart``); a measure that
    cannot be charted yet gets its title and the reason."""
    spc, measure = chart["spc"], chart["measure"]
    if not spc:
        reason = chart.get("reason") or "No chart yet."
        body = [*_header(chart), _text(WIDTH / 2, HEIGHT / 2, reason, size=16, anchor="middle")]
        return _document(chart, body, f"{measure['name']}: {reason}")
    points = spc["points"]
    periods = [date.fromisoformat(point["x"]) for point in points]
    target = measure["target"]
    frame = _Frame(points, [target] if target is not None else [])
    body = _header(chart)
    if spc.get("warnings"):
        body.append(_warnings(spc["warnings"]))
    body += _axes(frame, chart, periods)
    limits = f'stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="6 4"'
    body += _step_line(frame, points, "upper", limits)
    body += _step_line(frame, points, "lower", limits)
    body += _step_line(frame, points, "centre", f'stroke="{INK}" stroke-width="1.5"')
    if target is not None:
        label = f"Target {_number(target, measure['chart_type'] in PERCENT_CHARTS)}"
        body.append(frame.hline(frame.y(target), TARGET_RED, 2, "8 5"))
        body.append(
            _text(frame.x1 - 4, frame.y(target) - 6, label, size=12, fill=TARGET_RED, anchor="end")
        )
    body += _points(frame, measure, points, periods)
    body += _annotations(frame, chart, periods)
    body += _icons(spc)
    has_cycles = any(a["kind"] == "cycle_start" for a in chart["annotations"])
    body += _legend(HEIGHT - 24, target is not None, has_cycles)
    variation = VARIATION_BADGES[spc["variation_icon"]][2]
    assurance = ASSURANCE_BADGES.get(spc.get("assurance_icon") or "", ("", "", "No target"))[2]
    description = (
        f"{CHART_NAMES.get(measure['chart_type'], '')} of {measure['name']}: {len(points)} points "
        f"from {periods[0]:%b %Y} to {periods[-1]:%b %Y}. {variation}. {assurance}."
    )
    return _document(chart, body, description)


def variation_badge(spc: dict[str, Any] | None) -> dict[str, str] | None:
    """The variation icon of a chart's latest point (an SPC result or summary), as the
    chart draws it: colour, letter and words; None before there is a chart."""
    badge = VARIATION_BADGES.get((spc or {}).get("variation_icon"))
    if badge is None:
        return None
    colour, letter, text = badge
    return {"colour": colour, "letter": letter, "text": text}
