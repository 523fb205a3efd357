"""Demo notifications: the first scan, so the demo coach (coach@demo.example) finds nudges,
celebrations and a digest waiting when ``make run`` starts.

Nothing is invented here: the scan reads the other apps' demo data (a stalled project, an
overdue cycle, a measure showing special-cause improvement, an adopted change) exactly as
the daily jobs will. Seeding again says nothing twice (the dedupe keys); e-mails go to the
console once the worker starts.
"""

from __future__ import annotations

from datetime import timedelta

from notifications import services

# The demo's data are seeded "now" but its cycles were decided months ago: the first scan
# looks back over all of it, where the nightly reconcile looks back a week.
FIRST_SCAN_LOOKBACK = timedelta(days=3650)


def seed() -> None:
    """Run every notifications job once over the demo data."""
    services.full_scan(lookback=FIRST_SCAN_LOOKBACK)
