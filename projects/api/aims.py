"""API for strategic aims and their cascade: ``/api/v1/aims/``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from backend.etags import ETagMixin
from backend.idempotency import IdempotentCreateMixin
from projects import selectors, services
from projects.api.common import HistoryMixin
from projects.filters import AimFilter
from projects.serializers import AimSerializer, AimTreeQuerySerializer, AimTreeSerializer


class AimViewSet(
    ETagMixin,
    IdempotentCreateMixin,
    HistoryMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The organisation's few bold aims. Every member reads them; leaders, the QI team
    and administrators write. ``parent`` cascades an aim beneath another (catchball)."""

    serializer_class = AimSerializer
    filterset_class = AimFilter

    def get_queryset(self):
        return selectors.aim_list(user=self.request.user)

    def perform_create(self, serializer: AimSerializer) -> None:
        serializer.instance = services.aim_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: AimSerializer) -> None:
        serializer.instance = services.aim_update(
            by=self.request.user, aim=serializer.instance, **serializer.validated_data
        )

    @extend_schema(parameters=[AimTreeQuerySerializer], responses=AimTreeSerializer(many=True))
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def tree(self, request: Request) -> Response:
        """The aims as nested cascades: organisation aims, and beneath each its division
        and ward aims. One document (an array of the top aims), never paged."""
        query = AimTreeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        roots = selectors.aim_tree(
            user=request.user, organisation_id=query.validated_data.get("organisation")
        )
        return Response(roots)
