"""``manage.py readings_recompute``: renew measures' stored SPC readings now, in batches."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from projects import services


class Command(BaseCommand):
    help = (
        "Analyse and store the SPC reading of every measure whose reading is missing, of an "
        "older revision or of another engine version (every measure with --all), on the "
        "engine's columnar path. Run after a bulk load, or after a deploy that changes the "
        "engine; safe to run at any time and again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--organisation", type=int, default=None, help="Only this organisation's measures."
        )
        parser.add_argument(
            "--all",
            action="store_true",
            dest="everything",
            help="Every measure, even those already current.",
        )

    def handle(self, *args, organisation: int | None, everything: bool, **options) -> None:
        started = time.perf_counter()
        result = services.readings_recompute(organisation_id=organisation, everything=everything)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"SPC readings: {result['analysed']} measures analysed, {result['stored']} stored "
            f"in {seconds:.1f} s."
        )
