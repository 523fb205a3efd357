"""Bad input is refused with an SPCInputError naming the field, never a traceback."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest

from projects.spc import SPCInputError, analyse, analyse_arrays, analyse_many


def good(chart: str = "xmr", count: int = 14) -> dict[str, Any]:
    with_n = chart in ("p", "pp", "u", "up")
    points = [
        {"x": f"2024-{i + 1:02d}", "y": float(i % 4), **({"n": 10} if with_n else {})}
        for i in range(count)
    ]
    return {"chart": chart, "points": points, "options": {}}


def changed(path: str, value: Any, chart: str = "xmr") -> dict[str, Any]:
    """A good document with one field set (or removed, for value ...)."""
    document = copy.deepcopy(good(chart))
    *parents, last = path.replace("[", ".").replace("]", "").split(".")
    target: Any = document
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    key = int(last) if last.isdigit() else last
    if value is ...:
        del target[key]
    else:
        target[key] = value
    return document


BAD_INPUT = [
    ("not an object", [1, 2], None, "JSON object"),
    ("unknown document field", changed("colour", "red"), "colour", "unknown field"),
    ("no chart", changed("chart", ...), "chart", "required"),
    ("unknown chart", changed("chart", "pie"), "chart", "unknown chart"),
    ("chart not a string", changed("chart", 3), "chart", "unknown chart"),
    ("no points", changed("points", ...), "points", "required"),
    ("points not a list", changed("points", "abc"), "points", "list"),
    ("one point", changed("points", [{"x": "a", "y": 1.0}]), "points", "at least 2"),
    ("point not an object", changed("points[3]", 5), "points[3]", "object"),
    ("unknown point field", changed("points[2].z", 1), "points[2].z", "unknown field"),
    ("missing x", changed("points[4].x", ...), "points[4].x", "required"),
    ("x not a string", changed("points[4].x", 20240101), "points[4].x", "string"),
    ("duplicate x", changed("points[5].x", "2024-01"), "points[5].x", "duplicate x"),
    ("missing y", changed("points[1].y", ...), "points[1].y", "required"),
    ("y a string", changed("points[1].y", "12"), "points[1].y", "number, got str"),
    ("y a boolean", changed("points[1].y", True), "points[1].y", "number, got bool"),
    ("y NaN", changed("points[6].y", math.nan), "points[6].y", "finite"),
    ("y infinite", changed("points[6].y", -math.inf), "points[6].y", "finite"),
    ("y huge", changed("points[6].y", 1e300), "points[6].y", "between"),
    ("y negative on c", changed("points[2].y", -1.0, "c"), "points[2].y", "negative"),
    ("n on xmr", changed("points[2].n", 10), "points[2].n", "only by p, pp, u and up"),
    ("missing n on p", changed("points[3].n", ..., "p"), "points[3].n", "required"),
    ("n zero", changed("points[3].n", 0, "u"), "points[3].n", "greater than 0"),
    ("n negative", changed("points[3].n", -4, "pp"), "points[3].n", "greater than 0"),
    ("y above n on p", changed("points[3].y", 11.0, "p"), "points[3].y", "exceed n"),
    ("options not an object", changed("options", [1]), "options", "object"),
    ("unknown option", changed("options.colour", "red"), "options.colour", "unknown option"),
    (
        "bad direction",
        changed("options.improvement_direction", "up"),
        "options.improvement_direction",
        "one of",
    ),
    ("target a string", changed("options.target", "5"), "options.target", "number"),
    ("target NaN", changed("options.target", math.nan), "options.target", "finite"),
    (
        "screen not a boolean",
        changed("options.screen_outliers", "yes"),
        "options.screen_outliers",
        "true or false",
    ),
    (
        "fix after too few",
        changed("options.fix_after_n_points", 11),
        "options.fix_after_n_points",
        "at least 12",
    ),
    (
        "fix after not whole",
        changed("options.fix_after_n_points", 12.5),
        "options.fix_after_n_points",
        "whole number",
    ),
    ("rebase not a list", changed("options.rebase_at", "2024-03"), "options.rebase_at", "list"),
    (
        "rebase at unknown x",
        changed("options.rebase_at", ["2024-03", "2031-01"]),
        "options.rebase_at[1]",
        "not the x of any point",
    ),
    (
        "rebase twice",
        changed("options.rebase_at", ["2024-03", "2024-03"]),
        "options.rebase_at[1]",
        "twice",
    ),
    ("shift too short", changed("options.shift_points", 2), "options.shift_points", "5 to 30"),
    ("trend too long", changed("options.trend_points", 99), "options.trend_points", "5 to 30"),
    ("trend a float", changed("options.trend_points", 7.0), "options.trend_points", "whole"),
    (
        "two in three not a boolean",
        changed("options.two_in_three_counts_beyond_limits", 1),
        "options.two_in_three_counts_beyond_limits",
        "true or false",
    ),
    ("bad xmr limits", changed("options.xmr_limits", "3sigma"), "options.xmr_limits", "mdc"),
]


@pytest.mark.parametrize(
    ("document", "field", "fragment"),
    [pytest.param(d, f, m, id=name) for name, d, f, m in BAD_INPUT],
)
def test_bad_input_names_the_field(document: Any, field: str | None, fragment: str) -> None:
    with pytest.raises(SPCInputError) as caught:
        analyse(document)
    assert caught.value.field == field
    assert fragment in caught.value.message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("chart", ["xmr", "run", "p", "pp", "u", "up", "c", "g", "t"])
def test_good_input_of_every_chart_is_accepted(chart: str) -> None:
    assert len(analyse(good(chart))["points"]) == 14


def test_null_options_take_their_defaults_and_rebase_at_the_first_x_is_harmless() -> None:
    document = good()
    document["options"] = {"target": None, "screen_outliers": None, "rebase_at": ["2024-01"]}
    assert analyse(document) == analyse(good())


def test_analyse_many_says_which_document_failed() -> None:
    with pytest.raises(SPCInputError) as caught:
        analyse_many([good(), good(), changed("points[3].y", "x")])
    assert (caught.value.index, caught.value.field) == (2, "points[3].y")
    assert caught.value.as_dict() == {
        "index": 2,
        "field": "points[3].y",
        "message": "must be a number, got str",
    }


def test_analyse_arrays_checks_values_and_options() -> None:
    y = np.ones((3, 14))
    y[1, 4] = np.nan
    with pytest.raises(SPCInputError) as caught:
        analyse_arrays("xmr", y)
    assert (caught.value.index, caught.value.field) == (1, "points[4].y")
    with pytest.raises(SPCInputError) as caught:
        analyse_arrays("xmr", np.ones((3, 14)), options={"shift_points": 1})
    assert caught.value.field == "options.shift_points"
    with pytest.raises(SPCInputError) as caught:
        analyse_arrays("p", np.ones((3, 14)))
    assert caught.value.field == "n"


def test_empty_batches_give_empty_answers() -> None:
    assert analyse_many([]) == []
    assert analyse_arrays("xmr", np.ones((0, 14))).to_dicts() == []
