"""Special-cause improvement since a change started: the one rule spread, the progress
score and the "change adopted" celebration read (SPC.md: a single good month is not a win)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from projects.models import Measure
from projects.selectors import (
    ImprovementSignal,
    improvement_since,
    measure_reading_get,
    measure_spc,
)
from tests.factories import DataPointFactory, MeasureFactory, RebaseFactory

pytestmark = pytest.mark.django_db

# Falls per 1,000 bed days (lower is better), monthly from January 2023; limits fixed on
# the first twelve points (centre about 8.05, process limits about 6.9 and 9.2).
BASELINE = [8.2, 7.9, 8.5, 7.6, 8.1, 8.4, 7.8, 8.0, 8.3, 7.7, 8.2, 7.9]
SHIFTED = [6.0, 5.5, 5.8, 5.2, 5.6, 5.4, 5.9, 5.3, 5.5, 5.7, 5.1, 5.4]
ONE_GOOD_MONTH = [8.1, 7.8, 8.4, 5.0, 8.2, 7.7, 8.3, 8.0, 7.8, 8.4, 8.0, 7.9]
TWO_IN_THREE = [8.1, 7.8, 8.4, 6.0, 5.9, 7.9, 8.2, 8.3, 8.0, 8.4, 8.1, 7.9]
TWO_IN_THREE_APART = [8.1, 7.8, 8.4, 6.0, 7.9, 5.9, 8.2, 8.3, 8.0, 8.4, 8.1, 7.9]
CHANGE_STARTED = date(2024, 1, 1)


def falls(project, values: Sequence[float], **fields) -> Measure:
    fields.setdefault("improvement_direction", "decrease")
    measure = MeasureFactory(
        project=project, name="Falls per 1,000 bed days", fix_after_n_points=12, **fields
    )
    for index, value in enumerate(values):
        DataPointFactory(
            measure=measure, period=date(2023 + index // 12, index % 12 + 1, 1), value=value
        )
    return measure


def since_the_change(measure: Measure, since: date = CHANGE_STARTED) -> ImprovementSignal | None:
    return improvement_since(measure=measure, reading=measure_reading_get(measure), since=since)


def test_a_shift_since_the_change_is_special_cause_improvement(project):
    measure = falls(project, BASELINE + SHIFTED)

    signal = since_the_change(measure)

    assert signal is not None
    assert (signal.measure, signal.rule, signal.started) == (measure, "shift", CHANGE_STARTED)
    assert signal.point_type == "special_cause_improvement"


def test_one_good_month_since_the_change_is_not_improvement(project):
    measure = falls(project, BASELINE + ONE_GOOD_MONTH)
    spc = measure_spc(measure)
    assert "astronomical" in spc["points"][15]["rules"]  # April 2024 is beyond the limit

    assert since_the_change(measure) is None


@pytest.mark.parametrize("since_the_change_values", [TWO_IN_THREE, TWO_IN_THREE_APART])
def test_two_of_three_near_the_limit_since_the_change_is_improvement(
    project, since_the_change_values
):
    signal = since_the_change(falls(project, BASELINE + since_the_change_values))

    assert signal is not None
    assert (signal.rules, signal.started) == (("two_in_three",), date(2024, 4, 1))


def test_two_of_three_straddling_the_change_is_not_improvement_since(project):
    measure = falls(project, BASELINE + TWO_IN_THREE_APART)

    assert since_the_change(measure, since=date(2024, 5, 1)) is None


def test_a_shift_that_began_before_the_change_is_not_credited_to_it(project):
    measure = falls(project, BASELINE + SHIFTED)

    assert since_the_change(measure, since=date(2024, 8, 1)) is None


def test_a_point_or_two_on_the_good_side_just_before_the_change_does_not_count_against_it(
    project,
):
    measure = falls(project, [*BASELINE[:10], 7.5, 7.4, *SHIFTED])

    signal = since_the_change(measure)

    assert signal is not None and signal.started == CHANGE_STARTED


def test_a_pattern_must_lie_within_one_rebase_group(project):
    # Eight months a little better than the mean: a shift, unless a rebase splits it.
    better = [7.6, 7.5, 7.7, 7.6, 7.5, 7.6, 7.7, 7.5]
    unsplit = falls(project, BASELINE + better)
    split = falls(project, BASELINE + better)
    RebaseFactory(measure=split, starts_on=date(2024, 5, 1))

    assert since_the_change(unsplit) is not None
    assert since_the_change(split) is None


def test_a_measure_without_a_direction_never_shows_improvement(project):
    measure = falls(project, BASELINE + SHIFTED, improvement_direction="neutral")

    assert since_the_change(measure) is None
