"""Golden tests: our engine against the peers' own outputs in shared/spc-cases, to 1e-9.

Lines are compared with an absolute tolerance of 1e-9; flags, point types, directions,
icons and Anhøj statistics exactly. See golden.py for how each peer run maps to our input.
"""

from __future__ import annotations

import math

import pytest

from projects.spc import CHARTS, analyse
from projects.spc.anhoej import crossings_min, longest_run_max

from .golden import GoldenRun, golden_runs, load_anhoej_table, missing_cases, ptd_signal

TOLERANCE = 1e-9

# Every NHSRplotthedots run; every qicharts2 run of a chart we draw (its `mr` chart of the
# moving ranges is not one); PowerBI-SPC's I chart, whose lines equal qicharts2's.
PTD_RUNS: dict[str, set[str] | None] = {"NHSRplotthedots": None}
QIC_RUNS: dict[str, set[str] | None] = {"qicharts2": {"i", *CHARTS} - {"xmr"}}
PBI_RUNS: dict[str, set[str] | None] = {"controlchartspy": {"i"}}


def close_to(ours: float | None, theirs: float | None) -> bool:
    if ours is None or theirs is None:
        return ours is None and theirs is None
    return math.isclose(ours, theirs, rel_tol=0.0, abs_tol=TOLERANCE)


def assert_lines(golden: GoldenRun, result: dict, names: dict[str, str]) -> None:
    for i, (ours, theirs) in enumerate(
        zip(result["points"], golden.expected["points"], strict=True)
    ):
        for our_name, their_name in names.items():
            assert close_to(ours[our_name], theirs[their_name]), (
                f"point {i} {our_name}: ours {ours[our_name]!r}, theirs {theirs[their_name]!r}"
            )


@pytest.mark.parametrize("golden", golden_runs(PTD_RUNS))
def test_xmr_matches_nhsrplotthedots(golden: GoldenRun | None) -> None:
    if golden is None:
        missing_cases()
    result = analyse(golden.document)
    expected = golden.expected
    assert_lines(
        golden,
        result,
        {
            "centre": "centre",
            "lower": "lower",
            "upper": "upper",
            "near_lower": "near_lower_derived",
            "near_upper": "near_upper_derived",
        },
    )
    for i, (ours, theirs) in enumerate(zip(result["points"], expected["points"], strict=True)):
        context = f"point {i}"
        assert ours["group"] == theirs["rebase_group"], context
        assert ours["signal"] == ptd_signal(theirs["special_cause_type"]), context
        assert ours["direction"] == theirs["direction"], context
        assert ours["point_type"] == theirs["point_type"], context
        assert ("astronomical" in ours["rules"]) == theirs["outside_limits"], context
        side = (ours["value"] > ours["centre"]) - (ours["value"] < ours["centre"])
        assert side == theirs["relative_to_mean"], context

    last = result["points"][-1]
    their_icon = expected["variation_icon_last_point"]
    if their_icon == "common_cause":
        assert result["variation_icon"] == "common_cause"
    else:
        kind = their_icon.removeprefix("special_cause_")
        assert result["variation_icon"] == f"{kind}_{'high' if last['direction'] > 0 else 'low'}"
    assert result["assurance_icon"] == expected["assurance_type"]

    short = [p["short_group_warning"] for p in expected["points"]]
    trial = [result["groups"][p["group"]]["trial_limits"] for p in result["points"]]
    assert trial == short
    has_trial_warning = any("trial values" in w for w in result["warnings"])
    assert has_trial_warning == bool(expected["warnings"])


@pytest.mark.parametrize("golden", golden_runs(QIC_RUNS))
def test_matches_qicharts2(golden: GoldenRun | None) -> None:
    if golden is None:
        missing_cases()
    result = analyse(golden.document)
    assert_lines(
        golden,
        result,
        {
            "centre": "centre",
            "lower": "lower",
            "upper": "upper",
            "near_lower": "lower_2sigma",
            "near_upper": "upper_2sigma",
        },
    )
    for i, (ours, theirs) in enumerate(
        zip(result["points"], golden.expected["points"], strict=True)
    ):
        assert ours["group"] == theirs["part"] - 1, f"point {i}"
        assert ("astronomical" in ours["rules"]) == theirs["sigma_signal"], f"point {i}"
        if theirs["sigma_signal"]:
            assert ours["direction"] == theirs["direction"], f"point {i}"
    assert_runs(result, golden.expected["parts"])


def assert_runs(result: dict, parts: list[dict]) -> None:
    assert len(result["groups"]) == len(parts)
    for group, part in zip(result["groups"], parts, strict=True):
        assert group["n"] == part["n_obs"]
        assert group["runs"] == {
            "n_useful": part["n_useful"],
            "longest_run": part["longest_run"],
            "longest_run_max": part["longest_run_max"],
            "crossings": part["n_crossings"],
            "crossings_min": part["n_crossings_min"],
            "signal": part["runs_signal"],
        }


@pytest.mark.parametrize("golden", golden_runs(PBI_RUNS))
def test_xmr_d2_lines_match_powerbi_spc(golden: GoldenRun | None) -> None:
    if golden is None:
        missing_cases()
    result = analyse(golden.document)
    assert_lines(
        golden,
        result,
        {
            "centre": "centre",
            "lower": "lower",
            "upper": "upper",
            "near_lower": "lower_2sigma",
            "near_upper": "upper_2sigma",
        },
    )


def test_anhoej_limits_match_the_table_for_1_to_100_points() -> None:
    table = load_anhoej_table()
    assert [row["n_useful"] for row in table] == list(range(1, 101))
    for row in table:
        n = row["n_useful"]
        assert longest_run_max(n) == row["longest_run_max"], f"n = {n}"
        assert crossings_min(n) == row["n_crossings_min"], f"n = {n}"


@pytest.mark.parametrize(
    ("n", "run_limit", "crossing_limit"),
    [(10, 6, 2), (20, 7, 6), (24, 8, 8), (30, 8, 10), (50, 9, 19), (100, 10, 41)],
)
def test_anhoej_limits_match_the_examples_in_spc_md(
    n: int, run_limit: int, crossing_limit: int
) -> None:
    assert (longest_run_max(n), crossings_min(n)) == (run_limit, crossing_limit)
