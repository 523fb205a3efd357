"""The OpenAPI schema: drf-spectacular, plus the error shape and the phone-safe headers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

IDEMPOTENCY_HEADER = "Idempotency-Key"


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="Dotted path into the body.")
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """The one shape of every error response."""

    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField(help_text="A human summary naming the first field at fault.")
    errors = ErrorItemSerializer(many=True)

    class Meta:
        ref_name = "Error"


_ERROR_CODES = {
    "GET": ("401", "403", "404"),
    "POST": ("400", "401", "403", "404", "409", "422"),
    "PUT": ("400", "401", "403", "404", "412"),
    "PATCH": ("400", "401", "403", "404", "412"),
    "DELETE": ("401", "403", "404", "412"),
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the error responses and the phone-safe headers."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in _ERROR_CODES.get(self.method, ()):
            if self.method == "GET" and code == "404" and "{" not in self.path:
                continue
            responses.setdefault(
                code, self._get_response_for_code(ErrorSerializer, code, direction=direction)
            )
        return responses

    def get_override_parameters(self) -> list[Any]:
        params = list(super().get_override_parameters())
        if self.method == "POST":
            params.append(
                OpenApiParameter(
                    IDEMPOTENCY_HEADER,
                    str,
                    OpenApiParameter.HEADER,
                    required=False,
                    description="A client-made unique key: a retry with the same key and body "
                    "replays the first response and creates nothing.",
                )
            )
        if self.method in ("PUT", "PATCH", "DELETE") and "{" in self.path:
            params.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    required=False,
                    description="The ETag from your last read; a stale one is refused with 412.",
                )
            )
        return params
