"""API for the self-assessment: ``/api/v1/assessments/``. Every member of the
organisation reads; the QI team, leaders and administrators start, answer, refresh the
evidence, agree and reopen."""

from __future__ import annotations

from django.http import Http404
from django.urls import include, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from assessment import selectors, services
from assessment.models import Answer, Assessment
from assessment.serializers import (
    AnswerSerializer,
    AssessmentListSerializer,
    AssessmentSerializer,
    ComparisonSerializer,
    ReopenSerializer,
)
from backend.etags import ETagReadMixin, IfMatchMixin, etag_response
from backend.idempotency import idempotent
from backend.kept_pages import kept_answer
from backend.routing import Router


class AssessmentViewSet(
    IfMatchMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Yearly self-assessments against the key tests, with their answers and the evidence
    Ripple computed. ``POST`` starts a year's (``organisation``, ``year``)."""

    filterset_fields = ["organisation", "year", "status"]

    def get_serializer_class(self):
        return AssessmentListSerializer if self.action == "list" else AssessmentSerializer

    def get_queryset(self):
        return selectors.with_answers(selectors.assessment_list(user=self.request.user))

    @kept_answer
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        # Read once: the representation a write answers with is the same serializer's,
        # over the same queryset, so the ETag matches.
        return etag_response(self.get_serializer(self.get_object()).data)

    def perform_create(self, serializer: AssessmentSerializer) -> None:
        serializer.instance = services.assessment_start(
            by=self.request.user, **serializer.validated_data
        )

    @idempotent
    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return self.etag_response(
            serializer.instance,
            status_code=status.HTTP_201_CREATED,
            location="assessment-detail",
        )

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def refresh(self, request: Request, pk: str | None = None) -> Response:
        """Compute the draft's evidence again from Ripple's data as it stands now."""
        with self.if_match(self.get_object()) as assessment:
            services.evidence_refresh(by=request.user, assessment=assessment)
        return self.etag_response(assessment)

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def agree(self, request: Request, pk: str | None = None) -> Response:
        """Agree the assessment: every key test rated; it becomes the record of the year."""
        with self.if_match(self.get_object()) as assessment:
            services.assessment_agree(by=request.user, assessment=assessment)
        return self.etag_response(assessment)

    @extend_schema(request=ReopenSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        """Reopen an agreed assessment, saying why."""
        body = ReopenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with self.if_match(self.get_object()) as assessment:
            services.assessment_reopen(
                by=request.user, assessment=assessment, **body.validated_data
            )
        return self.etag_response(assessment)

    @extend_schema(
        parameters=[
            OpenApiParameter("with", int, description="Another year (default: the one before).")
        ],
        responses=ComparisonSerializer,
    )
    @action(detail=True, methods=["get"], filterset_fields=None)
    def compare(self, request: Request, pk: str | None = None) -> Response:
        """Each key test's rating and figures beside another year's, and the summary by
        domain."""
        assessment = self.get_object()
        other = request.query_params.get("with")
        if other:
            if not other.isdigit():
                raise Http404
            before = (
                selectors.with_answers(Assessment.objects.all())
                .filter(organisation_id=assessment.organisation_id, year=int(other))
                .first()
            )
            if before is None:
                raise Http404
        else:
            before = selectors.previous_of(assessment)
        domains = selectors.by_domain(assessment, before)
        data = {
            "year": assessment.year,
            "compared_with": before.year if before else None,
            "domains": domains,
            "lines": [line for summary in domains for line in summary.lines],
        }
        return Response(ComparisonSerializer(data).data)


class AnswerViewSet(
    ETagReadMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """One key test's answer: ``PATCH`` with ``If-Match`` to rate it, write its narrative
    and link evidence."""

    serializer_class = AnswerSerializer
    lookup_field = "code"
    filterset_class = None

    def get_queryset(self):
        return selectors.answer_list(user=self.request.user).filter(
            assessment_id=self.kwargs["assessment_pk"]
        )

    def update(self, request: Request, *args, **kwargs) -> Response:
        partial = kwargs.pop("partial", False)
        with self.if_match(self.get_object()) as answer:
            body = self.get_serializer(answer, data=request.data, partial=partial)
            body.is_valid(raise_exception=True)
            answer = services.answer_update(by=request.user, answer=answer, **body.validated_data)
        return self.etag_response(Answer.objects.get(pk=answer.pk))


router = Router()
router.register("assessments", AssessmentViewSet, basename="assessment")

answer = AnswerViewSet.as_view({"get": "retrieve", "put": "update", "patch": "partial_update"})

urlpatterns = [
    path("assessments/<id:assessment_pk>/answers/<str:code>/", answer, name="assessment-answer"),
    path("", include(router.urls)),
]
