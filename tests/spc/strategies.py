"""Hypothesis strategies for SPC input documents."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Small whole numbers make ties, points on the mean and flat stretches common, which is
# where window rules go wrong; a band just beyond them lands near the limits (for the
# two-in-three rule), and an occasional large value is astronomical.
VALUES = st.one_of(
    st.integers(0, 8),
    st.integers(0, 8),
    st.integers(0, 8),
    st.integers(-7, 15),
    st.sampled_from([-40, 60]),
)
DIRECTIONS = st.sampled_from(["increase", "decrease", "neutral"])


def labels(count: int) -> list[str]:
    return [f"2020-{i:04d}" for i in range(count)]


@st.composite
def xmr_documents(draw: st.DrawFn, min_size: int = 2, max_size: int = 40) -> dict[str, Any]:
    """XmR (or run) documents with random rebases and options."""
    values = draw(st.lists(VALUES, min_size=min_size, max_size=max_size))
    x = labels(len(values))
    rebase = draw(st.lists(st.integers(1, len(values) - 1), max_size=3, unique=True))
    options: dict[str, Any] = {
        "improvement_direction": draw(DIRECTIONS),
        "screen_outliers": draw(st.booleans()),
        "shift_points": draw(st.integers(5, 8)),
        "trend_points": draw(st.integers(5, 8)),
        "two_in_three_counts_beyond_limits": draw(st.booleans()),
        "rebase_at": [x[i] for i in rebase],
    }
    if draw(st.booleans()):
        options["target"] = draw(st.integers(-5, 15))
    if len(values) >= 12 and draw(st.booleans()):
        options["fix_after_n_points"] = draw(st.integers(12, len(values)))
    chart = draw(st.sampled_from(["xmr", "xmr", "run"]))
    points = [{"x": a, "y": float(b)} for a, b in zip(x, values, strict=True)]
    return {"chart": chart, "points": points, "options": options}


@st.composite
def any_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Documents of every chart type, valid by construction."""
    chart = draw(st.sampled_from(["xmr", "run", "p", "pp", "u", "up", "c", "g", "t"]))
    if chart in ("xmr", "run"):
        document = draw(xmr_documents())
        document["chart"] = chart
        return document
    size = draw(st.integers(2, 30))
    x = labels(size)
    n = draw(st.lists(st.integers(1, 200), min_size=size, max_size=size))
    if chart in ("p", "pp"):
        y = [draw(st.integers(0, denominator)) for denominator in n]
    else:
        y = draw(st.lists(st.integers(0, 50), min_size=size, max_size=size))
    if chart in ("p", "pp", "u", "up"):
        points = [{"x": a, "y": b, "n": c} for a, b, c in zip(x, y, n, strict=True)]
    else:
        points = [{"x": a, "y": b} for a, b in zip(x, y, strict=True)]
    rebase = draw(st.lists(st.integers(1, size - 1), max_size=2, unique=True))
    options = {
        "improvement_direction": draw(DIRECTIONS),
        "rebase_at": [x[i] for i in rebase],
        "target": draw(st.none() | st.integers(0, 40)),
    }
    return {"chart": chart, "points": points, "options": options}
