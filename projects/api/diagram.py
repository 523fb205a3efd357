"""API for writing driver diagrams: ``/api/v1/drivers/`` and ``/api/v1/change-ideas/``."""

from __future__ import annotations

from rest_framework import viewsets

from backend.etags import ETagDestroyMixin, ETagMixin
from backend.idempotency import IdempotentCreateMixin
from projects import selectors, services
from projects.api.common import HistoryMixin
from projects.filters import ChangeIdeaFilter
from projects.models import ChangeIdea, Driver
from projects.serializers import ChangeIdeaSerializer, DriverSerializer

METHODS = ["get", "post", "patch", "put", "delete", "head", "options"]


class DriverViewSet(
    ETagMixin, ETagDestroyMixin, IdempotentCreateMixin, HistoryMixin, viewsets.ModelViewSet
):
    """Primary drivers (no parent) and secondary drivers (beneath a primary driver of the
    same project). The project's editors write; the whole tree reads from
    ``GET /api/v1/projects/{id}/driver-diagram/``."""

    serializer_class = DriverSerializer
    filterset_fields = ["project", "kind", "parent"]
    http_method_names = METHODS

    def get_queryset(self):
        return selectors.driver_list(user=self.request.user)

    def perform_create(self, serializer: DriverSerializer) -> None:
        serializer.instance = services.driver_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: DriverSerializer) -> None:
        serializer.instance = services.driver_update(
            by=self.request.user, driver=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Driver) -> None:
        services.driver_delete(by=self.request.user, driver=instance)


class ChangeIdeaViewSet(
    ETagMixin, ETagDestroyMixin, IdempotentCreateMixin, HistoryMixin, viewsets.ModelViewSet
):
    """Change ideas, each serving one or more secondary drivers of its project, with a
    status (untested, testing, adopted, adapted, abandoned) and what was learned."""

    serializer_class = ChangeIdeaSerializer
    filterset_class = ChangeIdeaFilter
    http_method_names = METHODS

    def get_queryset(self):
        return selectors.change_idea_list(user=self.request.user)

    def perform_create(self, serializer: ChangeIdeaSerializer) -> None:
        serializer.instance = services.change_idea_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: ChangeIdeaSerializer) -> None:
        serializer.instance = services.change_idea_update(
            by=self.request.user, idea=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: ChangeIdea) -> None:
        services.change_idea_delete(by=self.request.user, idea=instance)
