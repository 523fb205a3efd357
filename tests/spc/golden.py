"""Reading the peer reference cases in shared/spc-cases and mapping them to our contract.

The mapping from a case's options and a peer's call to our input is here, in one place:

- `rebase_after: k` (a new group starts after the k-th point) -> `rebase_at: [x[k]]`
  (NHSRplotthedots' `rebase` date and qicharts2's `part = k` say the same).
- `fix_after: k` -> `fix_after_n_points: k`; `target` and `improvement_direction` as they are.
- NHSRplotthedots runs -> chart `xmr` on y (or y / n where the case has denominators),
  `screen_outliers` as the run's argument, `two_in_three_counts_beyond_limits: false`
  (that package does not count points beyond the limits).
- qicharts2 `i` -> chart `xmr` with `xmr_limits: "d2"` (3 * MRbar / 1.128) and screening;
  `run` -> chart `run` on y (or y / n); `p` / `pp` -> charts `p` / `pp` with n.
  qicharts2's `sigma_signal` is our `astronomical` rule; its `parts` are our `groups[].runs`.
- controlchartspy `i` -> as qicharts2 `i` (same limits); only its lines are compared.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def cases_dir() -> Path | None:
    """Where the reference cases are: $RIPPLE_SPC_CASES, <repo>/../shared, or /work/shared.

    A path set in the environment is the only one tried, so a wrong setting is noticed
    rather than quietly replaced by another copy of the cases.
    """
    configured = os.environ.get("RIPPLE_SPC_CASES")
    candidates = (
        [configured]
        if configured
        else [
            REPO.parent / "shared" / "spc-cases",
            "/work/shared/spc-cases",
        ]
    )
    for candidate in candidates:
        if Path(candidate).is_dir():
            return Path(candidate)
    return None


def missing_cases() -> None:
    """Skip, or fail when the environment demands every external input."""
    message = "SPC reference cases not found (set RIPPLE_SPC_CASES)"
    if os.environ.get("RIPPLE_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def case_files() -> list[Path]:
    folder = cases_dir()
    return [] if folder is None else sorted(folder.glob("[0-9]*.json"))


@dataclass(frozen=True)
class GoldenRun:
    """One peer run of one case, with the document we feed our engine for it."""

    case: str
    peer: str
    run: str
    document: dict[str, Any]
    expected: dict[str, Any]
    case_input: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.case}-{self.peer}.{self.run}"


def golden_runs(peers: dict[str, set[str] | None]) -> list[Any]:
    """pytest params for every run of every case whose peer and run are in `peers`.

    A peer mapped to None takes all its runs, so a new case file brings its tests along.
    """
    files = case_files()
    if not files:
        return [pytest.param(None, id="no-cases")]
    params = []
    for path in files:
        case = json.loads(path.read_text())
        for peer, runs in case["peers"].items():
            for run, expected in runs["runs"].items():
                wanted = peers.get(peer, set())
                if wanted is None or run in wanted:
                    document = document_for(case["input"], peer, run, expected)
                    golden = GoldenRun(case["case"], peer, run, document, expected, case["input"])
                    params.append(pytest.param(golden, id=golden.id))
    return params


def document_for(
    case_input: dict[str, Any], peer: str, run: str, expected: dict[str, Any]
) -> dict[str, Any]:
    """Our input document equivalent to the peer's call."""
    x, y, n = case_input["x"], case_input["y"], case_input.get("n")
    source = case_input["options"]
    options: dict[str, Any] = {"improvement_direction": source["improvement_direction"]}
    if source.get("target") is not None:
        options["target"] = source["target"]
    if source.get("rebase_after") is not None:
        options["rebase_at"] = [x[source["rebase_after"]]]
    if source.get("fix_after") is not None:
        options["fix_after_n_points"] = source["fix_after"]

    chart = run
    if peer == "NHSRplotthedots":
        chart = "xmr"
        options["screen_outliers"] = expected["arguments"]["screen_outliers"]
        options["two_in_three_counts_beyond_limits"] = False
    elif run == "i":
        chart = "xmr"
        options["xmr_limits"] = "d2"
    if chart in ("p", "pp", "u", "up"):
        points = [{"x": a, "y": b, "n": c} for a, b, c in zip(x, y, n, strict=True)]
    elif n is not None:  # the MDC way: XmR or run chart of the ratio
        points = [{"x": a, "y": b / c} for a, b, c in zip(x, y, n, strict=True)]
    else:
        points = [{"x": a, "y": b} for a, b in zip(x, y, strict=True)]
    return {"chart": chart, "points": points, "options": options}


def ptd_signal(special_cause_type: str) -> str | None:
    """NHSRplotthedots' label for the chosen rule, in our rule names."""
    if special_cause_type == "Common Cause":
        return None
    if "CL" in special_cause_type and ("UCL" in special_cause_type or "LCL" in special_cause_type):
        return "astronomical"
    if "Trend" in special_cause_type:
        return "trend"
    if special_cause_type.startswith("2 in 3"):
        return "two_in_three"
    if "Points" in special_cause_type:
        return "shift"
    raise AssertionError(f"unknown NHSRplotthedots special cause type {special_cause_type!r}")


def load_anhoej_table() -> list[dict[str, int]]:
    folder = cases_dir()
    if folder is None:
        missing_cases()
    return json.loads((folder / "anhoej_limits_table.json").read_text())["table"]
