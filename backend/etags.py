"""ETags on reads and ``If-Match`` on writes: a stale write is a 412, never an overwrite.

The one guard is ``if_match``: it holds the row, then compares. Comparing first and
locking after would leave a window in which two writers holding the same ETag both pass
(NetBox's ``ETagMixin`` makes the same point). Every viewset gets it through
``IfMatchMixin`` and its two users, ``ETagMixin`` (retrieve, update) and
``ETagDestroyMixin`` (destroy); custom actions use ``self.if_match(instance)``.

The ETag is the hash of the representation a GET gives. A write answers with
``etag_response``, which reads the record again through the viewset's own queryset, so the
ETag a write returns is the one the next write needs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model
from django.http import Http404
from rest_framework import status
from rest_framework.mixins import UpdateModelMixin
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.viewsets import GenericViewSet

from backend.errors import ApplicationError

M = TypeVar("M", bound=Model)


def etag_for(data: Any) -> str:
    """A strong ETag: the hash of the representation a client last read."""
    digest = hashlib.sha256(json.dumps(data, cls=JSONEncoder, sort_keys=True).encode())
    return f'"{digest.hexdigest()[:32]}"'


def _check_if_match(request: Request, current: Any) -> None:
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


@contextmanager
def if_match(request: Request, *, lock: M, represent: Callable[[M], Any]) -> Iterator[M]:
    """The stale-write guard: in a transaction, hold ``lock``'s row, then refuse (412) an
    ``If-Match`` that is not the ETag of ``represent(locked)``, the representation a GET
    gives now. Yields the locked row; the write inside commits with the lock.

    ``lock`` may be a record not saved yet (default preferences): there is no row to hold,
    and a concurrent first save is stopped by the table's unique constraint instead.
    """
    with transaction.atomic():
        locked = lock
        if lock.pk is not None:
            locked = type(lock)._default_manager.select_for_update().filter(pk=lock.pk).first()
            if locked is None:  # removed by a writer who held the lock first
                raise Http404
        _check_if_match(request, represent(locked))
        yield locked


def etag_response(
    data: Any, *, status_code: int = status.HTTP_200_OK, headers: dict[str, str] | None = None
) -> Response:
    """A response carrying the ETag of its body."""
    return Response(data, status=status_code, headers={"ETag": etag_for(data), **(headers or {})})


class IfMatchMixin:
    """The guard and the ETag for a viewset's records, read through its own queryset (with
    its annotations), so a write and a read give the same representation."""

    def representation(self, instance: Model) -> Any:
        fresh = self.get_queryset().get(pk=instance.pk)
        return self.get_serializer(fresh).data

    def if_match(self, instance: M) -> Any:
        """``with self.if_match(record) as locked:`` — write ``locked``, never ``record``."""
        return if_match(self.request, lock=instance, represent=self.representation)

    def etag_response(
        self,
        instance: Model,
        *,
        status_code: int = status.HTTP_200_OK,
        extra: dict[str, Any] | None = None,
        location: str | None = None,
    ) -> Response:
        """The record as a GET shows it, with its ETag (of the record alone, not ``extra``)
        and, for a create, its ``Location`` (the URL name of its detail route)."""
        data = self.representation(instance)
        headers = {"ETag": etag_for(data)}
        if location:
            headers["Location"] = reverse(location, args=[instance.pk], request=self.request)
        body = {**data, **extra} if extra is not None else data
        return Response(body, status=status_code, headers=headers)


class ETagReadMixin(IfMatchMixin):
    """For a viewset whose records are read one at a time: the read carries its ETag."""

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.etag_response(self.get_object())


class ETagMixin(ETagReadMixin):
    """For a ModelViewSet: reads carry an ETag, updates honour ``If-Match``.

    Only for a viewset that updates: its ``update`` would give any other viewset PUT and
    PATCH routes (one that does not update takes ``ETagReadMixin``).
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if issubclass(cls, GenericViewSet) and not issubclass(cls, UpdateModelMixin):
            raise TypeError(f"{cls.__name__} takes ETagMixin without updating records")

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        with self.if_match(self.get_object()) as locked:
            serializer = self.get_serializer(locked, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.perform_update(serializer)
        return self.etag_response(serializer.instance)


class ETagDestroyMixin(IfMatchMixin):
    """For a viewset that deletes: ``If-Match`` guards the delete too."""

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with self.if_match(self.get_object()) as locked:
            self.perform_destroy(locked)
        return Response(status=status.HTTP_204_NO_CONTENT)
