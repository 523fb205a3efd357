"""Each MDC rule and option on small series whose limits are easy to work out by hand.

Most tests use a fixed baseline of 12 points alternating +1 / -1: mean 0, every moving
range 2, so MRbar = 2, limits ±5.32 and near lines ±3.5467. What follows the baseline is
judged against those lines.
"""

from __future__ import annotations

from typing import Any

import pytest

from projects.spc import analyse

BASELINE = [1.0, -1.0] * 6


def xmr(values: list[float], **options: Any) -> dict[str, Any]:
    points = [{"x": f"p{i:02d}", "y": v} for i, v in enumerate(values)]
    options.setdefault("fix_after_n_points", 12)
    return analyse({"chart": "xmr", "points": points, "options": options})


def after_baseline(result: dict[str, Any], key: str) -> list[Any]:
    return [point[key] for point in result["points"][12:]]


def test_fixed_baseline_gives_the_hand_worked_limits() -> None:
    point = xmr([*BASELINE, 0.0])["points"][-1]
    assert point["centre"] == 0.0
    assert point["upper"] == pytest.approx(5.32)
    assert point["lower"] == pytest.approx(-5.32)
    assert point["near_upper"] == pytest.approx(2 / 3 * 5.32)


def test_a_point_equal_to_a_limit_is_inside() -> None:
    limit = xmr([*BASELINE, 0.0])["points"][-1]["upper"]
    result = xmr([*BASELINE, -1.0, limit, -1.0])
    assert "astronomical" not in result["points"][13]["rules"]


def test_astronomical_flags_a_point_beyond_a_limit() -> None:
    result = xmr([*BASELINE, -1.0, 6.0, -1.0], improvement_direction="decrease")
    point = result["points"][13]
    assert point["signal"] == "astronomical" and point["direction"] == 1
    assert point["point_type"] == "special_cause_concern"


def test_two_in_three_flags_only_the_close_points() -> None:
    result = xmr([*BASELINE, -1.0, 4.0, 1.0, 4.0, -1.0])
    assert after_baseline(result, "rules") == [[], ["two_in_three"], [], ["two_in_three"], []]
    assert after_baseline(result, "direction") == [0, 1, 0, 1, 0]


def test_two_in_three_needs_all_three_points_on_one_side() -> None:
    on_the_mean = xmr([*BASELINE, -1.0, 4.0, 0.0, 4.0, -1.0])
    across = xmr([*BASELINE, -1.0, 4.0, -0.5, 4.0, -1.0])
    assert after_baseline(on_the_mean, "rules") == [[]] * 5
    assert after_baseline(across, "rules") == [[]] * 5


def test_two_in_three_counts_points_beyond_the_limits_unless_told_not_to() -> None:
    values = [*BASELINE, -1.0, 0.5, 4.0, 6.0, -1.0]
    counted = xmr(values)
    assert after_baseline(counted, "rules") == [
        [],
        [],
        ["two_in_three"],
        ["astronomical", "two_in_three"],
        [],
    ]
    assert after_baseline(counted, "signal") == [None, None, "two_in_three", "astronomical", None]
    not_counted = xmr(values, two_in_three_counts_beyond_limits=False)
    assert after_baseline(not_counted, "rules") == [[], [], [], ["astronomical"], []]


def test_shift_flags_every_point_of_the_run_and_a_point_on_the_mean_breaks_it() -> None:
    six_then_mean = xmr([*BASELINE, 1, 1, 1, 1, 1, 1, 0, 1, -1])
    assert after_baseline(six_then_mean, "rules") == [[]] * 9
    seven = xmr([*BASELINE, 1, 1, 1, 1, 1, 1, 1, -1])
    assert after_baseline(seven, "rules") == [["shift"]] * 7 + [[]]
    assert after_baseline(seven, "direction") == [1] * 7 + [0]


def test_shift_points_option_changes_the_window() -> None:
    result = xmr([*BASELINE, 1, 1, 1, 1, 1, -1], shift_points=5)
    assert after_baseline(result, "signal") == ["shift"] * 5 + [None]


def test_trend_is_broken_by_a_tie() -> None:
    rising = [-3.0, -2.0, -1.0, 0.5, 1.0, 2.0, 3.0]
    flagged = xmr([*BASELINE, *rising, -1.0])
    assert after_baseline(flagged, "rules") == [["trend"]] * 7 + [[]]
    tied = xmr([*BASELINE, -3.0, -2.0, -1.0, -1.0, 1.0, 2.0, 3.0, -1.0])
    assert after_baseline(tied, "rules") == [[]] * 8


def test_trend_direction_follows_spc_md_at_a_peak() -> None:
    # Seven points up to a peak, then seven down: the peak's next point is in a trend
    # too, so its direction is the step to the next point (down).
    up = [-3.0, -2.0, -1.0, 0.25, 1.0, 2.0, 3.0]
    result = xmr([*BASELINE, *up, 2.0, 1.0, 0.5, -1.0, -2.0, -3.0], trend_points=7)
    directions = after_baseline(result, "direction")
    assert directions[:6] == [1] * 6
    assert directions[6] == -1  # the peak
    assert directions[7:] == [-1] * 6


def test_precedence_picks_astronomical_over_trend_and_shift() -> None:
    result = xmr([*BASELINE, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 9.0])
    last = result["points"][-1]
    assert last["rules"] == ["astronomical", "trend", "shift"]
    assert last["signal"] == "astronomical"


def test_neutral_direction_gives_neutral_point_types_and_icons() -> None:
    result = xmr([*BASELINE, -1.0, -6.0])
    assert result["points"][-1]["point_type"] == "special_cause_neutral_low"
    assert result["variation_icon"] == "neutral_low"


@pytest.mark.parametrize(
    ("direction", "target", "icon"),
    [
        ("increase", -6.0, "consistent_pass"),
        ("increase", 6.0, "consistent_fail"),
        ("increase", 5.32, "inconsistent"),
        ("decrease", 6.0, "consistent_pass"),
        ("decrease", -6.0, "consistent_fail"),
        ("neutral", 6.0, None),
        ("increase", None, None),
    ],
)
def test_assurance_icon(direction: str, target: float | None, icon: str | None) -> None:
    values = [*BASELINE, 0.0]
    limit = xmr(values)["points"][-1]["upper"]
    target = limit if target == 5.32 else target
    result = xmr(values, improvement_direction=direction, target=target)
    assert result["assurance_icon"] == icon


def test_variation_icon_reads_the_last_point() -> None:
    result = xmr([*BASELINE, 9.0, 0.0], improvement_direction="increase")
    assert result["points"][-2]["point_type"] == "special_cause_improvement"
    assert result["variation_icon"] == "common_cause"
    result = xmr([*BASELINE, 0.0, -9.0], improvement_direction="increase")
    assert result["variation_icon"] == "concern_low"


def test_screening_drops_moving_ranges_at_or_above_3_267_mrbar() -> None:
    values = [1.0, -1.0] * 6 + [30.0] + [1.0, -1.0] * 6
    screened = xmr(values, fix_after_n_points=None)
    unscreened = xmr(values, fix_after_n_points=None, screen_outliers=False)
    assert screened["points"][0]["upper"] - screened["points"][0]["centre"] == pytest.approx(5.32)
    assert unscreened["points"][0]["upper"] > screened["points"][0]["upper"]


def test_rebase_starts_new_limits_and_groups() -> None:
    values = [1.0, -1.0] * 7 + [11.0, 9.0] * 7
    points = [{"x": f"p{i:02d}", "y": v} for i, v in enumerate(values)]
    result = analyse({"chart": "xmr", "points": points, "options": {"rebase_at": ["p14"]}})
    assert [g["start"] for g in result["groups"]] == ["p00", "p14"]
    assert result["points"][20]["centre"] == 10.0
    assert result["points"][20]["group"] == 1
    assert all(p["rules"] == [] for p in result["points"])


def test_short_groups_carry_trial_limit_and_rule_warnings() -> None:
    points = [{"x": f"p{i}", "y": float(i % 3)} for i in range(5)]
    result = analyse({"chart": "xmr", "points": points})
    assert result["groups"][0]["trial_limits"] is True
    assert any("trial values" in w for w in result["warnings"])
    assert any(
        "too few for the shift rule (7 points) and the trend rule" in w for w in result["warnings"]
    )


def test_a_single_point_group_has_no_limits() -> None:
    points = [{"x": f"p{i}", "y": float(i % 3)} for i in range(14)]
    result = analyse({"chart": "xmr", "points": points, "options": {"rebase_at": ["p13"]}})
    last = result["points"][-1]
    assert last["lower"] is None and last["upper"] is None and last["centre"] == 1.0
    assert any("single point" in w for w in result["warnings"])
