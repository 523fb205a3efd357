"""API for PDSA cycles (``/api/v1/cycles/``) and projects' progress scores.

Creates (the quick log, clone, next cycle) honour ``Idempotency-Key``; updates, deletes
and stage moves honour ``If-Match``.
"""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from backend.etags import ETagDestroyMixin, ETagMixin
from backend.idempotency import idempotent
from pdsa import selectors, services
from pdsa.filters import CycleFilter
from pdsa.models import Cycle
from pdsa.serializers import (
    CycleAdvanceResultSerializer,
    CycleAdvanceSerializer,
    CycleCloneSerializer,
    CycleDraftSerializer,
    CycleNextSerializer,
    CycleSerializer,
    ProgressOverrideSerializer,
    ProjectProgressSerializer,
)
from projects.selectors import project_list


class CycleViewSet(
    ETagMixin,
    ETagDestroyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """PDSA cycles of the projects you can see; the project's team, the QI team and
    admins write. A quick log is one small POST: project, title, objective, questions."""

    serializer_class = CycleSerializer
    filterset_class = CycleFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["number", "updated_at", "created_at", "planned_end", "stage_changed_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.cycle_list(user=self.request.user)

    def _created(self, cycle: Cycle, created: bool) -> Response:
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return self.etag_response(cycle, status_code=code, location="cycle-detail")

    @extend_schema(responses={201: CycleSerializer, 200: CycleSerializer})
    @idempotent
    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cycle, created = services.cycle_create(by=request.user, **serializer.validated_data)
        return self._created(cycle, created)

    def perform_update(self, serializer: CycleSerializer) -> None:
        serializer.instance = services.cycle_update(
            cycle=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: Cycle) -> None:
        services.cycle_delete(cycle=instance, by=self.request.user)

    @extend_schema(request=CycleAdvanceSerializer, responses=CycleAdvanceResultSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def advance(self, request: Request, pk: str | None = None) -> Response:
        """Move the cycle to its next stage; refused, naming each missing field, until the
        worksheet has what the method needs. At Act, send the decision with the move."""
        cycle = self.get_object()
        body = CycleAdvanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with self.if_match(cycle) as locked:
            cycle = services.cycle_advance(cycle=locked, by=request.user, **body.validated_data)
        adapted = cycle.stage == Cycle.Stage.DONE and cycle.decision == Cycle.Decision.ADAPT
        draft = services.cycle_next_draft(cycle=cycle) if adapted else None
        return self.etag_response(cycle, extra={"next_cycle": draft}, location="cycle-detail")

    @extend_schema(
        request=CycleCloneSerializer, responses={201: CycleSerializer, 200: CycleSerializer}
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def clone(self, request: Request, pk: str | None = None) -> Response:
        """Start a new test in one of your projects from this cycle (another team's too)."""
        source = self.get_object()
        body = CycleCloneSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        cycle, created = services.cycle_clone(source=source, by=request.user, **body.validated_data)
        return self._created(cycle, created)

    @extend_schema(responses=CycleDraftSerializer)
    @action(detail=True, methods=["get"], url_path="next-cycle")
    def next_cycle(self, request: Request, pk: str | None = None) -> Response:
        """The next cycle of this ramp, pre-filled from this one (not saved)."""
        return Response(services.cycle_next_draft(cycle=self.get_object()))

    @extend_schema(
        request=CycleNextSerializer, responses={201: CycleSerializer, 200: CycleSerializer}
    )
    @next_cycle.mapping.post
    @idempotent
    def create_next_cycle(self, request: Request, pk: str | None = None) -> Response:
        """Start the next cycle of this ramp, pre-filled from this one, in Plan."""
        previous = self.get_object()
        body = CycleNextSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cycle, created = services.cycle_create_next(
            cycle=previous, by=request.user, **body.validated_data
        )
        return self._created(cycle, created)


class ProjectProgressView(APIView):
    """A project's IHI progress score (0.5 to 5.0), computed from its record, with the
    reason; and a team's override, if any, shown as such."""

    @extend_schema(responses=ProjectProgressSerializer, tags=["progress"])
    def get(self, request: Request, pk: int) -> Response:
        project = get_object_or_404(project_list(user=request.user), pk=pk)
        return Response(ProjectProgressSerializer(project).data)


class ProjectProgressOverrideView(APIView):
    """Set the progress score by hand with a reason (``score: null`` clears it)."""

    @extend_schema(
        request=ProgressOverrideSerializer,
        responses=ProjectProgressSerializer,
        tags=["progress"],
    )
    def post(self, request: Request, pk: int) -> Response:
        project = get_object_or_404(project_list(user=request.user), pk=pk)
        body = ProgressOverrideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project = services.project_progress_override(
            project=project, by=request.user, **body.validated_data
        )
        return Response(ProjectProgressSerializer(project).data)


router = SimpleRouter()
router.register("cycles", CycleViewSet, basename="cycle")

urlpatterns = [
    path("", include(router.urls)),
    path("projects/<int:pk>/progress/", ProjectProgressView.as_view(), name="project-progress"),
    path(
        "projects/<int:pk>/progress-override/",
        ProjectProgressOverrideView.as_view(),
        name="project-progress-override",
    ),
]
