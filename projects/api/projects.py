"""API for projects, their lifecycle, teams and driver diagrams."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from backend.etags import ETagDestroyMixin, ETagMixin
from backend.idempotency import IdempotentCreateMixin, idempotent
from projects import selectors, services
from projects.api.common import HistoryMixin
from projects.filters import ProjectFilter
from projects.models import ProjectMember
from projects.serializers import (
    DriverDiagramSerializer,
    ProjectMemberSerializer,
    ProjectSerializer,
    ProjectTransitionSerializer,
    SimilarProjectSerializer,
    SimilarQuerySerializer,
)


class ProjectViewSet(
    ETagMixin,
    IdempotentCreateMixin,
    HistoryMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Improvement projects. Every member of the organisation reads them all (so teams
    see what was tried before). Frontline staff, coaches, lived-experience partners, the
    QI team and admins register them (the registrant becomes lead); the team, its coach,
    the QI team and admins edit them; leaders read and sponsor."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter

    def get_queryset(self):
        return selectors.project_list(user=self.request.user)

    def perform_create(self, serializer: ProjectSerializer) -> None:
        serializer.instance = services.project_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: ProjectSerializer) -> None:
        fields: dict[str, Any] = dict(serializer.validated_data)
        fields.pop("status", None)  # unchanged (the serializer refuses a change)
        serializer.instance = services.project_update(
            by=self.request.user, project=serializer.instance, **fields
        )

    @extend_schema(request=ProjectTransitionSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the project along its lifecycle; a refusal says why and what is allowed."""
        body = ProjectTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with self.if_match(self.get_object()) as project:
            services.project_transition(by=request.user, project=project, **body.validated_data)
        return self.etag_response(project)

    @extend_schema(
        parameters=[
            OpenApiParameter("title", str, required=True),
            OpenApiParameter("unit", int, required=False),
            OpenApiParameter("aims", str, required=False, description="Comma-separated ids."),
            OpenApiParameter("exclude", int, required=False),
        ],
        responses=SimilarProjectSerializer(many=True),
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def similar(self, request: Request) -> Response:
        """Existing projects like the one being registered (same aim or unit kind, shared
        words), best first, each with its score and the reasons in words."""
        query = SimilarQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        found = selectors.project_similar(
            user=request.user,
            title=query.validated_data["title"],
            unit=query.validated_data.get("unit"),
            aim_ids=query.validated_data.get("aims") or [],
            exclude_id=query.validated_data.get("exclude"),
        )
        return Response({"results": SimilarProjectSerializer(found, many=True).data})

    @extend_schema(responses=DriverDiagramSerializer)
    @action(detail=True, methods=["get"], url_path="driver-diagram", filterset_class=None)
    def driver_diagram(self, request: Request, pk: str | None = None) -> Response:
        """The whole driver diagram: aim, primary drivers, their secondary drivers and the
        change ideas serving each, and ideas not yet linked to a driver."""
        project = get_object_or_404(
            selectors.project_list(user=request.user).prefetch_related(None), pk=pk
        )
        return Response(selectors.driver_diagram(project=project))


class ProjectMemberViewSet(
    ETagMixin,
    ETagDestroyMixin,
    IdempotentCreateMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Places on project teams (lead, member, coach, sponsor, lived-experience partner).
    The project's editors change its team; a project always keeps a lead."""

    serializer_class = ProjectMemberSerializer
    filterset_fields = ["project", "user", "role"]

    def get_queryset(self):
        return selectors.project_member_list(user=self.request.user)

    def perform_create(self, serializer: ProjectMemberSerializer) -> None:
        serializer.instance = services.project_member_add(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: ProjectMemberSerializer) -> None:
        role = serializer.validated_data.get("role", serializer.instance.role)
        serializer.instance = services.project_member_update(
            by=self.request.user, member=serializer.instance, role=role
        )

    def perform_destroy(self, instance: ProjectMember) -> None:
        services.project_member_remove(by=self.request.user, member=instance)
