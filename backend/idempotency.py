"""Idempotent creates: a retried request with the same ``Idempotency-Key`` creates nothing.

Phones on hospital Wi-Fi retry requests that timed out; the retry must replay the first
response, never make a second record.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils import timezone
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from backend.errors import ApplicationError
from backend.models import IdempotencyRecord
from backend.schema import IDEMPOTENCY_HEADER

# A request that has held its key this long without finishing is taken to have died
# (its transaction rolled back), so a retry may take the key over.
IDEMPOTENCY_LEASE = timedelta(seconds=60)
IDEMPOTENCY_KEY_MAX = 255
CLAIM_ATTEMPTS = 3
HONOURS_KEY = "honours_idempotency_key"


def _body_hash(request: Request) -> str:
    digest = hashlib.sha256(request.method.encode() + request.path.encode())
    try:
        # Read before DRF parses the stream; Django caches it, and DRF then parses the cache.
        digest.update(request.body)
    except RawPostDataException:
        # A page's multipart form (a photo, a CSV) was streamed into POST and FILES by the
        # CSRF check before this ran, so its raw body is gone: hash what it held instead.
        django_request = getattr(request, "_request", request)
        for name, values in sorted(django_request.POST.lists()):
            digest.update(f"{name}={values!r};".encode())
        for name, uploads in sorted(django_request.FILES.lists()):
            for upload in uploads:
                digest.update(f"{name}:{upload.name}:{upload.size};".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.response_status)
    for name, value in record.response_headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _insert_or_find(request: Request, key: str, body_hash: str) -> tuple[IdempotencyRecord, bool]:
    """The key's record and whether this request just made it (and so holds the key)."""
    # A holder that fails releases its key (deletes the row) at any moment, also between
    # our refused insert and our read: then the key is free again, so try for it anew.
    for _attempt in range(CLAIM_ATTEMPTS):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=request.user,
                    key=key,
                    method=request.method,
                    path=request.path,
                    body_hash=body_hash,
                )
            return record, True
        except IntegrityError:
            pass
        record = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if record is not None:
            return record, False
    raise ApplicationError(
        "The first request with this key is still being processed. Retry shortly.",
        field=IDEMPOTENCY_HEADER,
        code="idempotency_in_progress",
        status_code=409,
    )


def _claim(request: Request, key: str) -> IdempotencyRecord | Response:
    """Claim ``key`` for this request, or answer as the first request's outcome dictates."""
    body_hash = _body_hash(request)
    record, claimed = _insert_or_find(request, key, body_hash)
    if claimed:
        return record
    if record.body_hash != body_hash:
        raise ApplicationError(
            f"This {IDEMPOTENCY_HEADER} was already used for a different request. "
            "Make a new key for a new request.",
            field=IDEMPOTENCY_HEADER,
            code="idempotency_key_reused",
            status_code=422,
        )
    if record.state == IdempotencyRecord.State.DONE:
        return _replay(record)
    # Still in progress. Take it over only if its holder has clearly died.
    stale_before = timezone.now() - IDEMPOTENCY_LEASE
    record.lease_token = new_lease = uuid.uuid4()
    taken = IdempotencyRecord.objects.filter(
        pk=record.pk, state=IdempotencyRecord.State.IN_PROGRESS, updated_at__lt=stale_before
    ).update(lease_token=new_lease, updated_at=timezone.now())
    if taken:
        return record
    raise ApplicationError(
        "The first request with this key is still being processed. Retry shortly.",
        field=IDEMPOTENCY_HEADER,
        code="idempotency_in_progress",
        status_code=409,
    )


def _stored_json(data: Any) -> Any:
    return json.loads(json.dumps(data, cls=JSONEncoder))


def _still_in_progress() -> ApplicationError:
    return ApplicationError(
        "The first request with this key is still being processed.",
        field=IDEMPOTENCY_HEADER,
        code="idempotency_in_progress",
        status_code=409,
    )


def _run_once(
    record: IdempotencyRecord,
    run: Callable[[], HttpResponse],
    to_replay: Callable[[HttpResponse], dict[str, Any] | None],
) -> HttpResponse:
    """Do the request's work and record its outcome in one transaction.

    ``to_replay`` gives the response fields a retry should get, or None for a response
    not worth keeping (a refusal): the key is then released, as it is when the work
    fails, so a corrected retry can use it.
    """
    mine = IdempotencyRecord.objects.filter(pk=record.pk, lease_token=record.lease_token)
    try:
        with transaction.atomic():
            response = run()
            replay = to_replay(response)
            if replay is not None:
                if not mine.update(
                    state=IdempotencyRecord.State.DONE, updated_at=timezone.now(), **replay
                ):
                    raise _still_in_progress()  # our lease was taken over: the new holder wins
                return response
    except BaseException:
        mine.delete()
        raise
    mine.delete()
    return response


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Make a create handler safe to retry with an ``Idempotency-Key`` header.

    The first request claims the key in its own committed row (so concurrent retries
    see it and get a 409), then does its work and records the response in one
    transaction: the created rows and the stored response commit together or not at
    all. A failed request releases the key, so a corrected retry can use it.
    """

    @wraps(handler)
    def wrapper(view, request: Request, *args, **kwargs) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX:
            raise ApplicationError(
                f"{IDEMPOTENCY_HEADER} must be 1 to {IDEMPOTENCY_KEY_MAX} characters.",
                field=IDEMPOTENCY_HEADER,
                code="invalid",
            )
        claimed = _claim(request, key)
        if isinstance(claimed, Response):
            return claimed

        def to_replay(response: Response) -> dict[str, Any] | None:
            if not status.is_success(response.status_code):
                return None
            return {
                "response_status": response.status_code,
                "response_body": _stored_json(response.data),
                "response_headers": {h: response[h] for h in ("Location", "ETag") if h in response},
            }

        return _run_once(claimed, lambda: handler(view, request, *args, **kwargs), to_replay)

    setattr(wrapper, HONOURS_KEY, True)
    return wrapper


def dispatches_to_idempotent(action: Callable[..., Response]) -> Callable[..., Response]:
    """Mark a view action whose POST is handed to an ``@idempotent`` helper (one action
    serving GET and POST), so the schema documents ``Idempotency-Key`` for it."""
    setattr(action, HONOURS_KEY, True)
    return action


def honours_idempotency_key(handler: Callable[..., Any] | None) -> bool:
    """Whether a view's handler replays a retried POST sent with ``Idempotency-Key``."""
    return bool(getattr(handler, HONOURS_KEY, False))


class IdempotentCreateMixin:
    """For a ModelViewSet: ``create`` honours ``Idempotency-Key``."""

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)


def idempotent_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The same ``Idempotency-Key`` promise for a server-rendered form's POST.

    A page answers a successful POST with a redirect (post/redirect/get); that redirect is
    what is stored and replayed, so a phone resending a form it queued offline lands on
    the record the first send made. A re-rendered form (invalid input) releases the key.
    Conflicts answer as plain text with the API's status codes (409, 422), for the
    page's script to read.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if request.method != "POST" or key is None:
            return view(request, *args, **kwargs)
        try:
            if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX:
                raise ApplicationError(
                    f"{IDEMPOTENCY_HEADER} must be 1 to {IDEMPOTENCY_KEY_MAX} characters."
                )
            claimed = _claim(request, key)
        except ApplicationError as refusal:
            return HttpResponse(
                refusal.message, status=refusal.status_code, content_type="text/plain"
            )
        if isinstance(claimed, Response):
            replay = HttpResponse(status=claimed.status_code)
            for name in ("Location", "Idempotent-Replayed"):
                if name in claimed:
                    replay[name] = claimed[name]
            return replay

        def to_replay(response: HttpResponse) -> dict[str, Any] | None:
            if response.status_code not in (301, 302, 303):
                return None
            return {
                "response_status": response.status_code,
                "response_headers": {"Location": response["Location"]},
            }

        try:
            return _run_once(claimed, lambda: view(request, *args, **kwargs), to_replay)
        except ApplicationError as refusal:
            return HttpResponse(
                refusal.message, status=refusal.status_code, content_type="text/plain"
            )

    return wrapper
