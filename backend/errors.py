"""One error shape for the whole API.

Every error, whatever raised it, leaves as::

    {"status": 400, "code": "invalid", "message": "title: This field is required.",
     "errors": [{"field": "title", "code": "required", "message": "This field is required."}]}

``field`` is a dotted path into the request body (``questions[0].prediction``), or null
for an error about the request as a whole.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from backend.parsers import RequestTooLarge

NON_FIELD_KEYS = {"non_field_errors", "__all__"}


class ApplicationError(Exception):
    """A business rule refused the request; the message is written for the user."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str = "refused",
        status_code: int = status.HTTP_400_BAD_REQUEST,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.status_code = status_code
        self.extra = extra or {}


def forbid(message: str) -> NoReturn:
    """Refuse (403) someone who may see the record but not do this to it; the message
    says who can, so they know whom to ask."""
    raise ApplicationError(message, code="permission_denied", status_code=status.HTTP_403_FORBIDDEN)


def refuse(message: str, *, field: str | None = None, code: str = "refused") -> NoReturn:
    """Refuse (400) a request that breaks a rule, naming the field at fault."""
    raise ApplicationError(message, field=field, code=code)


def error_body(
    status_code: int, code: str, errors: list[dict[str, Any]], message: str | None = None
) -> dict[str, Any]:
    """Build the one error shape; the summary message names the first field at fault."""
    if message is None:
        first = errors[0] if errors else {"field": None, "message": "Request failed."}
        message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return {"status": status_code, "code": code, "message": message, "errors": errors}


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def flatten(detail: Any, path: str = "") -> list[dict[str, Any]]:
    """Turn DRF's nested error detail into a flat list with dotted field paths."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            sub = path if key in NON_FIELD_KEYS else _join(path, key)
            out.extend(flatten(value, sub))
        return out
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [_entry(path, item) for item in detail]
        out = []
        for index, item in enumerate(detail):
            if isinstance(item, str):
                out.append(_entry(path, item))
            elif item:  # empty dicts stand for the rows of a list that were fine
                out.extend(flatten(item, _join(path, index)))
        return out
    return [_entry(path, detail)]


def _entry(path: str, detail: Any) -> dict[str, Any]:
    return {
        "field": path or None,
        "code": getattr(detail, "code", "invalid"),
        "message": str(detail),
    }


def _from_django_validation_error(exc: DjangoValidationError) -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            {
                "field": None if key in NON_FIELD_KEYS else key,
                "code": err.code or "invalid",
                "message": " ".join(err.messages),
            }
            for key, errs in exc.error_dict.items()
            for err in errs
        ]
    return [
        {"field": None, "code": err.code or "invalid", "message": " ".join(err.messages)}
        for err in exc.error_list
    ]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler, answering every error in the one shape."""
    headers: dict[str, str] = {}
    if isinstance(exc, ApplicationError):
        errors = [{"field": exc.field, "code": exc.code, "message": exc.message}]
        body = error_body(exc.status_code, exc.code, errors, message=exc.message)
        body.update(exc.extra)
        set_rollback()
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response(error_body(400, "invalid", _from_django_validation_error(exc)), status=400)
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        # Keep the service's message: it tells the user who may do this.
        exc = exceptions.PermissionDenied(str(exc) or None)
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: let it surface as a 500 (answered in the same shape below)

    if isinstance(exc, exceptions.ValidationError):
        errors = flatten(exc.detail)
        code = "invalid"
    else:
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        errors = [{"field": None, "code": code, "message": str(exc.detail)}]
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    return Response(
        error_body(exc.status_code, code, errors), status=exc.status_code, headers=headers
    )


def json_error_view(status_code: int, code: str, message: str):
    """A plain Django view answering in the API's error shape (for 404/500 handlers)."""

    def view(request, *args, **kwargs) -> JsonResponse:
        errors = [{"field": None, "code": code, "message": message}]
        return JsonResponse(error_body(status_code, code, errors), status=status_code)

    return view
