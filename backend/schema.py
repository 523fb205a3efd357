"""The OpenAPI schema: drf-spectacular, plus the error shape and the phone-safe headers."""

from __future__ import annotations

from functools import cache
from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter, inline_serializer
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


@cache  # one component per name, however many views answer it
def whole_list(name: str, item: type[serializers.Serializer]) -> serializers.Serializer:
    """The schema of a list answered whole, never paged (a record's history, a unit's
    similar projects): ``{"count": n, "results": [...]}``. Its view sets
    ``pagination_class=None``."""
    return inline_serializer(
        name=name, fields={"count": serializers.IntegerField(), "results": item(many=True)}
    )


# The errors each method can answer, all in the one shape. Any request may be refused for
# its query (400), its sign-in (401), its rights (403) or a record or page that is not
# there (404), or be throttled (429); a database that cannot answer is a 503. A body may
# be malformed or too large (400, 413) or of a type the route does not read (415); a
# create's key may be in use (409) or reused for another body (422); a write may rest on
# a stale ETag (412) or on a record others rely on (400, 409).
_ANY = ("400", "401", "403", "404", "429", "503")
_BODY = ("409", "413", "415")
_ERROR_CODES = {
    "GET": _ANY,
    "POST": (*_ANY, *_BODY, "422"),
    "PUT": (*_ANY, *_BODY, "412"),
    "PATCH": (*_ANY, *_BODY, "412"),
    "DELETE": (*_ANY, "409", "412"),
}
# Times of day as DRF writes and reads them (TIME_INPUT_FORMATS): "22:00", "22:00:00"
# or "22:00:00.5". JSON Schema's "time" format would demand a UTC offset.
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the error responses and the phone-safe headers."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in _ERROR_CODES.get(self.method, ()):
            responses.setdefault(
                code, self._get_response_for_code(ErrorSerializer, code, direction=direction)
            )
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.TimeField):
            for variant in schema.get("anyOf", [schema]):
                if variant.get("format") == "time":
                    del variant["format"]
                    variant["pattern"] = TIME_PATTERN
        return schema

    def _honours_idempotency_key(self) -> bool:
        from backend.idempotency import honours_idempotency_key

        action = getattr(self.view, "action", None)
        return honours_idempotency_key(getattr(self.view, action or "post", None))

    def get_override_parameters(self) -> list[Any]:
        params = list(super().get_override_parameters())
        if self.method == "POST" and self._honours_idempotency_key():
            params.append(
                OpenApiParameter(
                    IDEMPOTENCY_HEADER,
                    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"\S"},
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
