"""API for PDSA cycles (``/api/v1/cycles/``) and projects' progress scores.

Creates (the quick log, clone, next cycle) honour ``Idempotency-Key``; updates, deletes
and stage moves honour ``If-Match``.
"""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import include, path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from backend.etags import ETagDestroyMixin, ETagMixin, check_if_match, etag_for
from backend.idempotency import idempotent
from backend.routing import IdFilter, Router
from pdsa import selectors, services
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


class CycleFilter(django_filters.FilterSet):
    # Plain ids, not model choices: an id the user may not see filters to nothing, exactly
    # like an id that does not exist.
    project = IdFilter(field_name="project_id")
    change_idea = IdFilter(field_name="change_idea_id")
    owner = IdFilter(field_name="owner_id")
    parent = IdFilter(field_name="parent_id")
    unit = IdFilter(field_name="project__unit_id")
    stage = django_filters.MultipleChoiceFilter(choices=Cycle.Stage.choices)
    decision = django_filters.ChoiceFilter(choices=Cycle.Decision.choices)
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label="Still in Do after the planned end."
    )
    q = django_filters.CharFilter(
        method="filter_text", label="Words in the title, objective, observations or learning."
    )

    class Meta:
        model = Cycle
        fields = ["purpose"]

    @extend_schema_field(serializers.BooleanField)
    def filter_overdue(self, queryset, name: str, value: bool):
        overdue = selectors.overdue_q()
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    @extend_schema_field(serializers.CharField)
    def filter_text(self, queryset, name: str, value: str):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(objective__icontains=value)
            | Q(observations__icontains=value)
            | Q(learning__icontains=value)
        )


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

    def _cycle_response(
        self, cycle: Cycle, status_code: int, extra: dict | None = None
    ) -> Response:
        fresh = self.get_queryset().get(pk=cycle.pk)
        data = CycleSerializer(fresh, context=self.get_serializer_context()).data
        headers = {
            "ETag": etag_for(data),
            "Location": reverse("cycle-detail", args=[cycle.pk], request=self.request),
        }
        body = {**data, **extra} if extra is not None else data
        return Response(body, status=status_code, headers=headers)

    @extend_schema(responses={201: CycleSerializer, 200: CycleSerializer})
    @idempotent
    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cycle, created = services.cycle_create(by=request.user, **serializer.validated_data)
        return self._cycle_response(
            cycle, status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    def perform_update(self, serializer: CycleSerializer) -> None:
        cycle = services.cycle_update(
            cycle=serializer.instance, by=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=cycle.pk)

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
        with transaction.atomic():
            if request.headers.get("If-Match"):
                locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
                check_if_match(
                    request, CycleSerializer(locked, context=self.get_serializer_context()).data
                )
            cycle = services.cycle_advance(cycle=cycle, by=request.user, **body.validated_data)
        adapted = cycle.stage == Cycle.Stage.DONE and cycle.decision == Cycle.Decision.ADAPT
        draft = services.cycle_next_draft(cycle=cycle) if adapted else None
        return self._cycle_response(cycle, status.HTTP_200_OK, extra={"next_cycle": draft})

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
        return self._cycle_response(
            cycle, status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

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
        return self._cycle_response(
            cycle, status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


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


router = Router()
router.register("cycles", CycleViewSet, basename="cycle")

urlpatterns = [
    path("", include(router.urls)),
    path("projects/<id:pk>/progress/", ProjectProgressView.as_view(), name="project-progress"),
    path(
        "projects/<id:pk>/progress-override/",
        ProjectProgressOverrideView.as_view(),
        name="project-progress-override",
    ),
]
