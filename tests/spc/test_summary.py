"""The stored summary of an SPC analysis (``projects.spc_summary``), computed on the
engine's columnar result, says exactly what a point-by-point reading of the engine's full
result says, for every chart type, option and rebase."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.models import Measure
from projects.spc import analyse, analyse_batches, parse_document
from projects.spc_summary import Summary, summarise
from tests.projects.reading_oracle import summary_of_result
from tests.spc.strategies import any_documents

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def as_stored(summary: Summary) -> dict[str, Any]:
    """The summary as a reading stores it (dates as dates, no value as "")."""
    return {
        "points": summary.points,
        "latest_period": date.fromisoformat(summary.latest_period),
        "latest_value": summary.latest_value,
        "point_type": summary.point_type or "",
        "signal": summary.signal or "",
        "variation_icon": summary.variation_icon or "",
        "assurance_icon": summary.assurance_icon or "",
        "meets_target": summary.meets_target,
        "signal_period": date.fromisoformat(summary.signal_period)
        if summary.signal_period
        else None,
        "signal_type": summary.signal_type or "",
        "reason": summary.reason or "",
        "win": summary.win,
        "evidence": summary.evidence,
    }


def _labelled(document: dict[str, Any]) -> dict[str, Any]:
    # Readings label points with ISO periods, as measures do.
    labels = {
        point["x"]: f"{2000 + i // 12}-{i % 12 + 1:02d}-01"
        for i, point in enumerate(document["points"])
    }
    options = dict(document.get("options") or {})
    options["rebase_at"] = [labels[x] for x in options.get("rebase_at", [])]
    points = [{**point, "x": labels[point["x"]]} for point in document["points"]]
    return {**document, "points": points, "options": options}


@st.composite
def changed_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Series that change level (and sometimes drift) part-way, often rebased near the
    change: where shifts, trends and two-in-three runs meet group boundaries."""
    size = draw(st.integers(10, 40))
    noise = draw(st.lists(st.integers(3, 7), min_size=size, max_size=size))
    at = draw(st.integers(1, size - 1))
    step = draw(st.sampled_from([-6, -3, -2, 2, 3, 6]))
    drift = draw(st.sampled_from([0, 0, 1, -1]))
    values = [value + (step + drift * (i - at) if i >= at else 0) for i, value in enumerate(noise)]
    x = [f"2020-{i:04d}" for i in range(size)]
    rebase = draw(
        st.lists(st.sampled_from(sorted({at, max(1, at - 1), min(size - 1, at + 1)})), max_size=2)
    )
    options: dict[str, Any] = {
        "improvement_direction": draw(st.sampled_from(["increase", "decrease", "neutral"])),
        "rebase_at": sorted({x[i] for i in rebase}),
        "target": draw(st.none() | st.integers(0, 12)),
    }
    chart = draw(st.sampled_from(["xmr", "xmr", "run", "c"]))
    if chart == "c":
        values = [max(0, value) for value in values]
    points = [{"x": a, "y": float(b)} for a, b in zip(x, values, strict=True)]
    return {"chart": chart, "points": points, "options": options}


@FAST
@given(st.lists(any_documents() | changed_documents(), min_size=1, max_size=6))
def test_the_columnar_summary_equals_a_point_by_point_reading(documents):
    documents = [_labelled(document) for document in documents]
    directions = [
        (document.get("options") or {}).get("improvement_direction", "neutral")
        for document in documents
    ]
    summaries: dict[int, Summary] = {}
    series = [parse_document(document) for document in documents]
    for indices, batch in analyse_batches(series):
        chosen = [directions[index] for index in indices]
        summaries.update(zip(indices, summarise(batch, chosen), strict=True))

    for index, document in enumerate(documents):
        options = document.get("options") or {}
        measure = Measure(improvement_direction=directions[index], target=options.get("target"))
        expected = summary_of_result(analyse(document), measure)
        assert as_stored(summaries[index]) == expected, index


def test_a_win_counts_its_run_within_the_latest_rebase_group_only():
    # A rising trend ends the first group and another runs through the second, rebased.
    first, second = [5, 5, 5, 5, 5, 1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14]
    values = [*first, *second]
    document = _labelled(
        {
            "chart": "xmr",
            "points": [{"x": str(i), "y": float(v)} for i, v in enumerate(values)],
            "options": {"improvement_direction": "increase", "rebase_at": ["12"]},
        }
    )
    [(_, batch)] = list(analyse_batches([parse_document(document)]))
    [summary] = summarise(batch, ["increase"])

    assert summary.win["rule"] == "trend"
    assert summary.win["run_length"] == 7
    assert (
        summary.win
        == summary_of_result(analyse(document), Measure(improvement_direction="increase"))["win"]
    )
