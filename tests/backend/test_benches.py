"""The benchmarks still run, each at a tiny size on PostgreSQL and Redis.

A bench is run by hand when its numbers are wanted, so a change to the models (a new
constraint its bulk seeding does not meet) would otherwise break it unseen. Each runs in a
process of its own, on a database of its own (``bench_<name>``) and a Redis database
apart from the suite's (the benches empty theirs).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parents[2]
BENCH_REDIS_DB = 14

BENCHES = {
    "spc_bench.py": ["--series", "100", "--points", "40", "--repeats", "1"],
    "notifications_bench.py": ["--projects", "20"],
    "portfolio_bench.py": ["--projects", "20", "--repeat", "1", "--cold-repeat", "1"],
    "region_bench.py": [
        *("--organisations", "3", "--projects", "30", "--large", "10", "--stages", "1"),
        *("--workers", "1", "--repeat", "1", "--cold-repeat", "1"),
    ],
}


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("bench", BENCHES)
def test_a_bench_runs_to_the_end_at_a_tiny_size(bench):
    redis_url = re.sub(r"(/\d+)?$", f"/{BENCH_REDIS_DB}", settings.REDIS_URL, count=1)
    assert redis_url != settings.REDIS_URL, "the benches empty their Redis database"
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / bench), *BENCHES[bench]],
        cwd=REPO,
        env={**os.environ, "REDIS_URL": redis_url},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
