"""What a chart says, in plain words, for the chart page and the board.

Read from a chart payload (``projects.selectors.measure_chart``): what the icons mean,
the latest signal and since when, whether the target will be met consistently, and when
the limits were recalculated and why. Claims follow the SPC rules: a shift or a trend is
a sustained change; two of three points near a limit is an early sign; one point beyond
a limit is one unusual result.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from projects.chart_svg import ASSURANCE_BADGES, PERCENT_CHARTS, VARIATION_BADGES

RULE_WORDS = {
    "shift": "a run of points on one side of the average (a shift)",
    "trend": "points rising or falling in a row (a trend)",
    "two_in_three": "two of three points close to or beyond a limit",
    "astronomical": "a point beyond the process limits",
}
STRENGTH = {
    "shift": "a sustained change",
    "trend": "a sustained change",
    "two_in_three": "an early sign of change (keep watching)",
    "astronomical": "one unusual result, not yet a sustained change",
}
KIND_WORDS = {
    "special_cause_improvement": "improvement",
    "special_cause_concern": "concern",
    "special_cause_neutral_high": "change (neither better nor worse: higher)",
    "special_cause_neutral_low": "change (neither better nor worse: lower)",
}


def period_words(iso: str, frequency: str) -> str:
    """A period as people say it: "March 2025", "Q1 2025", "3 Mar 2025"."""
    day = date.fromisoformat(iso)
    if frequency == "quarterly":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    if frequency == "monthly":
        return day.strftime("%B %Y")
    return f"{day.day} {day:%b %Y}"


def value_words(value: float | None, chart_type: str, unit: str = "") -> str:
    """A plotted value as people read it: a percentage for p charts, else the number."""
    if value is None:
        return "no value"
    if chart_type in PERCENT_CHARTS:
        return f"{value * 100:.1f}%"
    text = f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:.3g}"
    return f"{text} {unit}".strip()


STRONGEST_FIRST = ("shift", "trend", "two_in_three", "astronomical")


def strongest_rule(point: dict[str, Any]) -> str | None:
    """The rule of a point's rules that supports the strongest claim: a shift or a trend
    (sustained) before two-in-three (early) before one point beyond a limit."""
    rules = point.get("rules") or ([point["signal"]] if point.get("signal") else [])
    return next((rule for rule in STRONGEST_FIRST if rule in rules), None)


def _signal_run(points: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The latest special-cause point and where its run of that kind began."""
    last = next((p for p in reversed(points) if p["point_type"] != "common_cause"), None)
    if last is None:
        return None
    index = points.index(last)
    first = last
    for point in reversed(points[:index]):
        if point["point_type"] != last["point_type"] or point["group"] != last["group"]:
            break
        first = point
    return first, last


def latest_signal(chart: dict[str, Any]) -> str:
    """The latest signal and since when, worded by the strength of its rule."""
    spc, measure = chart["spc"], chart["measure"]
    run = _signal_run(spc["points"])
    frequency = measure["frequency"]
    if run is None:
        return (
            "No signal: every point is within the range expected by chance (common-cause "
            "variation). Nothing has changed the process yet."
        )
    first, last = run
    kind = KIND_WORDS[last["point_type"]]
    rule = strongest_rule(last) or "shift"
    since = period_words(first["x"], frequency)
    latest = spc["points"][-1]
    if latest is last:
        when = f"since {since}, up to the latest point" if first is not last else f"in {since}"
    elif first is last:
        when = f"in {since}"
    else:
        when = f"from {since} to {period_words(last['x'], frequency)}"
    return (
        f"Special-cause {kind} {when}: {RULE_WORDS.get(rule, rule)}. "
        f"By the SPC rules that is {STRENGTH.get(rule, 'a signal')}."
    )


def target_words(chart: dict[str, Any]) -> str:
    """Whether the target will be met consistently (the assurance icon, in words)."""
    spc, measure = chart["spc"], chart["measure"]
    target = measure["target"]
    if target is None:
        return "No target is set, so there is no assurance icon."
    shown = value_words(target, measure["chart_type"], measure["unit"])
    assurance = spc.get("assurance_icon")
    if assurance == "consistent_pass":
        return (
            f"The target of {shown} will be met consistently: the process limits lie "
            "wholly on its better side."
        )
    if assurance == "consistent_fail":
        return (
            f"The target of {shown} will not be met unless the process changes: the process "
            "limits lie wholly on its worse side."
        )
    if assurance == "inconsistent":
        return (
            f"The target of {shown} will be met in some periods and missed in others (hit "
            "and miss): it lies within the process limits."
        )
    return f"The target is {shown}; the measure has no improvement direction, so no assurance."


def rebase_words(chart: dict[str, Any]) -> list[str]:
    """When the limits were recalculated, and why (each rebase in effect)."""
    frequency = chart["measure"]["frequency"]
    return [
        f"Limits recalculated from {period_words(a['x'], frequency)}: {a['rebase']['reason']}"
        + (
            f" (decided by {a['rebase']['decided_by']['name']})."
            if a["rebase"]["decided_by"]
            else "."
        )
        for a in chart["annotations"]
        if a["kind"] == "rebase" and a["x"] is not None
    ]


def icon_meanings(chart: dict[str, Any]) -> list[str]:
    """What the two icons on this chart mean."""
    spc = chart["spc"]
    words = [f"Variation icon: {VARIATION_BADGES[spc['variation_icon']][2]}."]
    assurance = ASSURANCE_BADGES.get(spc.get("assurance_icon") or "")
    if assurance:
        words.append(f"{assurance[2]}.")
    return words


def chart_words(chart: dict[str, Any]) -> dict[str, Any]:
    """Everything the chart page says about a chart in words: ``headline`` (one
    sentence, for the board), ``signal``, ``target``, ``icons``, ``rebases`` and the
    engine's ``warnings`` (trial limits); for a measure without a chart, the reason."""
    spc, measure = chart["spc"], chart["measure"]
    if not spc:
        reason = chart.get("reason") or "No chart yet."
        return {
            "headline": reason,
            "signal": reason,
            "target": "",
            "icons": [],
            "rebases": [],
            "warnings": [],
        }
    latest = spc["points"][-1]
    value = value_words(latest["value"], measure["chart_type"], measure["unit"])
    headline = (
        f"{measure['name']} was {value} in {period_words(latest['x'], measure['frequency'])}. "
        f"{latest_signal(chart).split(':')[0]}."
    )
    return {
        "headline": headline,
        "signal": latest_signal(chart),
        "target": target_words(chart),
        "icons": icon_meanings(chart),
        "rebases": rebase_words(chart),
        "warnings": list(spc.get("warnings") or []),
    }
