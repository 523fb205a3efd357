"""API for spread: candidates and their review, opportunities, targets, adoptions, a
unit's suggestions and the learning library.

Creates (nominate, target, take up) honour ``Idempotency-Key``; every change to a
candidate, its package or an adoption honours ``If-Match``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from backend.etags import ETagDestroyMixin, IfMatchMixin, etag_response, if_match
from backend.idempotency import idempotent
from backend.pagination import Pagination
from backend.selectors import unit_list
from projects.selectors import object_history
from projects.serializers import HistoryEntrySerializer
from spread import selectors, services
from spread.filters import CandidateFilter
from spread.models import Adoption, ChangePackage, SpreadCandidate, SpreadTarget
from spread.serializers import (
    AdoptionCreateSerializer,
    AdoptionSerializer,
    AdoptionUpdateSerializer,
    ApproveSerializer,
    CandidateSerializer,
    DeclineSerializer,
    LearningEntrySerializer,
    LearningQuerySerializer,
    NominateSerializer,
    OpportunitySerializer,
    PackageSerializer,
    RetireSerializer,
    SuggestionSerializer,
    TargetSerializer,
)


class HistoryMixin:
    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Who changed what, and when, newest first."""
        entries = object_history(instance=self.get_object())
        return Response({"count": len(entries), "results": entries})


class CandidateViewSet(
    HistoryMixin,
    IfMatchMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Changes put forward for spread. Teams and coaches nominate (``POST``); the QI team
    reviews, approves (proven only) or declines (with a reason), and retires. Everyone in
    the organisation browses approved ones."""

    serializer_class = CandidateSerializer
    filterset_class = CandidateFilter

    def get_queryset(self):
        return selectors.candidate_list(user=self.request.user)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return self._respond(self.get_object())

    def _respond(self, candidate: SpreadCandidate, code: int = status.HTTP_200_OK) -> Response:
        return self.etag_response(candidate, status_code=code, location="spread-candidate-detail")

    def _guarded(self, change: Callable[[SpreadCandidate], Any]) -> Response:
        """Apply ``change`` to the candidate, refusing (412) a stale ``If-Match``."""
        with self.if_match(self.get_object()) as candidate:
            change(candidate)
        return self._respond(candidate)

    @extend_schema(request=NominateSerializer, responses={201: CandidateSerializer})
    @idempotent
    def create(self, request: Request) -> Response:
        """Nominate an adopted change; without an SPC signal it is "early promise"."""
        body = NominateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        candidate = services.candidate_nominate(by=request.user, **body.validated_data)
        return self._respond(candidate, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CandidateSerializer)
    @action(detail=True, methods=["post"], url_path="review")
    def review(self, request: Request, pk: str | None = None) -> Response:
        """The QI team starts reviewing a proposed candidate."""
        return self._guarded(
            lambda candidate: services.candidate_review_start(by=request.user, candidate=candidate)
        )

    @extend_schema(request=ApproveSerializer, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a proven candidate, with its change package; "early promise" is refused."""
        body = ApproveSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return self._guarded(
            lambda candidate: services.candidate_approve(
                by=request.user, candidate=candidate, package=body.validated_data.get("package")
            )
        )

    @extend_schema(request=DeclineSerializer, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        """Decline a candidate; ``reason`` is required (the team reads it)."""
        body = DeclineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._guarded(
            lambda candidate: services.candidate_decline(
                by=request.user, candidate=candidate, reason=body.validated_data["reason"]
            )
        )

    @extend_schema(request=RetireSerializer, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str | None = None) -> Response:
        """Stop offering an approved change (adoptions under way carry on)."""
        body = RetireSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._guarded(
            lambda candidate: services.candidate_retire(
                by=request.user, candidate=candidate, reason=body.validated_data["reason"]
            )
        )

    @extend_schema(request=None, responses=CandidateSerializer)
    @action(detail=True, methods=["post"], url_path="refresh-evidence")
    def refresh_evidence(self, request: Request, pk: str | None = None) -> Response:
        """Check the SPC evidence again with the latest data."""
        return self._guarded(
            lambda candidate: services.candidate_evidence_refresh(
                by=request.user, candidate=candidate
            )
        )

    @extend_schema(responses=PackageSerializer)
    @action(detail=True, methods=["get"])
    def package(self, request: Request, pk: str | None = None) -> Response:
        """The change package: what, how, where it worked, evidence, cycles, contact."""
        return etag_response(self._package(self.get_object()))

    def _package(self, candidate: SpreadCandidate) -> dict[str, Any]:
        package = ChangePackage.objects.filter(candidate=candidate).first()
        return PackageSerializer(package, context=self.get_serializer_context()).data

    @extend_schema(request=PackageSerializer, responses=PackageSerializer)
    @package.mapping.patch
    def package_update(self, request: Request, pk: str | None = None) -> Response:
        """Write the change package (the QI team or the origin team); honours If-Match."""
        candidate = self.get_object()
        body = PackageSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        # The package may not exist yet: the candidate's row is the one held.
        with if_match(request, lock=candidate, represent=self._package) as locked:
            services.package_update(by=request.user, candidate=locked, **body.validated_data)
        return etag_response(self._package(candidate))

    @extend_schema(responses=OpportunitySerializer(many=True))
    @action(detail=True, methods=["get"])
    def opportunities(self, request: Request, pk: str | None = None) -> Response:
        """The organisation's units that could take this change up, best first, each with
        a score (0-100) and the reasons; units the QI team targeted are flagged."""
        found = selectors.candidate_opportunities(candidate=self.get_object())
        page = self.paginate_queryset(found)
        return self.get_paginated_response(OpportunitySerializer(page, many=True).data)

    @extend_schema(responses=dict)
    @action(detail=True, methods=["get"])
    def reach(self, request: Request, pk: str | None = None) -> Response:
        """Units adopted out of units targeted, and each adopter's own evidence."""
        return Response(selectors.candidate_reach(candidate=self.get_object()))


class TargetViewSet(ETagDestroyMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Units the QI team targets for an approved change."""

    serializer_class = TargetSerializer
    filterset_fields = ["candidate", "unit"]

    def get_queryset(self):
        return selectors.target_list(user=self.request.user)

    @extend_schema(request=TargetSerializer, responses={201: TargetSerializer})
    @idempotent
    def create(self, request: Request) -> Response:
        body = TargetSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        target, created = services.target_add(by=request.user, **body.validated_data)
        data = TargetSerializer(target, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def perform_destroy(self, instance: SpreadTarget) -> None:
        services.target_remove(by=self.request.user, target=instance)


class AdoptionViewSet(
    HistoryMixin,
    IfMatchMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Units taking a change up. ``POST`` takes it up (a pre-filled project of the unit's
    own) or records that the unit declines; ``PATCH`` moves it on."""

    serializer_class = AdoptionSerializer
    filterset_fields = ["candidate", "unit", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.adoption_list(user=self.request.user)

    def _respond(self, adoption: Adoption, code: int = status.HTTP_200_OK) -> Response:
        return self.etag_response(adoption, status_code=code, location="spread-adoption-detail")

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return self._respond(self.get_object())

    @extend_schema(request=AdoptionCreateSerializer, responses={201: AdoptionSerializer})
    @idempotent
    def create(self, request: Request) -> Response:
        body = AdoptionCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        adoption = services.adoption_create(by=request.user, **body.validated_data)
        return self._respond(adoption, status.HTTP_201_CREATED)

    @extend_schema(request=AdoptionUpdateSerializer, responses=AdoptionSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        adoption = selectors.adoption_get(user=request.user, pk=pk)
        body = AdoptionUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with self.if_match(adoption) as locked:
            services.adoption_update(by=request.user, adoption=locked, **body.validated_data)
        return self._respond(adoption)


class UnitSpreadSuggestionsView(APIView):
    """Changes that worked elsewhere for measures this unit tracks, best first."""

    @extend_schema(responses=SuggestionSerializer(many=True), tags=["spread"])
    def get(self, request: Request, pk: int) -> Response:
        unit = get_object_or_404(unit_list(user=request.user), pk=pk)
        found = selectors.unit_spread_suggestions(user=request.user, unit=unit)
        return Response(
            {"count": len(found), "results": SuggestionSerializer(found, many=True).data}
        )


class LearningView(APIView):
    """The learning library: "has this been tried before?" across every team's tested
    change ideas (adopted, adapted, abandoned, testing), with their learning and context."""

    @extend_schema(
        parameters=[LearningQuerySerializer],
        responses=LearningEntrySerializer(many=True),
        tags=["spread"],
    )
    def get(self, request: Request) -> Response:
        params = LearningQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = dict(params.validated_data)
        ideas = selectors.learning_search(
            user=request.user, query=filters.pop("q"), filters=filters
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(ideas, request, view=self)
        visible = set(
            selectors.candidate_list(user=request.user)
            .filter(change_idea__in=[idea.pk for idea in page])
            .values_list("pk", flat=True)
        )
        data = LearningEntrySerializer(
            page, many=True, context={"visible_candidate_ids": visible}
        ).data
        return paginator.get_paginated_response(data)


router = SimpleRouter()
router.register("spread/candidates", CandidateViewSet, basename="spread-candidate")
router.register("spread/targets", TargetViewSet, basename="spread-target")
router.register("spread/adoptions", AdoptionViewSet, basename="spread-adoption")

urlpatterns = [
    path("", include(router.urls)),
    path(
        "units/<int:pk>/spread-suggestions/",
        UnitSpreadSuggestionsView.as_view(),
        name="unit-spread-suggestions",
    ),
    path("learning/", LearningView.as_view(), name="learning"),
]
