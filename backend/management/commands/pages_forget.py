"""Make every kept page stale, after data was changed other than through Ripple."""

from django.core.management.base import BaseCommand

from backend.kept_pages import forget_all


class Command(BaseCommand):
    help = "Make every kept page stale (after changing data other than through Ripple)."

    def handle(self, *args, **options) -> None:
        forget_all()
        self.stdout.write("Every kept page will be drawn afresh.")
