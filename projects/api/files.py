"""A measure's data as CSV (export and import) and its chart as SVG."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.idempotency import idempotent
from projects import selectors, services
from projects.api.common import CSVRenderer, ErrorsAsJSONMixin, SVGRenderer
from projects.api.measures import upsert_response
from projects.chart_svg import render_chart_svg
from projects.data_csv import MAX_CSV_BYTES, decode_csv, parse_data_csv, typed_rows
from projects.models import Measure
from projects.serializers import DataUpsertResultSerializer


class CSVBodyParser(BaseParser):
    """A request whose body is the CSV file itself (``Content-Type: text/csv``)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        return stream.read(MAX_CSV_BYTES + 1) if stream is not None else b""


def _measure(request: Request, pk: int) -> Measure:
    return get_object_or_404(selectors.measure_list(user=request.user), pk=pk)


def _uploaded_csv(request: Request) -> bytes:
    if isinstance(request.data, bytes):
        return request.data
    upload = request.FILES.get("file") or next(iter(request.FILES.values()), None)
    if upload is None:
        raise ValidationError(
            {"file": "Send the CSV as the request body (text/csv) or as a form field 'file'."}
        )
    return upload.read(MAX_CSV_BYTES + 1)


class MeasureDataCSVView(ErrorsAsJSONMixin, APIView):
    """``/api/v1/measures/{id}/data.csv``: GET the data as CSV (period, value, numerator,
    denominator, note); POST or PUT a CSV (the body, or a form field ``file``) to upsert
    by period, all or nothing. A bad cell is reported by its row in the file (the header
    is row 1) and its column: ``row 5.value``."""

    parser_classes = [CSVBodyParser, MultiPartParser]
    renderer_classes = [CSVRenderer, JSONRenderer]

    def perform_content_negotiation(self, request: Request, force: bool = False):
        if request.method != "GET":  # an import answers with its JSON report
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request: Request, pk: int) -> HttpResponse:
        measure = _measure(request, pk)
        response = HttpResponse(
            selectors.data_points_csv(measure=measure), content_type="text/csv; charset=utf-8"
        )
        filename = f"measure-{measure.pk}-{slugify(measure.name)[:60]}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @extend_schema(
        request={"text/csv": OpenApiTypes.BINARY, "multipart/form-data": OpenApiTypes.OBJECT},
        responses=DataUpsertResultSerializer,
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        measure = _measure(request, pk)
        rows, labels = typed_rows(parse_data_csv(decode_csv(_uploaded_csv(request))))
        result = services.data_points_upsert(
            measure=measure, rows=rows, labels=labels, by=request.user
        )
        return upsert_response(result)

    @extend_schema(
        request={"text/csv": OpenApiTypes.BINARY, "multipart/form-data": OpenApiTypes.OBJECT},
        responses=DataUpsertResultSerializer,
    )
    def put(self, request: Request, pk: int) -> Response:
        return self.post(request, pk)


class MeasureChartSVGView(ErrorsAsJSONMixin, APIView):
    """``/api/v1/measures/{id}/chart.svg``: the chart in the Making Data Count style, to
    paste into a board paper or an e-mail."""

    renderer_classes = [SVGRenderer, JSONRenderer]

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.STR})
    def get(self, request: Request, pk: int) -> HttpResponse:
        chart = selectors.measure_chart(measure=_measure(request, pk))
        response = HttpResponse(render_chart_svg(chart), content_type="image/svg+xml")
        response["Content-Disposition"] = f'inline; filename="measure-{pk}-chart.svg"'
        return response
