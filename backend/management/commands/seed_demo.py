"""``manage.py seed_demo``: load the demo organisations and every app's demo data."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load the demo data (safe to run again: nothing is duplicated)."

    def handle(self, *args, **options) -> None:
        # Each app seeds its own demo data in demo.py, found by name like admin.py, so the
        # ground floor never imports the apps built on it. Order: RIPPLE_APPS.
        for app in settings.RIPPLE_APPS:
            module_name = f"{app}.demo"
            if find_spec(module_name) is None:
                continue
            with transaction.atomic():
                import_module(module_name).seed()
            self.stdout.write(f"Demo data ready: {app}")
