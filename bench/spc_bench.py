"""Benchmark the SPC engine: XmR series per second on one core.

    .venv/bin/python bench/spc_bench.py [--series 10000] [--points 60] [--check]

Times 10,000 XmR series of 60 points with every rule on (astronomical, trend, two-in-
three, shift), screening, a target and an improvement direction, four ways:

1. in-process, columnar: `analyse_arrays` on numeric (S, N) arrays, in passes of 1,000
   series. Includes every computed answer (limits, near lines, all four rules, signal by
   precedence, point types, Anhøj runs per group, variation and assurance icons,
   warnings); excludes turning them into Python dicts.
2. in-process, full dict results: as 1, plus `to_dicts()`, the contract's JSON-ready dicts.
3. in-process from documents: `analyse_many` on input dicts, validation included.
4. command line: `python -m projects.spc` as a subprocess, one JSON array of 10,000
   documents in and 10,000 results out, interpreter start-up and imports included.

The process pins itself to one CPU and caps the BLAS/OpenMP thread pools at one thread
before NumPy is imported; the subprocess inherits both.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import numpy as np  # noqa: E402  (after the thread caps above, on purpose)

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from projects.spc import analyse_arrays, analyse_many  # noqa: E402

OPTIONS = {"improvement_direction": "increase", "target": 48.0}
PASS_SIZE = 1_000
TARGET_IN_PROCESS = 100_000
TARGET_COMMAND_LINE = 5_000


def make_series(count: int, length: int, seed: int = 20240601) -> np.ndarray:
    """Noisy monthly series, some with a step, a drift or an outlier, so rules fire."""
    rng = np.random.default_rng(seed)
    values = rng.normal(50.0, 3.0, size=(count, length))
    steps = rng.random(count) < 0.3
    values[steps, length // 2 :] += rng.normal(6.0, 2.0, size=(int(steps.sum()), 1))
    drifts = rng.random(count) < 0.2
    values[drifts] += np.linspace(0.0, 8.0, length)
    outliers = rng.random(count) < 0.2
    values[outliers, rng.integers(0, length)] += 20.0
    return values.round(1)


def labels(length: int) -> list[str]:
    return [f"{2019 + i // 12}-{i % 12 + 1:02d}-01" for i in range(length)]


def timed(work: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def report(name: str, count: int, times: list[float], target: int | None = None) -> float:
    best = count / min(times)
    median = count / statistics.median(times)
    goal = f"  (target {target:,}/s)" if target else ""
    print(f"{name:<44} best {best:>10,.0f} series/s   median {median:>10,.0f}{goal}")
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    arguments = parser.parse_args()
    count, length = arguments.series, arguments.points
    values = make_series(count, length)
    x = labels(length)
    print(
        f"{count:,} XmR series of {length} points, one core (CPU {sorted(os.sched_getaffinity(0))})"
    )

    def columnar() -> list[object]:
        return [
            analyse_arrays("xmr", values[s : s + PASS_SIZE], x=x, options=OPTIONS)
            for s in range(0, count, PASS_SIZE)
        ]

    def one_pass() -> object:
        return analyse_arrays("xmr", values, x=x, options=OPTIONS)

    def full_dicts() -> list[object]:
        return [result.to_dicts() for result in columnar()]

    documents = [
        {
            "chart": "xmr",
            "points": [{"x": a, "y": b} for a, b in zip(x, row, strict=True)],
            "options": OPTIONS,
        }
        for row in values.tolist()
    ]
    results = columnar()
    flagged = sum(int((r.hits.mask != 0).sum()) for r in results)  # type: ignore[attr-defined]
    print(f"points flagged by at least one rule: {flagged:,} of {count * length:,}")

    in_process = report(
        "in-process, columnar (passes of 1,000)",
        count,
        timed(columnar, arguments.repeats),
        TARGET_IN_PROCESS,
    )
    report("in-process, columnar (one pass of all)", count, timed(one_pass, arguments.repeats))
    report("in-process, full JSON-ready dicts", count, timed(full_dicts, 3))
    report("in-process, analyse_many(documents)", count, timed(lambda: analyse_many(documents), 3))

    stdin = json.dumps(documents).encode()
    outputs: list[bytes] = []

    def command_line() -> None:
        completed = subprocess.run(
            [sys.executable, "-m", "projects.spc"],
            input=stdin,
            capture_output=True,
            cwd=REPO,
            check=True,
        )
        outputs.append(completed.stdout)

    cli = report(
        "command line, JSON in and out, start-up incl.",
        count,
        timed(command_line, 3),
        TARGET_COMMAND_LINE,
    )
    parsed = json.loads(outputs[-1])
    assert len(parsed) == count and len(parsed[0]["points"]) == length
    print(
        f"command line moved {len(stdin) / 1e6:.1f} MB in and {len(outputs[-1]) / 1e6:.1f} MB out"
    )
    missed = in_process < TARGET_IN_PROCESS or cli < TARGET_COMMAND_LINE
    return 1 if arguments.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
