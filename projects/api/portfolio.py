"""The portfolio by aim (``/api/v1/portfolio/``) and the measure summary table
(``/api/v1/portfolio/measures/``, also as CSV)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.errors import forbid
from backend.kept_pages import kept_answer
from backend.pagination import Pagination
from backend.selectors import role_in
from projects import selectors
from projects.api.common import CSVRenderer, ErrorsAsJSONMixin
from projects.filters import MeasureSummaryFilter
from projects.models import Measure
from projects.selectors.measure_table import (
    measure_summary_csv,
    measure_summary_for_ids,
    measure_summary_list,
    measure_summary_rows,
)
from projects.selectors.portfolio import (
    portfolio,
    portfolio_aim_projects,
    portfolio_organisation_ids,
)
from projects.serializers.portfolio import (
    MeasureSummaryRowSerializer,
    PortfolioAimProjectsSerializer,
    PortfolioQuerySerializer,
    PortfolioSerializer,
)

NOT_A_PORTFOLIO_READER = (
    "The portfolio by aim is for leaders, the QI team and administrators; every member "
    "can read the measure summary table at /api/v1/portfolio/measures/."
)


def _origin(request: Request) -> str:
    """Scheme and host, so links to charts work pasted into a spreadsheet or a paper."""
    return request.build_absolute_uri("/").rstrip("/")


def _ensure_portfolio_reader(request: Request, organisation_id: int | None) -> None:
    user = request.user
    if organisation_id is not None:
        if role_in(user=user, organisation_id=organisation_id) is None:
            raise Http404  # another organisation's: never confirm it exists
        if not selectors.can_read_portfolio(user=user, organisation_id=organisation_id):
            forbid(NOT_A_PORTFOLIO_READER)
    elif not portfolio_organisation_ids(user=user):
        forbid(NOT_A_PORTFOLIO_READER)


class PortfolioView(APIView):
    """Are we on track against our aims? Each strategic aim in its cascade with its own
    measures (latest value against target, variation and assurance icons) and, over the
    cascade, projects by status, units covered, projects showing special-cause
    improvement or concern and adopted changes (each a count and the top few, with a
    link to the rest) and their spread. ``?aim=`` drills into one aim: the projects of
    its cascade, paged (``show`` narrows them to those improving, of concern or with
    adopted changes). For leaders, the QI team and administrators, over the
    organisations where they hold that role."""

    pagination_class = Pagination

    @extend_schema(
        parameters=[PortfolioQuerySerializer],
        responses=PolymorphicProxySerializer(
            component_name="PortfolioOrAimProjects",
            serializers=[PortfolioSerializer, PortfolioAimProjectsSerializer],
            resource_type_field_name=None,
        ),
        tags=["portfolio"],
    )
    @kept_answer
    def get(self, request: Request) -> Response:
        query = PortfolioQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        organisation_id = query.validated_data.get("organisation")
        _ensure_portfolio_reader(request, organisation_id)
        aim_id = query.validated_data.get("aim")
        if aim_id is not None:
            return self._aim_projects(request, aim_id, query.validated_data["show"])
        return Response(
            portfolio(
                user=request.user,
                organisation_id=organisation_id,
                is_active=query.validated_data.get("is_active"),
                origin=_origin(request),
            )
        )

    def _aim_projects(self, request: Request, aim_id: int, show: str) -> Response:
        found = portfolio_aim_projects(
            user=request.user, aim_id=aim_id, show=show, origin=_origin(request)
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(found.projects, request, view=self)
        response = paginator.get_paginated_response(found.describe(page))
        response.data = {"aim": found.aim, **response.data}
        return response


class MeasureSummaryView(ErrorsAsJSONMixin, ListAPIView):
    """One row per measure: its project or aim, unit, direction and chart type, latest
    period and value against the target, the Making Data Count variation and assurance
    icons (exactly the chart's) and links to the chart as JSON and SVG. Every member of
    the organisation reads it, as they read each chart. Paged as JSON; ``?format=csv``
    (or ``Accept: text/csv``) gives every row matching the filters as one CSV file."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    serializer_class = MeasureSummaryRowSerializer  # the rows' shape, for the schema
    filterset_class = MeasureSummaryFilter  # applied by the selector; named for the schema

    def get_queryset(self) -> QuerySet[Measure]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Measure.objects.none()
        return measure_summary_list(user=self.request.user, filters=self.request.query_params)

    def filter_queryset(self, queryset: QuerySet[Measure]) -> QuerySet[Measure]:
        return queryset  # the selector filtered it, as the pages would

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["json", "csv"], required=False)],
        responses={
            (200, "application/json"): MeasureSummaryRowSerializer(many=True),
            (200, "text/csv"): str,
        },
        tags=["portfolio"],
    )
    @kept_answer
    def get(self, request: Request, *args, **kwargs):
        return self.list(request)

    def list(self, request: Request, *args, **kwargs):
        measures = self.get_queryset()
        origin = _origin(request)
        if request.accepted_renderer.format == "csv":
            response = StreamingHttpResponse(
                measure_summary_csv(measures, origin=origin),
                content_type="text/csv; charset=utf-8",
            )
            filename = f"ripple-measure-summary-{timezone.localdate().isoformat()}.csv"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        ids = self.paginate_queryset(measures.values_list("pk", flat=True))
        rows = measure_summary_rows(measure_summary_for_ids(ids), origin=origin)
        return self.get_paginated_response(rows)
