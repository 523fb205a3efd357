"""The API's JSON parser, with limits: a body too big or nested too deep is a clear 4xx.

Django caps only the bodies it reads itself (``request.body``, forms); DRF reads a JSON
body from the stream, uncapped, and Python's decoder meets a body nested a thousand
deep with a ``RecursionError``. Both are refused here, in the one error shape.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError

# Ripple's deepest document (a cycle with its questions, or an SPC request) is five
# levels deep; 32 leaves room for any honest client.
MAX_JSON_DEPTH = 32


class RequestTooLarge(APIException):
    """A body past ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413), however it was read."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self) -> None:
        limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        super().__init__(f"The request body is larger than the {limit_mb:g} MB this API accepts.")


def read_limited(stream) -> bytes:
    """The whole body, refused with 413 past ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""
    if stream is None:
        return b""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise RequestTooLarge()
    return body


def _depth(document: Any) -> int:
    """How deeply ``document`` nests lists and objects (a scalar is 0), without recursion."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, level = stack.pop()
        if not isinstance(node, dict | list):
            continue
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            break
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, level + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    """DRF's strict JSON parser, refusing bodies over the upload limit (413) and
    documents nested deeper than ``MAX_JSON_DEPTH`` (400)."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        body = read_limited(stream)
        encoding = parsers.get_encoding(parser_context or {})
        try:
            document = json.loads(body.decode(encoding), parse_constant=json_strict_constant)
        except RecursionError:
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.") from None
        except ValueError as exc:  # also UnicodeDecodeError
            raise ParseError(f"JSON parse error - {exc}") from None
        if not isinstance(document, dict | list):
            # Every route takes an object (or, for data, a list of rows); a bare null or
            # number would otherwise read as "no fields given" and pass as a no-op.
            raise ParseError("The JSON body must be an object or a list.")
        if _depth(document) > MAX_JSON_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
        return document


def json_strict_constant(name: str) -> Any:
    """Refuse ``NaN`` and ``Infinity``, which are not JSON (as DRF's strict mode does)."""
    raise ValueError(f"Out of range float values are not JSON compliant: {name!r}")
