"""API for notifications: a person's own list, unread count, marking read, preferences; and
the coach caseload, which asks the nudges' question: what needs a coach now?"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import include, path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.etags import etag_response, if_match
from backend.kept_pages import kept_answer
from backend.pagination import CursorPagination
from backend.routing import Router
from backend.schema import ErrorSerializer
from notifications import selectors, services
from notifications.filters import NotificationFilter
from notifications.models import Notification
from notifications.serializers import (
    CaseloadQuerySerializer,
    CaseloadSerializer,
    NotificationSerializer,
    PreferenceSerializer,
    ReadAllSerializer,
    UnreadCountSerializer,
    caseload_data,
)


class NotificationCursor(CursorPagination):
    """Newest first; a cursor, so a page never repeats or skips a row as new ones arrive."""

    ordering = "-id"
    page_size = 30
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema(tags=["notifications"])
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your nudges, celebrations and digests, newest first. Nobody sees anyone else's."""

    serializer_class = NotificationSerializer
    pagination_class = NotificationCursor
    filterset_class = NotificationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Notification.objects.none()
        return selectors.notification_list(user=self.request.user)

    @extend_schema(responses=UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count", filterset_class=None)
    def unread_count(self, request: Request) -> Response:
        """How many of your notifications are unread (for the badge)."""
        count = selectors.notification_unread_count(user=request.user)
        return Response(UnreadCountSerializer({"unread": count}).data)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def read(self, request: Request, pk: str | None = None) -> Response:
        """Mark one notification read (again is fine: it stays read since the first time)."""
        notification = get_object_or_404(self.get_queryset(), pk=pk)
        notification = services.notification_mark_read(notification=notification, by=request.user)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=ReadAllSerializer)
    @action(detail=False, methods=["post"], url_path="read-all", filterset_class=None)
    def read_all(self, request: Request) -> Response:
        """Mark all your notifications read."""
        changed = services.notifications_mark_all_read(user=request.user)
        return Response(ReadAllSerializer({"marked_read": changed}).data)

    @extend_schema(
        methods=["GET"], responses=PreferenceSerializer, summary="Your notification preferences"
    )
    @extend_schema(
        methods=["PUT"],
        request=PreferenceSerializer,
        responses={200: PreferenceSerializer, 412: OpenApiResponse(description="Stale If-Match")},
        summary="Change your notification preferences",
    )
    @action(detail=False, methods=["get", "put"], filterset_class=None, pagination_class=None)
    def preferences(self, request: Request) -> Response:
        """Channels (in-app, e-mail), muted kinds, digest weekday and quiet hours. Defaults
        until you change them: both channels, nothing muted, Monday, no quiet hours."""
        current = selectors.preference_get(user=request.user)
        if request.method == "PUT":
            data = PreferenceSerializer(current, data=request.data)
            data.is_valid(raise_exception=True)
            with if_match(request, lock=current, represent=lambda p: PreferenceSerializer(p).data):
                current = services.preference_update(user=request.user, **data.validated_data)
        return etag_response(PreferenceSerializer(current).data)


@extend_schema(tags=["caseload"])
class CaseloadView(APIView):
    @extend_schema(
        parameters=[CaseloadQuerySerializer],
        responses={
            200: CaseloadSerializer,
            400: ErrorSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No such coach or organisation."),
        },
    )
    @kept_answer
    def get(self, request: Request) -> Response:
        """A coach's open projects, most in need first, with why and what to do next, and
        their load against capacity.

        Order (the weekly digest's): stalled; then more overdue cycles; more measures with
        a special-cause concern on the latest point; more data gaps and studies waiting;
        more wins (special-cause improvement on the latest point); then title. Your own
        caseload by default (empty if you coach no project); the QI team and admins may
        read another coach's with ``coach``."""
        query = CaseloadQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        caseload = selectors.caseload_get(
            user=request.user,
            coach_id=query.validated_data.get("coach"),
            organisation_id=query.validated_data.get("organisation"),
        )
        return Response(caseload_data(caseload))


router = Router()
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("", include(router.urls)),
    path("caseload/", CaseloadView.as_view(), name="caseload"),
]
