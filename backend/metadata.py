"""The answer to ``OPTIONS``: DRF's, for every route the API has."""

from __future__ import annotations

from typing import Any

from rest_framework.metadata import SimpleMetadata


class Metadata(SimpleMetadata):
    """DRF's simple metadata, also for a route that writes without an id in its URL.

    DRF describes a PUT by first fetching the object it would change, which a
    collection-level route such as ``/notifications/preferences/`` has no id for; such a
    route is described without its write fields rather than failing.
    """

    def determine_actions(self, request, view) -> dict[str, Any]:
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", None)
        if "PUT" in view.allowed_methods and lookup and lookup not in view.kwargs:
            return {}
        return super().determine_actions(request, view)
