"""Demo notifications: the first scan, so the demo coach (coach@demo.example) finds nudges,
celebrations and a digest waiting when ``make run`` starts, and a first thank-you on the
wins page.

Nothing is invented here: the scan reads the other apps' demo data (a stalled project, an
overdue cycle, a measure showing special-cause improvement, an adopted change) exactly as
the daily jobs will. Seeding again says nothing twice (the dedupe keys, and the thank-you
is looked up before it is sent); e-mails go to the console once the worker starts.
"""

from __future__ import annotations

from datetime import timedelta

from backend.models import User
from notifications import services
from notifications.models import Kind, Notification, Thanks

# The demo's data are seeded "now" but its cycles were decided months ago: the first scan
# looks back over all of it, where the nightly reconcile looks back a week.
FIRST_SCAN_LOOKBACK = timedelta(days=3650)
BOARD = "board@demo.example"
THANKED_WIN = "Sustained improvement in Inpatient falls per 1,000 bed days"


def _thank_the_falls_team() -> None:
    """The board member thanks the Ward 7 falls team for their sustained improvement."""
    board = User.objects.filter(email=BOARD).first()
    win = (
        Notification.objects.filter(
            kind=Kind.SIGNAL, title=THANKED_WIN, project__unit__name="Ward 7 Elderly Care"
        )
        .order_by("id")
        .first()
    )
    if board is None or win is None or Thanks.objects.filter(win_key=win.win_key).exists():
        return
    services.thanks_send(
        by=board,
        win=win,
        message="Falls down and staying down: thank you all for making the huddle stick.",
    )


def seed() -> None:
    """Run every notifications job once over the demo data, and send one thank-you."""
    services.full_scan(lookback=FIRST_SCAN_LOOKBACK)
    _thank_the_falls_team()
