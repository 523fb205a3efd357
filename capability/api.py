"""API for capability under ``/api/v1/capability/``: the course catalogue, people and
their training records (with the HR import), headcounts, the dosing ratios (targets),
the pyramid, the skills directory, partners' involvement and leaders' engagement."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.errors import refuse
from backend.etags import (
    ETagDestroyMixin,
    ETagMixin,
    ETagReadMixin,
    etag_response,
    if_match,
)
from backend.idempotency import IdempotentCreateMixin, idempotent
from backend.kept_pages import kept_answer
from backend.routing import Router
from backend.selectors import organisation_list
from capability import levels, selectors, services
from capability.filters import PersonFilter, RecordFilter
from capability.models import DosingRatios, Headcount, Person
from capability.serializers import (
    CourseSerializer,
    DirectoryEntrySerializer,
    EngagementSerializer,
    HeadcountSerializer,
    ImportResultSerializer,
    InvolvementSerializer,
    LevelSetSerializer,
    PersonRecordSerializer,
    PyramidSerializer,
    RatiosSerializer,
    RecordDeclineSerializer,
    TrainingRecordSerializer,
)
from projects.api.common import HistoryMixin
from projects.api.files import CSVBodyParser
from projects.data_csv import MAX_CSV_BYTES

ORGANISATION = OpenApiParameter(
    "organisation",
    int,
    required=False,
    description="Which of your organisations (default: the first).",
)


def _organisation(request: Request, roles: frozenset[str], refusal: str):
    return selectors.organisation_for(
        user=request.user,
        roles=roles,
        chosen=request.query_params.get("organisation"),
        refusal=refusal,
    )


class CourseViewSet(
    ETagMixin,
    IdempotentCreateMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The course catalogue and the escalator level each course gives. Every member reads
    it; the QI team and administrators keep it."""

    serializer_class = CourseSerializer
    filterset_fields = ["organisation", "level", "is_active"]

    def get_queryset(self):
        return selectors.course_list(user=self.request.user)

    def perform_create(self, serializer: CourseSerializer) -> None:
        serializer.instance = services.course_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: CourseSerializer) -> None:
        serializer.instance = services.course_update(
            by=self.request.user, course=serializer.instance, **serializer.validated_data
        )


class PersonViewSet(
    ETagMixin,
    IdempotentCreateMixin,
    HistoryMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """People's training records and levels: the QI team and administrators read and
    keep everyone's; everyone reads their own and chooses whether the skills directory
    lists them (``listed``)."""

    serializer_class = PersonRecordSerializer
    filterset_class = PersonFilter

    def get_queryset(self):
        return selectors.person_list(user=self.request.user)

    def perform_create(self, serializer: PersonRecordSerializer) -> None:
        serializer.instance = services.person_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: PersonRecordSerializer) -> None:
        serializer.instance = services.person_update(
            by=self.request.user, person=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=LevelSetSerializer, responses=PersonRecordSerializer)
    @action(detail=True, methods=["post"])
    def level(self, request: Request, pk: str | None = None) -> Response:
        """Set the person's level by hand, with a reason (the history keeps both); an
        empty ``level`` goes back to what the records show."""
        body = LevelSetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with self.if_match(self.get_object()) as person:
            person = services.person_set_level(
                by=request.user, person=person, **body.validated_data
            )
        return self.etag_response(person)


class TrainingRecordViewSet(
    ETagReadMixin,
    IdempotentCreateMixin,
    HistoryMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Courses people completed. ``POST`` without ``person`` adds to your own record, for
    the QI team's approval; the QI team approves, declines and imports."""

    serializer_class = TrainingRecordSerializer
    filterset_class = RecordFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.record_list(user=self.request.user)

    def perform_create(self, serializer: TrainingRecordSerializer) -> None:
        data = dict(serializer.validated_data)
        person = data.pop("person", None)
        if person is None:
            person = services.person_ensure(
                user=self.request.user, organisation=data["course"].organisation
            )
        serializer.instance = services.record_add(by=self.request.user, person=person, **data)

    @extend_schema(request=None, responses=TrainingRecordSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a course someone added for themselves: it counts towards their level."""
        with self.if_match(self.get_object()) as record:
            record = services.record_approve(by=request.user, record=record)
        return self.etag_response(record)

    @extend_schema(request=RecordDeclineSerializer, responses=TrainingRecordSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        """Decline a course someone added, saying why."""
        body = RecordDeclineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with self.if_match(self.get_object()) as record:
            record = services.record_decline(by=request.user, record=record, **body.validated_data)
        return self.etag_response(record)

    @extend_schema(
        parameters=[ORGANISATION],
        request={"text/csv": OpenApiTypes.BINARY, "multipart/form-data": OpenApiTypes.OBJECT},
        responses=ImportResultSerializer,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[CSVBodyParser, MultiPartParser],
        filterset_class=None,
    )
    @idempotent
    def import_csv(self, request: Request) -> Response:
        """Import records from an HR system's CSV file (the body, or the ``file`` field of
        a form): all or nothing, every bad row named. Columns: email, name, unit, course,
        completed_on, evidence_url."""
        organisation = _organisation(
            request, selectors.RECORD_KEEPER_ROLES, f"{selectors.WHO_KEEPS_RECORDS} import records."
        )
        raw = request.data if isinstance(request.data, bytes) else None
        if raw is None:
            upload = request.data.get("file")
            if upload is None:
                refuse(
                    "Send the CSV file as the body (text/csv) or as the field 'file'.", field="file"
                )
            raw = upload.read(MAX_CSV_BYTES + 1)
        result = services.records_import(by=request.user, organisation=organisation, raw=raw)
        return Response(ImportResultSerializer(result).data, status=status.HTTP_201_CREATED)


class TrainingEvidenceView(APIView):
    """The file someone attached as evidence of a course (they and the QI team only)."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> FileResponse:
        record = get_object_or_404(selectors.record_list(user=request.user), pk=pk)
        if not record.evidence_file:
            raise Http404
        return FileResponse(record.evidence_file.open("rb"), as_attachment=True)


class HeadcountViewSet(
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
    """How many staff work in each unit: what the targets are sized from. A unit's count
    includes everyone beneath it."""

    serializer_class = HeadcountSerializer

    def get_queryset(self):
        readable = [
            org.pk
            for org in organisation_list(user=self.request.user)
            if selectors.may(
                user=self.request.user, organisation_id=org.pk, roles=selectors.PYRAMID_READER_ROLES
            )
        ]
        return Headcount.objects.filter(organisation_id__in=readable).select_related("unit")

    def perform_create(self, serializer: HeadcountSerializer) -> None:
        serializer.instance = services.headcount_set(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: HeadcountSerializer) -> None:
        serializer.instance = services.headcount_set(
            by=self.request.user,
            unit=serializer.instance.unit,
            staff=serializer.validated_data.get("staff", serializer.instance.staff),
        )

    def perform_destroy(self, instance: Headcount) -> None:
        services.headcount_remove(by=self.request.user, headcount=instance)


class TargetsView(APIView):
    """An organisation's dosing ratios (``PUT`` with ``If-Match`` to change them) and the
    targets they give for its headcount."""

    def _read(self, request: Request, organisation_id: int) -> DosingRatios:
        organisation = selectors.organisation_for(
            user=request.user,
            roles=selectors.PYRAMID_READER_ROLES,
            chosen=organisation_id,
            refusal=f"{selectors.WHO_READS_PYRAMID} read the targets.",
        )
        return selectors.ratios_of(organisation)

    def _represent(self, ratios: DosingRatios) -> dict:
        headcount = selectors.pyramid(organisation=ratios.organisation)["whole"].headcount
        return RatiosSerializer(ratios, context={"headcount": headcount}).data

    @extend_schema(responses=RatiosSerializer)
    def get(self, request: Request, organisation_id: int) -> Response:
        return etag_response(self._represent(self._read(request, organisation_id)))

    @extend_schema(request=RatiosSerializer, responses=RatiosSerializer)
    def put(self, request: Request, organisation_id: int) -> Response:
        ratios = self._read(request, organisation_id)
        body = RatiosSerializer(ratios, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changes = {k: v for k, v in body.validated_data.items() if k != "organisation_id"}
        with if_match(request, lock=ratios, represent=self._represent) as locked:
            ratios = services.ratios_update(
                by=request.user, organisation=locked.organisation, **changes
            )
        return etag_response(self._represent(ratios))

    patch = put


class PyramidView(APIView):
    """The capability pyramid against the dosing target: the organisation, each
    division, the support services together and each of them, with the gaps in words,
    and how many were trained each quarter."""

    @extend_schema(parameters=[ORGANISATION], responses=PyramidSerializer)
    @kept_answer
    def get(self, request: Request) -> Response:
        organisation = _organisation(
            request,
            selectors.PYRAMID_READER_ROLES,
            f"{selectors.WHO_READS_PYRAMID} read the pyramid.",
        )
        data = selectors.pyramid(organisation=organisation)
        data["per_quarter"] = selectors.trained_per_quarter(
            organisation=organisation, as_of=timezone.localdate()
        )
        return etag_response(PyramidSerializer(data).data)


class DirectoryView(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The skills directory: trained people who have not opted out, with what they have
    done (projects led, cycles run, projects coached now). Every member may search it."""

    serializer_class = DirectoryEntrySerializer
    filterset_class = None

    @extend_schema(
        parameters=[
            ORGANISATION,
            OpenApiParameter("level", str, enum=list(levels.LEVELS)),
            OpenApiParameter("unit", int),
            OpenApiParameter("experience", str, enum=["led", "cycles", "coaching"]),
            OpenApiParameter("q", str),
        ]
    )
    @kept_answer
    def list(self, request: Request, *args, **kwargs) -> Response:
        page = selectors.with_experience(self.paginate_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema, drawn with no one asking
            return Person.objects.none()
        organisation = _organisation(self.request, selectors.MEMBER_ROLES, "")
        return selectors.directory(
            user=self.request.user, organisation=organisation, filters=self.request.query_params
        )


class InvolvementView(APIView):
    """The share of projects under way with a lived-experience partner on the team, for
    the organisation and by division."""

    @extend_schema(parameters=[ORGANISATION], responses=InvolvementSerializer)
    def get(self, request: Request) -> Response:
        organisation = _organisation(
            request, selectors.PYRAMID_READER_ROLES, f"{selectors.WHO_READS_PYRAMID} read this."
        )
        return etag_response(
            InvolvementSerializer(selectors.partner_involvement(organisation=organisation)).data
        )


class EngagementViewSet(
    ETagReadMixin,
    ETagDestroyMixin,
    IdempotentCreateMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Leaders' visits to projects and stories heard at the board, with what they learned
    (key test L2). Leaders, the QI team and administrators record them."""

    serializer_class = EngagementSerializer
    filterset_fields = ["organisation", "kind", "leader", "project"]

    def get_queryset(self):
        return selectors.engagement_list(user=self.request.user)

    def perform_create(self, serializer: EngagementSerializer) -> None:
        serializer.instance = services.engagement_record(
            by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance) -> None:
        services.engagement_delete(by=self.request.user, engagement=instance)


router = Router()
router.register("courses", CourseViewSet, basename="course")
router.register("people", PersonViewSet, basename="person")
router.register("records", TrainingRecordViewSet, basename="training-record")
router.register("headcounts", HeadcountViewSet, basename="headcount")
router.register("engagements", EngagementViewSet, basename="engagement")
router.register("directory", DirectoryView, basename="directory")

urlpatterns = [
    path(
        "capability/records/<id:pk>/evidence/",
        TrainingEvidenceView.as_view(),
        name="training-evidence",
    ),
    path("capability/targets/<id:organisation_id>/", TargetsView.as_view(), name="targets"),
    path("capability/pyramid/", PyramidView.as_view(), name="pyramid"),
    path("capability/partner-involvement/", InvolvementView.as_view(), name="partner-involvement"),
    path("capability/", include(router.urls)),
]
