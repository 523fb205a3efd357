"""``POST /api/v1/spc/analyse/``: the SPC engine over HTTP, with the same JSON contract."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.errors import ApplicationError
from projects.spc import SPCInputError, analyse, analyse_many

_EXAMPLE = {
    "chart": "xmr",
    "points": [
        {"x": f"2024-{month:02d}-01", "y": value}
        for month, value in enumerate([12, 14, 11, 13, 12, 15, 9, 8, 7, 8, 7, 6], start=1)
    ],
    "options": {"improvement_direction": "decrease", "target": 10},
}


def _field(error: SPCInputError) -> str | None:
    if error.index is None:
        return error.field
    return f"[{error.index}].{error.field}" if error.field else f"[{error.index}]"


class SPCAnalyseView(APIView):
    """Read a series with SPC: one document, or a JSON array of documents (see docs/spc.md).

    The body and the result are the engine's contract, exactly as the command line
    ``python -m projects.spc`` reads and writes them.
    """

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT},
        examples=[
            OpenApiExample("XmR, lower is better, with a target", value=_EXAMPLE, request_only=True)
        ],
        tags=["spc"],
    )
    def post(self, request: Request) -> Response:
        document = request.data
        try:
            if isinstance(document, list):
                return Response(analyse_many(document))
            return Response(analyse(document))
        except SPCInputError as error:
            raise ApplicationError(error.message, field=_field(error), code="invalid") from error


urlpatterns = [path("spc/analyse/", SPCAnalyseView.as_view(), name="spc-analyse")]
