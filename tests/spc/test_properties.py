"""Invariants of the engine, checked on random series with hypothesis."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from projects.spc import analyse, analyse_many
from projects.spc.__main__ import run as run_command_line

from .oracle import LiteralLimits, literal_rules, literal_xmr_limits
from .strategies import any_documents, labels, xmr_documents

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LINES = ("centre", "lower", "upper", "near_lower", "near_upper")
SWAPPED_LINES = {
    "centre": "centre",
    "lower": "upper",
    "upper": "lower",
    "near_lower": "near_upper",
    "near_upper": "near_lower",
}


def group_bounds(result: dict[str, Any]) -> list[tuple[int, int]]:
    starts = [
        i
        for i, p in enumerate(result["points"])
        if i == 0 or p["group"] != result["points"][i - 1]["group"]
    ]
    return list(zip(starts, [*starts[1:], len(result["points"])], strict=True))


@FAST
@given(xmr_documents())
def test_rules_agree_with_a_literal_reading_of_spc_md(document: dict[str, Any]) -> None:
    result = analyse(document)
    options = document["options"]
    values = [p["y"] for p in document["points"]]
    lines = []
    for start, end in group_bounds(result):
        if document["chart"] == "run":
            centre = result["points"][start]["centre"]
            lines += [LiteralLimits(centre, None, None, None, None)] * (end - start)
            continue
        baseline = values[start:end][: options.get("fix_after_n_points") or None]
        expected = literal_xmr_limits(baseline, options["screen_outliers"])
        for point in result["points"][start:end]:
            for name in LINES:
                ours, theirs = point[name], getattr(expected, name if name != "centre" else "mean")
                assert (ours is None and theirs is None) or math.isclose(
                    ours, theirs, rel_tol=1e-12, abs_tol=1e-9
                )
        # Judge the rules on the engine's own lines, so an ulp of difference in a mean
        # cannot flip a tie; the lines were checked just above.
        lines += [
            LiteralLimits(p["centre"], p["lower"], p["upper"], p["near_lower"], p["near_upper"])
            for p in result["points"][start:end]
        ]
    expected_points = literal_rules(
        values,
        lines,
        [start for start, _ in group_bounds(result)],
        shift_points=options["shift_points"],
        trend_points=options["trend_points"],
        count_beyond=options["two_in_three_counts_beyond_limits"],
    )
    for i, (ours, theirs) in enumerate(zip(result["points"], expected_points, strict=True)):
        assert set(ours["rules"]) == theirs.rules, f"point {i}"
        assert ours["signal"] == theirs.signal, f"point {i}"
        assert ours["direction"] == theirs.direction, f"point {i}"


@FAST
@given(xmr_documents(min_size=4))
def test_no_rule_window_crosses_a_rebase(document: dict[str, Any]) -> None:
    result = analyse(document)
    bounds = group_bounds(result)
    assume(all(end - start >= 2 for start, end in bounds))
    for group, (start, end) in enumerate(bounds):
        alone = copy.deepcopy(document)
        alone["points"] = document["points"][start:end]
        alone["options"]["rebase_at"] = []
        separate = analyse(alone)
        for ours, theirs in zip(result["points"][start:end], separate["points"], strict=True):
            assert ours["group"] == group
            assert {**ours, "group": 0} == theirs
        assert result["groups"][group]["runs"] == separate["groups"][0]["runs"]


@FAST
@given(
    chart=st.sampled_from(["xmr", "run", "p", "pp", "u", "up", "c", "g", "t"]),
    value=st.floats(0.01, 1000, allow_nan=False),
    count=st.integers(2, 40),
    direction=st.sampled_from(["increase", "decrease", "neutral"]),
)
def test_a_constant_series_has_no_signals(
    chart: str, value: float, count: int, direction: str
) -> None:
    if chart in ("p", "pp", "u", "up"):
        y, n = float(math.floor(value)), 1000.0  # whole counts: the rate is exact
        points = [{"x": x, "y": y, "n": n} for x in labels(count)]
    else:
        points = [{"x": x, "y": value} for x in labels(count)]
    result = analyse(
        {"chart": chart, "points": points, "options": {"improvement_direction": direction}}
    )
    assert all(p["rules"] == [] and p["point_type"] == "common_cause" for p in result["points"])
    assert result["variation_icon"] == "common_cause"
    assert not any(group["runs"]["signal"] for group in result["groups"])


def no_near_ties(result: dict[str, Any]) -> bool:
    """No value within rounding distance of a limit, where an ulp could flip a verdict."""
    for point in result["points"]:
        for name in ("lower", "upper", "near_lower", "near_upper"):
            if point[name] is not None and abs(point["value"] - point[name]) < 1e-7:
                return False
    return True


@FAST
@given(xmr_documents(), st.integers(-1000, 1000))
def test_adding_k_moves_the_lines_by_k_and_changes_no_signal(
    document: dict[str, Any], k: int
) -> None:
    before = analyse(document)
    assume(no_near_ties(before))
    moved = copy.deepcopy(document)
    for point in moved["points"]:
        point["y"] += k
    if moved["options"].get("target") is not None:
        moved["options"]["target"] += k
    after = analyse(moved)
    for old, new in zip(before["points"], after["points"], strict=True):
        for name in LINES:
            assert (old[name] is None and new[name] is None) or math.isclose(
                new[name], old[name] + k, abs_tol=1e-9
            )
        for name in ("rules", "signal", "direction", "point_type"):
            assert new[name] == old[name]
    assert after["groups"] == before["groups"]
    assert after["variation_icon"] == before["variation_icon"]
    assert after["assurance_icon"] == before["assurance_icon"]


def mirrored_type(point_type: str) -> str:
    swap = {"special_cause_neutral_high": "special_cause_neutral_low"}
    swap |= {low: high for high, low in swap.items()}
    return swap.get(point_type, point_type)


@FAST
@given(xmr_documents())
def test_mirroring_a_series_swaps_high_and_low(document: dict[str, Any]) -> None:
    before = analyse(document)
    mirror = copy.deepcopy(document)
    for point in mirror["points"]:
        point["y"] = -point["y"]
    options = mirror["options"]
    options["improvement_direction"] = {"increase": "decrease", "decrease": "increase"}.get(
        options["improvement_direction"], "neutral"
    )
    if options.get("target") is not None:
        options["target"] = -options["target"]
    after = analyse(mirror)
    for old, new in zip(before["points"], after["points"], strict=True):
        for name, other in SWAPPED_LINES.items():
            assert (old[other] is None and new[name] is None) or math.isclose(
                new[name], -old[other], abs_tol=1e-12
            )
        assert new["rules"] == old["rules"] and new["signal"] == old["signal"]
        assert new["direction"] == -old["direction"]
        assert new["point_type"] == mirrored_type(old["point_type"])
    high_low = {"high": "low", "low": "high"}
    kind, _, side = before["variation_icon"].rpartition("_")
    expected_icon = f"{kind}_{high_low[side]}" if side in high_low else before["variation_icon"]
    assert after["variation_icon"] == expected_icon
    assert after["assurance_icon"] == before["assurance_icon"]
    assert after["groups"] == before["groups"]


@FAST
@given(st.lists(any_documents(), min_size=1, max_size=6))
def test_batched_results_equal_one_at_a_time_and_the_command_line(
    documents: list[dict[str, Any]],
) -> None:
    one_at_a_time = [analyse(document) for document in documents]
    assert analyse_many(documents) == one_at_a_time
    assert json.loads(run_command_line(json.dumps(documents).encode())) == one_at_a_time
