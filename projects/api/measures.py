"""API for the measure library, measures, their data, rebases, history and charts."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from backend.etags import ETagDestroyMixin, ETagMixin
from backend.idempotency import IdempotentCreateMixin, dispatches_to_idempotent, idempotent
from backend.routing import ID_PATTERN
from backend.schema import whole_list
from projects import selectors, services
from projects.api.common import HistoryMixin
from projects.filters import MeasureFilter
from projects.models import Measure, MeasureDefinition
from projects.serializers import (
    ChartSerializer,
    DataPointListSerializer,
    DataPointSerializer,
    DataUploadSerializer,
    DataUpsertResultSerializer,
    HistoryEntrySerializer,
    MeasureDefinitionSerializer,
    MeasureSerializer,
    RebaseSerializer,
)
from projects.services import DataUpsert

METHODS = ["get", "post", "patch", "put", "delete", "head", "options"]


class MeasureDefinitionViewSet(
    ETagMixin, ETagDestroyMixin, IdempotentCreateMixin, HistoryMixin, viewsets.ModelViewSet
):
    """The organisation's measure library, so wards measuring the same thing are
    comparable. Every member reads it; the QI team and administrators keep it."""

    serializer_class = MeasureDefinitionSerializer
    filterset_fields = ["organisation", "chart_type", "improvement_direction", "frequency"]
    http_method_names = METHODS

    def get_queryset(self):
        return selectors.measure_definition_list(user=self.request.user)

    def perform_create(self, serializer: MeasureDefinitionSerializer) -> None:
        serializer.instance = services.measure_definition_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: MeasureDefinitionSerializer) -> None:
        serializer.instance = services.measure_definition_update(
            by=self.request.user, definition=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: MeasureDefinition) -> None:
        services.measure_definition_delete(by=self.request.user, definition=instance)


def upsert_response(result: DataUpsert) -> Response:
    """The answer to a data upload: counts, the new revision and the points it touched."""
    body = {
        "created": len(result.created),
        "updated": len(result.updated),
        "unchanged": result.unchanged,
        "revision": result.revision,
        "results": DataPointSerializer([*result.created, *result.updated], many=True).data,
    }
    return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class MeasureViewSet(
    ETagMixin, ETagDestroyMixin, IdempotentCreateMixin, HistoryMixin, viewsets.ModelViewSet
):
    """Outcome, process and balancing measures of projects and aims. A project's measures
    are written by its editors; an aim's by leaders, the QI team and admins."""

    serializer_class = MeasureSerializer
    filterset_class = MeasureFilter
    http_method_names = METHODS

    def get_queryset(self):
        return selectors.measure_list(user=self.request.user)

    def perform_create(self, serializer: MeasureSerializer) -> None:
        serializer.instance = services.measure_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: MeasureSerializer) -> None:
        serializer.instance = services.measure_update(
            by=self.request.user, measure=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Measure) -> None:
        services.measure_delete(by=self.request.user, measure=instance)

    def _measure(self) -> Measure:
        return get_object_or_404(
            selectors.measure_list(user=self.request.user), pk=self.kwargs["pk"]
        )

    @extend_schema(methods=["GET"], responses=DataPointListSerializer)
    @extend_schema(
        methods=["POST"],
        request=DataUploadSerializer,
        responses={200: DataUpsertResultSerializer, 201: DataUpsertResultSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="data",
        filterset_class=None,
        pagination_class=None,
    )
    @dispatches_to_idempotent
    def data(self, request: Request, pk: str | None = None) -> Response:
        """GET: the data points in period order. POST: a list of rows (or ``{"rows":
        [...]}``) upserted by period, all or nothing; each bad row is named
        (``rows[3].value``)."""
        if request.method == "POST":
            return self._upload(request)
        measure = self._measure()
        points = DataPointSerializer(selectors.data_point_list(measure=measure), many=True).data
        return Response(
            {
                "measure": measure.pk,
                "revision": measure.revision,
                "count": len(points),
                "results": points,
            }
        )

    @idempotent
    def _upload(self, request: Request) -> Response:
        measure = self._measure()
        rows: Any = request.data
        upload = DataUploadSerializer(data={"rows": rows} if isinstance(rows, list) else rows)
        upload.is_valid(raise_exception=True)
        result = services.data_points_upsert(
            measure=measure, rows=upload.validated_data["rows"], by=request.user
        )
        return upsert_response(result)

    @extend_schema(request=None, responses={204: None})
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"data/(?P<period>\d{4}-\d{2}-\d{2})",
        filterset_class=None,
    )
    def data_point(self, request: Request, pk: str | None = None, period: str = "") -> Response:
        """Remove one period's data point (kept in the data history)."""
        try:
            day = date.fromisoformat(period)
        except ValueError:
            raise Http404 from None
        services.data_point_delete(measure=self._measure(), period=day, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=whole_list("History", HistoryEntrySerializer))
    @action(
        detail=True,
        methods=["get"],
        url_path="data/history",
        filterset_class=None,
        pagination_class=None,
    )
    def data_history(self, request: Request, pk: str | None = None) -> Response:
        """Every data point added, changed or removed, with who and when, newest first."""
        entries = selectors.measure_data_history(measure=self._measure())
        return Response({"count": len(entries), "results": entries})

    @extend_schema(methods=["GET"], responses=whole_list("Rebases", RebaseSerializer))
    @extend_schema(methods=["POST"], request=RebaseSerializer, responses={201: RebaseSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="rebases",
        filterset_class=None,
        pagination_class=None,
    )
    @dispatches_to_idempotent
    def rebases(self, request: Request, pk: str | None = None) -> Response:
        """GET: the chart's rebases. POST: rebase the chart from ``starts_on``, with the
        reason (required); who decided is the signed-in user."""
        if request.method == "POST":
            return self._rebase(request)
        rebases = RebaseSerializer(selectors.rebase_list(measure=self._measure()), many=True).data
        return Response({"count": len(rebases), "results": rebases})

    @idempotent
    def _rebase(self, request: Request) -> Response:
        measure = self._measure()
        body = RebaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rebase = services.rebase_create(by=request.user, measure=measure, **body.validated_data)
        return Response(RebaseSerializer(rebase).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(
        detail=True,
        methods=["delete"],
        url_path=rf"rebases/(?P<rebase_id>{ID_PATTERN})",
        filterset_class=None,
    )
    def rebase(self, request: Request, pk: str | None = None, rebase_id: str = "") -> Response:
        """Undo a rebase recorded by mistake."""
        found = get_object_or_404(selectors.rebase_list(measure=self._measure()), pk=rebase_id)
        services.rebase_delete(by=request.user, rebase=found)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=ChartSerializer)
    @action(detail=True, methods=["get"], filterset_class=None)
    def chart(self, request: Request, pk: str | None = None) -> Response:
        """The SPC reading (exactly the engine's result for this measure's data and
        options; null with a reason below two points) and the annotations: rebases with
        their reasons, PDSA cycles' starts and ends. The SVG is at ``chart.svg``."""
        return Response(selectors.measure_chart(measure=self._measure()))
