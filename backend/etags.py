"""ETags on reads and ``If-Match`` on writes: a stale write is a 412, never an overwrite."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from backend.errors import ApplicationError


def etag_for(data: Any) -> str:
    """A strong ETag: the hash of the representation a client last read."""
    digest = hashlib.sha256(json.dumps(data, cls=JSONEncoder, sort_keys=True).encode())
    return f'"{digest.hexdigest()[:32]}"'


def check_if_match(request: Request, current: Any) -> None:
    """Refuse with 412 an update whose ``If-Match`` is not the current representation's."""
    expected = request.headers.get("If-Match")
    if expected is None or expected.strip() == "*":
        return
    tags = {tag.strip().removeprefix("W/") for tag in expected.split(",")}
    if etag_for(current) not in tags:
        raise ApplicationError(
            "Someone changed this record since you read it. Reload it and try again.",
            field="If-Match",
            code="stale",
            status_code=status.HTTP_412_PRECONDITION_FAILED,
        )


class ETagMixin:
    """For a ModelViewSet: reads carry an ETag, writes honour ``If-Match``.

    The check runs on the row locked with ``select_for_update``, so two writers with
    the same ETag cannot both pass it.
    """

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag_for(response.data)
        return response

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            instance = self.get_object()
            locked = type(instance).objects.select_for_update().get(pk=instance.pk)
            check_if_match(request, self.get_serializer(locked).data)
            response = super().update(request, *args, **kwargs)
        response["ETag"] = etag_for(response.data)
        return response


class ETagDestroyMixin:
    """For a ModelViewSet that deletes: ``If-Match`` guards the delete too."""

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            instance = self.get_object()
            locked = type(instance).objects.select_for_update().get(pk=instance.pk)
            check_if_match(request, self.get_serializer(locked).data)
            return super().destroy(request, *args, **kwargs)
