"""Lines of the charts the reference cases do not cover, worked from SPC.md's table."""

from __future__ import annotations

import itertools
import math
import statistics
from typing import Any

import pytest

from projects.spc import analyse

COUNTS = [3, 5, 2, 4, 6, 3, 4, 5, 2, 3, 4, 7, 3, 4]
DENOMINATORS = [40, 55, 30, 48, 60, 35, 50, 52, 28, 33, 45, 61, 39, 44]


def points(y: list[float], n: list[float] | None = None) -> list[dict[str, Any]]:
    if n is None:
        return [{"x": f"m{i:02d}", "y": v} for i, v in enumerate(y)]
    return [{"x": f"m{i:02d}", "y": v, "n": d} for i, (v, d) in enumerate(zip(y, n, strict=True))]


def lines(point: dict[str, Any]) -> tuple[float, ...]:
    return tuple(point[k] for k in ("centre", "lower", "upper", "near_lower", "near_upper"))


def test_c_chart() -> None:
    result = analyse({"chart": "c", "points": points(COUNTS)})
    c = statistics.fmean(COUNTS)
    sigma = math.sqrt(c)
    expected = (c, max(0.0, c - 3 * sigma), c + 3 * sigma, max(0.0, c - 2 * sigma), c + 2 * sigma)
    for point in result["points"]:
        assert lines(point) == pytest.approx(expected)


def test_u_chart_has_limits_that_vary_with_n() -> None:
    result = analyse({"chart": "u", "points": points(COUNTS, DENOMINATORS)})
    u = sum(COUNTS) / sum(DENOMINATORS)
    for point, y, n in zip(result["points"], COUNTS, DENOMINATORS, strict=True):
        sigma = math.sqrt(u / n)
        assert point["value"] == pytest.approx(y / n)
        assert lines(point) == pytest.approx(
            (u, max(0.0, u - 3 * sigma), u + 3 * sigma, max(0.0, u - 2 * sigma), u + 2 * sigma)
        )


def laney_sigma_z(values: list[float], centre: float, sigmas: list[float]) -> float:
    z = [(v - centre) / s for v, s in zip(values, sigmas, strict=True)]
    ranges = [abs(b - a) for a, b in itertools.pairwise(z)]
    mr_bar = statistics.fmean(ranges)
    kept = [r for r in ranges if r < 3.267 * mr_bar]
    return statistics.fmean(kept) / 1.128


def test_laney_u_prime_chart() -> None:
    result = analyse({"chart": "up", "points": points(COUNTS, DENOMINATORS)})
    u = sum(COUNTS) / sum(DENOMINATORS)
    sigmas = [math.sqrt(u / n) for n in DENOMINATORS]
    values = [y / n for y, n in zip(COUNTS, DENOMINATORS, strict=True)]
    sigma_z = laney_sigma_z(values, u, sigmas)
    for point, sigma in zip(result["points"], sigmas, strict=True):
        assert point["upper"] == pytest.approx(u + 3 * sigma * sigma_z)
        assert point["near_lower"] == pytest.approx(max(0.0, u - 2 * sigma * sigma_z))


def test_p_chart_limits_are_clipped_to_0_and_1() -> None:
    result = analyse({"chart": "p", "points": points([0, 1, 0, 2, 1, 0], [5] * 6)})
    assert all(p["lower"] == 0.0 for p in result["points"])
    result = analyse({"chart": "p", "points": points([5, 4, 5, 5, 3, 5], [5] * 6)})
    assert all(p["upper"] == 1.0 for p in result["points"])


def test_g_chart_draws_the_median_with_limits_from_the_mean() -> None:
    gaps = [12, 3, 40, 7, 22, 1, 15, 9, 30, 5, 18, 2, 26]
    result = analyse({"chart": "g", "points": points(gaps)})
    mean = statistics.fmean(gaps)
    sigma = math.sqrt(mean * (mean + 1))
    point = result["points"][0]
    assert point["centre"] == statistics.median(gaps)
    assert point["upper"] == pytest.approx(mean + 3 * sigma)
    assert point["near_upper"] == pytest.approx(mean + 2 * sigma)
    assert point["lower"] == 0.0
    # Sides, and so the runs analysis, are judged against the median that is drawn.
    assert result["groups"][0]["runs"]["n_useful"] == len(gaps) - 1


def test_t_chart_is_an_xmr_chart_of_transformed_times() -> None:
    times = [5.0, 12.0, 3.5, 8.0, 20.0, 6.0, 9.5, 14.0, 4.0, 11.0, 7.5, 16.0, 10.0]
    result = analyse({"chart": "t", "points": points(times)})
    transformed = [t ** (1 / 3.6) for t in times]
    mean = statistics.fmean(transformed)
    ranges = [abs(b - a) for a, b in itertools.pairwise(transformed)]
    mr_bar = statistics.fmean(ranges)
    mr_bar = statistics.fmean([r for r in ranges if r < 3.267 * mr_bar])
    point = result["points"][0]
    assert point["value"] == 5.0
    assert point["centre"] == pytest.approx(mean**3.6)
    assert point["upper"] == pytest.approx((mean + 2.66 * mr_bar) ** 3.6)
    assert point["lower"] == pytest.approx(max(0.0, mean - 2.66 * mr_bar) ** 3.6)
    d2 = analyse({"chart": "t", "points": points(times), "options": {"xmr_limits": "d2"}})
    assert d2["points"][0]["upper"] == pytest.approx((mean + 3 / 1.128 * mr_bar) ** 3.6)


def test_run_chart_has_a_median_and_no_limits() -> None:
    values = [3.0, 8.0, 5.0, 1.0, 9.0, 4.0, 7.0, 2.0, 6.0, 5.0]
    result = analyse({"chart": "run", "points": points(values)})
    point = result["points"][0]
    assert point["centre"] == 5.0
    assert point["lower"] is None and point["near_upper"] is None
    assert result["assurance_icon"] is None
    # Two points sit on the median and are not useful for the runs analysis.
    assert result["groups"][0]["runs"]["n_useful"] == 8


def test_run_chart_applies_shift_and_trend_around_the_median() -> None:
    values = [1.0, 2.0, 1.5, 1.2, 1.8, 1.1, 1.4, 9.0, 8.0, 9.5, 8.5, 9.2, 8.8, 9.1]
    result = analyse({"chart": "run", "points": points(values)})
    assert {p["signal"] for p in result["points"]} == {"shift"}
    assert result["groups"][0]["runs"]["signal"] is True


def test_fixed_baseline_freezes_the_centre_of_an_attribute_chart() -> None:
    y = [*COUNTS, 20, 22, 25]
    n = [*DENOMINATORS, 50, 50, 50]
    result = analyse({"chart": "p", "points": points(y, n), "options": {"fix_after_n_points": 12}})
    expected = sum(COUNTS[:12]) / sum(DENOMINATORS[:12])
    assert result["points"][-1]["centre"] == pytest.approx(expected)
    assert result["groups"][0]["baseline_n"] == 12
    assert result["points"][-1]["signal"] == "astronomical"
