"""Pieces every portfolio view shares: history actions and non-JSON responses."""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from backend.schema import whole_list
from projects.selectors import object_history
from projects.serializers import HistoryEntrySerializer


class HistoryMixin:
    """``GET .../{id}/history/``: who changed what, and when, newest first."""

    # Declared so the history action may switch filtering off on any viewset (DRF lets an
    # action set only attributes its viewset has); a viewset's own setting wins.
    filterset_class = None

    @extend_schema(responses=whole_list("History", HistoryEntrySerializer))
    @action(
        detail=True,
        methods=["get"],
        url_path="history",
        filterset_class=None,
        pagination_class=None,
    )
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Who changed what, and when, newest first."""
        entries = object_history(instance=self.get_object())
        return Response({"count": len(entries), "results": entries})


class _PassthroughRenderer(BaseRenderer):
    """Sends a view's ready-made text as it is (the view builds the CSV or SVG)."""

    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        if isinstance(data, bytes | str):
            return data
        return json.dumps(data).encode()


class CSVRenderer(_PassthroughRenderer):
    media_type = "text/csv"
    format = "csv"


class SVGRenderer(_PassthroughRenderer):
    media_type = "image/svg+xml"
    format = "svg"


class ErrorsAsJSONMixin:
    """A view answering CSV or SVG still answers its errors in the one JSON shape."""

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response
