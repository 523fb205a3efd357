"""``manage.py notifications_scan``: run every notifications job now, as the beat would."""

from __future__ import annotations

import json
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction

from notifications import services
from notifications.services.jobs import RECONCILE_LOOKBACK


class Command(BaseCommand):
    help = (
        "Nudge, celebrate, send due digests and e-mails now (safe to run again: nothing is "
        "said twice). --lookback-days widens the search for wins to celebrate."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--lookback-days",
            type=int,
            default=RECONCILE_LOOKBACK.days,
            help="How far back to look for data and adoptions to celebrate (default 7).",
        )

    def handle(self, *args, lookback_days: int, **options) -> None:
        with transaction.atomic():
            result = services.full_scan(lookback=timedelta(days=lookback_days))
        self.stdout.write(f"Notifications scan: {json.dumps(result)}")
